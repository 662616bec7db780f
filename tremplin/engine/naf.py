"""French activity nomenclatures NAF rév. 2 (INSEE, 2008) and NAF 2025, and the correspondence between them.

The nomenclature is read from ``data/naf_rev2.csv`` the first time it is needed, validated, and kept in
memory.  It has five nested levels, each code written the way INSEE writes it:

========== ========== =====
level      example    count
========== ========== =====
section    ``D``      21
division   ``35``     88
group      ``35.1``   272
class      ``35.11``  615
subclass   ``35.11Z`` 732
========== ========== =====

Every function accepts codes in the loose forms found in the wild (``3511Z``, ``35.11z``, ``' 35.11Z '``)
and works on the canonical INSEE form.  This module is pure Python: it must never import Django.

>>> normalise_naf("3511z")
'35.11Z'
>>> naf_ancestors("35.11Z")
['35.11Z', '35.11', '35.1', '35', 'D']

**NAF 2025** (décret n° 2025-736; SIRENE assigns it from 1 January 2027) is read at the sous-classe level,
the level SIRENE registers: ``62.10Y``, ``10.71H``.  Its sous-classe letters (``Y``, ``G``…``L``) never
occur in NAF rév. 2 (``Z``, ``A``…``F``), so a sous-classe says which nomenclature it belongs to; a code of
a broader level (``62``, ``62.1``, ``38.21``) is read as NAF rév. 2 unless the caller says
``nomenclature="2025"``.  The engine's profiles, rules and sector keys are written in NAF rév. 2: a NAF
2025 code reaches them through INSEE's correspondence table (``data/naf_rev2_naf2025.csv``) and the rule
of :func:`naf_correspondence`.

>>> normalise_naf("6210y")
'62.10Y'
>>> naf_nomenclature("62.10Y"), naf_profile_code("62.10Y")
('2025', '62.01Z')
>>> naf_ancestors("62.10Y")
['62.01Z', '62.01', '62.0', '62', 'J']
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "NAF_LEVELS",
    "NOMENCLATURES",
    "NafCorrespondence",
    "NafDataError",
    "UnknownNafCode",
    "all_naf2025_codes",
    "all_naf_codes",
    "correspondence_note",
    "detect_nomenclature",
    "naf_ancestors",
    "naf_correspondence",
    "naf_division",
    "naf_label",
    "naf_level",
    "naf_nomenclature",
    "naf_profile_code",
    "naf_section",
    "normalise_naf",
]

#: The five levels of the nomenclature, from the broadest to the finest.
NAF_LEVELS: tuple[str, ...] = ("section", "division", "group", "class", "subclass")

DATA_FILE = Path(__file__).parent / "data" / "naf_rev2.csv"
CORRESPONDENCE_FILE = Path(__file__).parent / "data" / "naf_rev2_naf2025.csv"

#: The two nomenclatures, as callers name them: ``"rev2"`` (NAF rév. 2, 2008) and ``"2025"`` (NAF 2025).
NOMENCLATURES: tuple[str, ...] = ("rev2", "2025")
_NOMENCLATURE_NAMES = {"rev2": "NAF rév. 2", "2025": "NAF 2025"}

_HEADER = ["code", "level", "label", "parent"]

# Number of codes per level in NAF rév. 2; a file that does not match is truncated or corrupt.
_EXPECTED_COUNTS = {"section": 21, "division": 88, "group": 272, "class": 615, "subclass": 732}

# Canonical form of a code at each level.
_CANONICAL_PATTERNS = {
    "section": re.compile(r"[A-U]"),
    "division": re.compile(r"\d{2}"),
    "group": re.compile(r"\d{2}\.\d"),
    "class": re.compile(r"\d{2}\.\d{2}"),
    "subclass": re.compile(r"\d{2}\.\d{2}[A-Z]"),
}

# Loose input: a section letter, or two digits optionally followed by a dot, one or two more digits and,
# after two, a subclass letter.
_LOOSE_PATTERN = re.compile(r"(?P<section>[A-Z])|(?P<div>\d{2})(?:\.?(?P<rest>\d{1,2}))?(?P<letter>[A-Z])?")


class UnknownNafCode(ValueError):
    """Raised when a code is not part of the nomenclature it was read in (or is not a NAF code at all).

    The offending input is kept in :attr:`code`, the nomenclature it was read in (``"rev2"`` or ``"2025"``)
    in :attr:`nomenclature`.

    >>> try:
    ...     normalise_naf("99.99Z")
    ... except UnknownNafCode as error:
    ...     print(error.code, "-", error)
    99.99Z - unknown NAF rév. 2 code: '99.99Z'
    """

    def __init__(self, code: object, reason: str | None = None, nomenclature: str = "rev2") -> None:
        self.code = code
        self.nomenclature = nomenclature
        message = f"unknown {_NOMENCLATURE_NAMES.get(nomenclature, 'NAF')} code: {code!r}"
        if reason:
            message = f"{message} ({reason})"
        super().__init__(message)


class NafDataError(Exception):
    """Raised when the nomenclature file is missing or malformed.

    The message names the file, the line (when the problem is tied to one) and the reason.
    """

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class _Entry:
    code: str
    level: str
    label: str
    parent: str | None
    line: int


@dataclass(frozen=True, slots=True)
class _Nomenclature:
    entries: dict[str, _Entry]  # in file order
    children: dict[str, tuple[str, ...]]


def _read_nomenclature(path: Path | str) -> _Nomenclature:
    """Read and validate a nomenclature file; raise :class:`NafDataError` on the first problem found."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise NafDataError(path, None, f"cannot open file ({error.strerror or error})") from error

    entries: dict[str, _Entry] = {}
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header != _HEADER:
                raise NafDataError(path, 1, f"expected header {','.join(_HEADER)!r}, found {header!r}")
            for row in reader:
                line = reader.line_num
                if not row:
                    raise NafDataError(path, line, "empty line")
                if len(row) != len(_HEADER):
                    raise NafDataError(path, line, f"expected {len(_HEADER)} fields, found {len(row)}")
                code, level, label, parent = row
                if level not in _CANONICAL_PATTERNS:
                    raise NafDataError(path, line, f"unknown level {level!r} (expected one of {NAF_LEVELS})")
                if not _CANONICAL_PATTERNS[level].fullmatch(code):
                    raise NafDataError(path, line, f"code {code!r} is not a well-formed {level} code")
                if code in entries:
                    raise NafDataError(
                        path, line, f"duplicate code {code!r} (first on line {entries[code].line})"
                    )
                if not label or label != label.strip() or "  " in label:
                    raise NafDataError(path, line, f"empty label or stray whitespace in label of {code!r}")
                if level == "section":
                    if parent:
                        raise NafDataError(
                            path, line, f"section {code!r} must have no parent, found {parent!r}"
                        )
                    entries[code] = _Entry(code, level, label, None, line)
                    continue
                parent_level = NAF_LEVELS[NAF_LEVELS.index(level) - 1]
                parent_entry = entries.get(parent)
                if parent_entry is None or parent_entry.level != parent_level:
                    raise NafDataError(
                        path, line, f"parent {parent!r} of {code!r} is not a {parent_level} listed above it"
                    )
                if level != "division" and not code.startswith(parent):
                    raise NafDataError(path, line, f"code {code!r} does not extend its parent {parent!r}")
                entries[code] = _Entry(code, level, label, parent, line)
        except csv.Error as error:
            raise NafDataError(path, reader.line_num, f"CSV syntax error ({error})") from error

    children: dict[str, list[str]] = {code: [] for code in entries}
    for entry in entries.values():
        if entry.parent is not None:
            children[entry.parent].append(entry.code)
    for code, kids in children.items():
        entry = entries[code]
        if entry.level != "subclass" and not kids:
            raise NafDataError(path, entry.line, f"{entry.level} {code!r} has no sub-level code")

    counts = Counter(entry.level for entry in entries.values())
    for level, expected in _EXPECTED_COUNTS.items():
        if counts[level] != expected:
            raise NafDataError(path, None, f"expected {expected} {level} codes, found {counts[level]}")

    return _Nomenclature(entries=entries, children={code: tuple(kids) for code, kids in children.items()})


