"""The resource catalogue as the forms see it: choices grouped by family, and search-as-you-type.

The catalogue itself belongs to the engine's knowledge base; this module only reads it.

>>> [r.code for r in search_resources("dreches")][:1]
['bio_spent_grain']
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from tremplin.engine import default_knowledge_base
from tremplin.engine.knowledge import Resource

MAX_RESULTS = 12


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    label: str
    unit: str
    family_code: str
    family_label: str
    waste_codes: str
    haystack: str


def fold(text: str) -> str:
    """Lower case without accents, so that « dreche » finds « Drêches »."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _entries() -> tuple[CatalogueEntry, ...]:
    kb = default_knowledge_base()
    entries = []
    for resource in kb.resources.values():
        family = kb.families[resource.family]
        waste_codes = ", ".join(str(code) for code in resource.waste_codes)
        entries.append(
            CatalogueEntry(
                code=resource.code,
                label=resource.label,
                unit=resource.unit,
                family_code=family.code,
                family_label=family.label,
                waste_codes=waste_codes,
                haystack=fold(" ".join([resource.code, resource.label, family.label, waste_codes])),
            )
        )
    return tuple(entries)


def catalogue_entry(code: str) -> CatalogueEntry | None:
    return next((entry for entry in _entries() if entry.code == code), None)


def resource(code: str) -> Resource:
    """The engine's resource; raises ``tremplin.engine.UnknownResource`` for an unknown code."""
    return default_knowledge_base().resource(code)


def resource_label(code: str) -> str:
    entry = catalogue_entry(code)
    return entry.label if entry else code


def search_resources(query: str, *, limit: int = MAX_RESULTS) -> list[CatalogueEntry]:
    """Resources whose code, French label, family or waste code contain every word of ``query``.

    Labels that start with the query come first, then the others in catalogue order.
    """
    words = fold(query).split()
    if not words:
        return []
    matches = [entry for entry in _entries() if all(word in entry.haystack for word in words)]
    first = fold(query).strip()
    matches.sort(key=lambda entry: not (fold(entry.label).startswith(first) or entry.code.startswith(first)))
    return matches[:limit]


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for a ``<select>``: one ``<optgroup>`` per family, in catalogue order."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for entry in _entries():
        groups.setdefault(entry.family_code, (entry.family_label, []))[1].append(
            (entry.code, f"{entry.label} ({entry.unit})")
        )
    return list(groups.values())
