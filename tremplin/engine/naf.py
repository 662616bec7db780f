"""French activity nomenclature NAF rév. 2 (INSEE, 2008).

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
    "NafDataError",
    "UnknownNafCode",
    "all_naf_codes",
    "naf_ancestors",
    "naf_division",
    "naf_label",
    "naf_level",
    "naf_section",
    "normalise_naf",
]

#: The five levels of the nomenclature, from the broadest to the finest.
NAF_LEVELS: tuple[str, ...] = ("section", "division", "group", "class", "subclass")

DATA_FILE = Path(__file__).parent / "data" / "naf_rev2.csv"

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
    """Raised when a code is not part of the NAF rév. 2 nomenclature (or is not a NAF code at all).

    The offending input is kept in :attr:`code`.

    >>> try:
    ...     normalise_naf("99.99Z")
    ... except UnknownNafCode as error:
    ...     print(error.code, "-", error)
    99.99Z - unknown NAF rév. 2 code: '99.99Z'
    """

    def __init__(self, code: object, reason: str | None = None) -> None:
        self.code = code
        message = f"unknown NAF rév. 2 code: {code!r}"
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


def _lookup(code: str) -> _Entry:
    """Entry of a code written in any accepted form, without collapsing a class onto its subclass."""
    if not isinstance(code, str):
        raise TypeError(f"a NAF code must be a string, not {type(code).__name__}")
    canonical = _format(code)
    entry = _nomenclature().entries.get(canonical) if canonical is not None else None
    if entry is None:
        raise UnknownNafCode(code)
    return entry


def normalise_naf(code: str) -> str:
    """Return the canonical INSEE form of a NAF rév. 2 code.

    Case, the dot and surrounding spaces do not matter.  A class code is replaced by its subclass when the
    class has exactly one (as most do), since establishments are registered at the subclass level; a class
    with several subclasses is returned as the class.

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
    >>> normalise_naf("35.11A")
    Traceback (most recent call last):
    ...
    tremplin.engine.naf.UnknownNafCode: unknown NAF rév. 2 code: '35.11A'
    """
    entry = _lookup(code)
    if entry.level == "class":
        subclasses = _nomenclature().children[entry.code]
        if len(subclasses) == 1:
            return subclasses[0]
    return entry.code


def naf_label(code: str) -> str:
    """Official French label of a code, at the level the code is written in.

    >>> naf_label("35.11Z")
    "Production d'électricité"
    >>> naf_label("C")
    'Industrie manufacturière'
    """
    return _lookup(code).label


def naf_level(code: str) -> str:
    """Level of a code: one of ``section``, ``division``, ``group``, ``class``, ``subclass``.

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
    """
    entries = _nomenclature().entries
    entry: _Entry | None = _lookup(code)
    chain = []
    while entry is not None:
        chain.append(entry.code)
        entry = entries[entry.parent] if entry.parent is not None else None
    return chain


def naf_section(code: str) -> str:
    """Section letter a code belongs to (a section is its own section).

    >>> naf_section("24.10Z")
    'C'
    """
    return naf_ancestors(code)[-1]


def naf_division(code: str) -> str:
    """Two-digit division a code belongs to (a division is its own division).

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