@cache
def _nomenclature() -> _Nomenclature:
    return _read_nomenclature(DATA_FILE)


def _format(code: str) -> str | None:
    """Put a loosely written code into the canonical INSEE form, or return None if it cannot be one."""
    compact = code.strip().upper()
    match = _LOOSE_PATTERN.fullmatch(compact)
    if match is None:
        return None
    if match["section"]:
        return match["section"]
    division, rest, letter = match["div"], match["rest"], match["letter"]
    if rest is None:
        return None if letter else division
    if letter and len(rest) != 2:
        return None
    return f"{division}.{rest}{letter or ''}"


_SUBCLASS_2025 = re.compile(r"\d{2}\.\d{2}[GHJKLY]")
_CORRESPONDENCE_HEADER = ["naf_rev2", "naf_2025", "link"]
_LINKS = ("unique", "multiple")


@dataclass(frozen=True, slots=True)
class NafCorrespondence:
    """How a NAF 2025 sous-classe reaches the engine's NAF rév. 2 profiles.

    ``antecedents`` are the NAF rév. 2 sous-classes INSEE's table links to ``code``, in the table's order
    (ascending rév. 2 code), each with its link: ``"unique"`` when the whole rév. 2 sous-classe passes into
    ``code``, ``"multiple"`` when only part of it does.  ``profile_code`` is the one the engine uses, chosen
    by ``rule``:

    - ``"only"``: the table gives a single antecedent;
    - ``"same class"``: several antecedents, some of them with the class number of ``code`` (``47.24Z`` for
      ``47.24Y``): among those, the first whose whole content passes into ``code``, else the first one.
      The class that keeps its number carries the bulk of the activity;
    - ``"unique"``: several antecedents, none with the same class number; the first one whose whole
      content passes into ``code``;
    - ``"first listed"``: several antecedents, none with the same class number and none passing whole;
      the first one in the table.

    "First" is in the table's order, ascending NAF rév. 2 code.  No employment figures are shipped with the
    table, so the rule rests on the table alone.

    >>> naf_correspondence("47.24Y").profile_code, naf_correspondence("47.24Y").rule
    ('47.24Z', 'same class')

    >>> naf_correspondence("62.20H").antecedents
    (('62.02B', 'unique'), ('62.03Z', 'unique'))
    >>> naf_correspondence("62.20H").profile_code, naf_correspondence("62.20H").rule
    ('62.02B', 'unique')
    """

    code: str
    profile_code: str
    antecedents: tuple[tuple[str, str], ...]
    rule: str

    @property
    def split(self) -> bool:
        """True when several NAF rév. 2 sous-classes lead to this NAF 2025 sous-classe."""
        return len(self.antecedents) > 1


