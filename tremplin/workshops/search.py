"""The workshop's resource search: everyday French words, with synonyms, then the catalogue's labels.

>>> [r.code for r in search("palettes")][:1]
['wood_pallets']
>>> "paper_cardboard" in [r.code for r in search("Cartons")]
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from tremplin.flows import catalogue
from tremplin.flows.catalogue import CatalogueEntry, fold

__all__ = ["MAX_RESULTS", "search", "synonyms"]

MAX_RESULTS = 12
SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.yaml"


def _singular(word: str) -> str:
    """« palettes » → « palette », « bureaux » → « bureau »: French plurals in -s and -x, roughly."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_singular(w) for w in fold(text).replace("'", " ").replace("-", " ").split())


@cache
def synonyms() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """``(key words, resource codes)`` pairs, longest keys first (« chaleur fatale » before « chaleur »);
    every code is checked against the catalogue when the file is read."""
    data = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8"))["synonyms"]
    pairs = []
    for key, codes in data.items():
        for code in codes:
            if catalogue.catalogue_entry(code) is None:
                raise ValueError(f"{SYNONYMS_FILE.name}: {key!r} names an unknown resource {code!r}")
        pairs.append((_words(key), tuple(codes)))
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple(pairs)


def search(query: str, *, limit: int = MAX_RESULTS) -> list[CatalogueEntry]:
    """Resources for ``query``: those its everyday words designate (synonyms), then the catalogue
    entries whose label, family or code contain every word (singular forms, accents ignored)."""
    words = _words(query)
    if not words:
        return []
    codes: list[str] = []
    for key, key_codes in synonyms():
        if all(word in words for word in key):
            codes.extend(code for code in key_codes if code not in codes)
    found = [catalogue.catalogue_entry(code) for code in codes]
    for entry in catalogue.search_resources(" ".join(words), limit=limit * 2):
        if entry.code not in codes:
            found.append(entry)
            codes.append(entry.code)
    return found[:limit]
