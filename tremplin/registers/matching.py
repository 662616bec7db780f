"""Which of the territory's establishments a register establishment is.

By SIRET first (certain). Otherwise by normalised name and commune (same name once accents, case,
punctuation and legal forms are set aside, in the same commune, known by its INSEE code or its name):
such a match is only *proposed*, for the officer to confirm or reject, never applied silently. A name
shared by several establishments of one commune proposes nothing (ambiguous).

>>> name_key("S.A.S. Papeteries  de l'Orne")
'papeteries de l orne'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tremplin.registers.irep import IrepEstablishment, fold

LEGAL_FORMS = {
    "sa",
    "sas",
    "sasu",
    "sarl",
    "eurl",
    "snc",
    "sca",
    "sci",
    "ste",
    "societe",
    "ets",
    "etablissements",
}


def name_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", fold(name).replace(".", "")).split()
    return " ".join(word for word in words if word not in LEGAL_FORMS)


def commune_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", fold(name)).split()
    return " ".join("saint" if w == "st" else "sainte" if w == "ste" else w for w in words)


@dataclass(frozen=True)
class Match:
    register_id: str
    establishment_id: int
    how: str  # "siret" or "name"


def match_establishments(
    register: dict[str, IrepEstablishment], establishments
) -> tuple[list[Match], list[Match]]:
    """``(certain, proposed)`` matches of ``register`` establishments among ``establishments`` (rows of
    ``(pk, siret, name, commune INSEE code, commune name)``). Each territory establishment is matched at
    most once, by SIRET before any name."""
    by_siret: dict[str, int] = {}
    by_name: dict[tuple[str, str], list[int]] = {}
    for pk, siret, name, insee, commune in establishments:
        by_siret[siret] = pk
        key = name_key(name)
        by_name.setdefault((key, insee), []).append(pk)
        by_name.setdefault((key, commune_key(commune)), []).append(pk)
    certain, proposed, taken = [], [], set()
    for ident in sorted(register):
        entry = register[ident]
        if entry.siret and entry.siret in by_siret and by_siret[entry.siret] not in taken:
            certain.append(Match(ident, by_siret[entry.siret], "siret"))
            taken.add(by_siret[entry.siret])
    for ident in sorted(register):
        entry = register[ident]
        if any(m.register_id == ident for m in certain):
            continue
        key = name_key(entry.name)
        if not key:
            continue
        candidates = set()
        for commune in (entry.insee_code, commune_key(entry.commune)):
            if commune:
                candidates.update(by_name.get((key, commune), ()))
        candidates -= taken
        if len(candidates) == 1:
            (pk,) = candidates
            proposed.append(Match(ident, pk, "name"))
            taken.add(pk)
    return certain, proposed