def _choose_profile(code: str, antecedents: list[tuple[str, str]]) -> tuple[str, str]:
    if len(antecedents) == 1:
        return antecedents[0][0], "only"
    same = [(old, link) for old, link in antecedents if old[:5] == code[:5]]
    if same:
        whole = [old for old, link in same if link == "unique"]
        return (whole or [same[0][0]])[0], "same class"
    whole = [old for old, link in antecedents if link == "unique"]
    if whole:
        return whole[0], "unique"
    return antecedents[0][0], "first listed"


def _read_correspondence(path: Path | str, rev2: _Nomenclature) -> dict[str, NafCorrespondence]:
    """Read and validate the NAF rév. 2 → NAF 2025 table; raise :class:`NafDataError` on the first problem."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise NafDataError(path, None, f"cannot open file ({error.strerror or error})") from error
    links: dict[str, list[tuple[str, str]]] = {}
    seen: dict[tuple[str, str], int] = {}
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header != _CORRESPONDENCE_HEADER:
                raise NafDataError(
                    path, 1, f"expected header {','.join(_CORRESPONDENCE_HEADER)!r}, found {header!r}"
                )
            for row in reader:
                line = reader.line_num
                if len(row) != len(_CORRESPONDENCE_HEADER):
                    raise NafDataError(path, line, f"expected 3 fields, found {len(row)}")
                old, new, link = row
                entry = rev2.entries.get(old)
                if entry is None or entry.level != "subclass":
                    raise NafDataError(path, line, f"{old!r} is not a NAF rév. 2 sous-classe")
                if not _SUBCLASS_2025.fullmatch(new):
                    raise NafDataError(path, line, f"{new!r} is not a well-formed NAF 2025 sous-classe")
                if link not in _LINKS:
                    raise NafDataError(path, line, f"link must be one of {_LINKS}, found {link!r}")
                if (old, new) in seen:
                    raise NafDataError(
                        path, line, f"duplicate pair {old} → {new} (first on line {seen[old, new]})"
                    )
                seen[old, new] = line
                links.setdefault(new, []).append((old, link))
        except csv.Error as error:
            raise NafDataError(path, reader.line_num, f"CSV syntax error ({error})") from error
    covered = {old for old, _ in seen}
    missing = [code for code, e in rev2.entries.items() if e.level == "subclass" and code not in covered]
    if missing:
        raise NafDataError(
            path, None, f"{len(missing)} NAF rév. 2 sous-classes have no row, e.g. {missing[0]}"
        )
    result = {}
    for new in sorted(links):
        antecedents = sorted(links[new])
        profile, rule = _choose_profile(new, antecedents)
        result[new] = NafCorrespondence(new, profile, tuple(antecedents), rule)
    return result


@cache
def _correspondence() -> dict[str, NafCorrespondence]:
    return _read_correspondence(CORRESPONDENCE_FILE, _nomenclature())


def _check_nomenclature(nomenclature: str | None) -> None:
    if nomenclature not in (None, "auto", *NOMENCLATURES):
        raise ValueError(f"unknown nomenclature {nomenclature!r} (expected one of {NOMENCLATURES} or 'auto')")


def detect_nomenclature(code: str) -> str | None:
    """Which nomenclature a code is written in, from its form: ``"2025"`` for a sous-classe with a NAF 2025
    letter, ``"rev2"`` for any code of NAF rév. 2, None for something that is neither.

    A code of a level above the sous-classe (``"62"``, ``"38.21"``) exists in both nomenclatures with
    different meanings; it is read as NAF rév. 2.

    >>> detect_nomenclature("62.10Y"), detect_nomenclature("6201Z"), detect_nomenclature("38.21")
    ('2025', 'rev2', 'rev2')
    >>> detect_nomenclature("99.99Z") is None
    True
    """
    if not isinstance(code, str):
        raise TypeError(f"a NAF code must be a string, not {type(code).__name__}")
    canonical = _format(code)
    if canonical is None:
        return None
    if _SUBCLASS_2025.fullmatch(canonical):
        return "2025"
    return "rev2" if canonical in _nomenclature().entries else None


def _resolve(code: str, nomenclature: str | None = None) -> tuple[str, _Entry | NafCorrespondence]:
    """The nomenclature a code is read in and its entry (rév. 2) or correspondence (2025)."""
    if not isinstance(code, str):
        raise TypeError(f"a NAF code must be a string, not {type(code).__name__}")
    _check_nomenclature(nomenclature)
    if nomenclature in (None, "auto"):
        nomenclature = detect_nomenclature(code) or "rev2"
    if nomenclature == "rev2":
        canonical = _format(code)
        entry = _nomenclature().entries.get(canonical) if canonical is not None else None
        if entry is None:
            reason = "a NAF 2025 code" if canonical and _SUBCLASS_2025.fullmatch(canonical) else None
            raise UnknownNafCode(code, reason)
        return "rev2", entry
    canonical = _format(code)
    if canonical is None or not _SUBCLASS_2025.fullmatch(canonical):
        reason = "NAF 2025 codes are read at the sous-classe level, e.g. 62.10Y"
        raise UnknownNafCode(code, reason, "2025")
    found = _correspondence().get(canonical)
    if found is None:
        raise UnknownNafCode(code, "absent from INSEE's NAF rév. 2 – NAF 2025 correspondence table", "2025")
    return "2025", found


def _lookup(code: str) -> _Entry:
    """Entry of a code written in any accepted form, without collapsing a class onto its subclass; a NAF 2025
    code gives the entry of its NAF rév. 2 correspondent."""
    nomenclature, found = _resolve(code)
    if nomenclature == "2025":
        return _nomenclature().entries[found.profile_code]
    return found


def normalise_naf(code: str, nomenclature: str | None = None) -> str:
    """Return the canonical INSEE form of a NAF rév. 2 or NAF 2025 code.

    Case, the dot and surrounding spaces do not matter.  ``nomenclature`` is ``"rev2"``, ``"2025"``, or
    None/``"auto"`` to tell from the code (see :func:`detect_nomenclature`); an explicit nomenclature is
    obeyed, so a code of the other one is refused.  A NAF rév. 2 class code is replaced by its subclass when
    the class has exactly one (as most do), since establishments are registered at the subclass level; a
    class with several subclasses is returned as the class.  A NAF 2025 code stays a NAF 2025 code.

    >>> normalise_naf(" 35.11z ")
    '35.11Z'
    >>> normalise_naf("3511Z")
    '35.11Z'
    >>> normalise_naf("35.11")
    '35.11Z'
    >>> normalise_naf("10.71")
    '10.71'
    >>> normalise_naf("351"), normalise_naf("35"), normalise_naf("d")
    ('35.1', '35', 'D')
    >>> normalise_naf("1071h"), normalise_naf("10.71H", "2025")
    ('10.71H', '10.71H')
    >>> normalise_naf("35.11A")
    Traceback (most recent call last):
    ...
    tremplin.engine.naf.UnknownNafCode: unknown NAF rév. 2 code: '35.11A'
    >>> normalise_naf("62.10Y", "rev2")
    Traceback (most recent call last):
    ...
    tremplin.engine.naf.UnknownNafCode: unknown NAF rév. 2 code: '62.10Y' (a NAF 2025 code)
    """
    read_in, found = _resolve(code, nomenclature)
    if read_in == "2025":
        return found.code
    entry = found
    if entry.level == "class":
        subclasses = _nomenclature().children[entry.code]
        if len(subclasses) == 1:
            return subclasses[0]
    return entry.code


def naf_nomenclature(code: str) -> str:
    """Nomenclature of a valid code (``"rev2"`` or ``"2025"``); raise :class:`UnknownNafCode` otherwise.

    >>> naf_nomenclature("10.71H"), naf_nomenclature("10.71C")
    ('2025', 'rev2')
    """
    return _resolve(code)[0]


def naf_correspondence(code: str) -> NafCorrespondence:
    """The correspondence of a NAF 2025 sous-classe (see :class:`NafCorrespondence`).

    >>> c = naf_correspondence("25.53Y")
    >>> c.antecedents
    (('25.61Z', 'multiple'), ('25.62A', 'unique'), ('25.62B', 'unique'))
    >>> c.profile_code, c.rule
    ('25.62A', 'unique')
    """
    return _resolve(code, "2025")[1]


def naf_profile_code(code: str) -> str:
    """The NAF rév. 2 code the engine's profiles and rules are looked up with: the canonical code itself for
    NAF rév. 2, the correspondent chosen by :func:`naf_correspondence` for NAF 2025.

    >>> naf_profile_code("62.10Y"), naf_profile_code("6201Z")
    ('62.01Z', '62.01Z')
    """
    nomenclature, found = _resolve(code)
    if nomenclature == "2025":
        return found.profile_code
    return normalise_naf(code, "rev2")


def correspondence_note(code: str) -> str | None:
    """One French sentence saying how a NAF 2025 code reached its sector profile, None for NAF rév. 2.

    >>> print(correspondence_note("62.10Y"))  # doctest: +NORMALIZE_WHITESPACE
    NAF 2025 62.10Y : profil sectoriel du NAF rév. 2 62.01Z, seul correspondant dans
    la table de correspondance INSEE NAF rév. 2 – NAF 2025.
    >>> correspondence_note("62.01Z") is None
    True
    """
    nomenclature, found = _resolve(code)
    if nomenclature != "2025":
        return None
    head = f"NAF 2025 {found.code} : profil sectoriel du NAF rév. 2 {found.profile_code}"
    table = "la table de correspondance INSEE NAF rév. 2 – NAF 2025"
    if found.rule == "only":
        return f"{head}, seul correspondant dans {table}."
    others = ", ".join(old for old, _ in found.antecedents)
    why = {
        "same class": "celui qui garde le numéro de classe",
        "unique": "le premier dont tout le contenu passe en NAF 2025",
        "first listed": "le premier listé, aucun ne passant en entier",
    }[found.rule]
    return (
        f"{head}, choisi parmi ses {len(found.antecedents)} correspondants dans {table} ({others}) : {why}."
    )


def all_naf2025_codes() -> list[str]:
    """Every NAF 2025 sous-classe of the correspondence table, in code order.

    >>> codes = all_naf2025_codes()
    >>> len(codes), codes[0], codes[-1]
    (746, '01.11Y', '99.00Y')
    """
    return list(_correspondence())


def naf_label(code: str) -> str:
    """Official French label of a code, at the level the code is written in.

    The NAF 2025 labels are not shipped: a NAF 2025 code gives the label of its NAF rév. 2 correspondent,
    saying so.

    >>> naf_label("62.10Y")
    'Programmation informatique (correspondant NAF rév. 2 62.01Z)'
    >>> naf_label("35.11Z")
    "Production d'électricité"
    >>> naf_label("C")
    'Industrie manufacturière'
    """
    nomenclature, found = _resolve(code)
    if nomenclature == "2025":
        entry = _nomenclature().entries[found.profile_code]
        return f"{entry.label} (correspondant NAF rév. 2 {entry.code})"
    return found.label


def naf_level(code: str) -> str:
    """Level of a code: one of ``section``, ``division``, ``group``, ``class``, ``subclass`` (every NAF 2025
    code is read at the ``subclass`` level).

    >>> naf_level("35.11"), naf_level("3511Z"), naf_level("D")
    ('class', 'subclass', 'section')
    """
    return _lookup(code).level


def naf_ancestors(code: str) -> list[str]:
    """The code itself, then each level above it, up to its section.

    >>> naf_ancestors("35.11Z")
    ['35.11Z', '35.11', '35.1', '35', 'D']
    >>> naf_ancestors("10.7")
    ['10.7', '10', 'C']
    >>> naf_ancestors("U")
    ['U']

    A NAF 2025 code has no chain of its own in the engine, whose profiles and rules are written in NAF rév. 2:
    its chain is that of its NAF rév. 2 correspondent (:func:`naf_profile_code`).

    >>> naf_ancestors("62.20H")
    ['62.02B', '62.02', '62.0', '62', 'J']
    """
    entries = _nomenclature().entries
    entry: _Entry | None = _lookup(code)
    chain = []
    while entry is not None:
        chain.append(entry.code)
        entry = entries[entry.parent] if entry.parent is not None else None
    return chain


def naf_section(code: str) -> str:
    """Section letter a code belongs to (a section is its own section); for a NAF 2025 code, the NAF rév. 2
    section of its correspondent.

    >>> naf_section("24.10Z")
    'C'
    """
    return naf_ancestors(code)[-1]


def naf_division(code: str) -> str:
    """Two-digit division a code belongs to (a division is its own division); for a NAF 2025 code, the
    NAF rév. 2 division of its correspondent.

    A section has no division: asking for one raises :class:`ValueError`.

    >>> naf_division("10.71C")
    '10'
    >>> naf_division("C")
    Traceback (most recent call last):
    ...
    ValueError: section 'C' is above the division level
    """
    entry = _lookup(code)
    if entry.level == "section":
        raise ValueError(f"section {entry.code!r} is above the division level")
    return entry.code[:2]


def all_naf_codes(level: str | None = None) -> list[str]:
    """Every code of the nomenclature in INSEE order, or only those of one level.

    >>> len(all_naf_codes()), len(all_naf_codes("subclass"))
    (1728, 732)
    >>> all_naf_codes("section")[:3]
    ['A', 'B', 'C']
    """
    if level is not None and level not in NAF_LEVELS:
        raise ValueError(f"unknown NAF level {level!r} (expected one of {NAF_LEVELS})")
    entries = _nomenclature().entries.values()
    return [entry.code for entry in entries if level is None or entry.level == level]
