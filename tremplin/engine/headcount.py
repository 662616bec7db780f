"""INSEE headcount bands (« tranches d'effectif salarié »).

These are the codes of the SIRENE register variables ``trancheEffectifsEtablissement`` and
``trancheEffectifsUniteLegale``.  The register gives a band, not a headcount, so each band carries a
*representative* headcount that the engine uses for an establishment in that band: the geometric mean of
its bounds, rounded to the nearest integer; 12 000 for the open band « 10 000 salariés et plus »; 0 for
« NN » and « 00 » (see ``data/SOURCES.md``).

The bands are read from ``data/headcount_bands.csv`` the first time they are needed, validated, and kept
in memory.  This module is pure Python: it must never import Django.

>>> headcount_band("12").representative
31
>>> band_for_headcount(35).code
'12'
"""

from __future__ import annotations

import csv
import operator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "HeadcountBand",
    "HeadcountDataError",
    "UnknownHeadcountBand",
    "all_headcount_bands",
    "band_for_headcount",
    "headcount_band",
]

DATA_FILE = Path(__file__).parent / "data" / "headcount_bands.csv"

_HEADER = ["code", "label", "min", "max", "representative"]

# Codes defined by INSEE, in order.  "NN" is outside the numeric scale (non-employer or unknown).
_EXPECTED_CODES = (
    *("NN", "00", "01", "02", "03"),  # non-employer, then under 10 employees
    *("11", "12", "21", "22", "31", "32"),  # 10 to 499
    *("41", "42", "51", "52", "53"),  # 500 and more
)
_NON_EMPLOYER = "NN"


class UnknownHeadcountBand(ValueError):
    """Raised when a code is not one of INSEE's headcount band codes.

    The offending input is kept in :attr:`code`.

    >>> try:
    ...     headcount_band("13")
    ... except UnknownHeadcountBand as error:
    ...     print(error)
    unknown headcount band code: '13'
    """

    def __init__(self, code: object) -> None:
        self.code = code
        super().__init__(f"unknown headcount band code: {code!r}")


class HeadcountDataError(Exception):
    """Raised when the headcount band file is missing or malformed.

    The message names the file, the line (when the problem is tied to one) and the reason.
    """

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class HeadcountBand:
    """One headcount band.

    ``min`` and ``max`` are the inclusive bounds of the band; ``max`` is ``None`` for the open band
    « 10 000 salariés et plus ».  ``representative`` is the headcount the engine assumes for an
    establishment in the band.
    """

    code: str
    label: str
    min: int
    max: int | None
    representative: int

    def contains(self, headcount: int) -> bool:
        """Whether a headcount lies within the band's bounds.

        >>> headcount_band("01").contains(2), headcount_band("53").contains(250_000)
        (True, True)
        """
        return self.min <= headcount and (self.max is None or headcount <= self.max)


def _parse_int(path: Path, line: int, field: str, text: str) -> int:
    if not text.isdigit():
        raise HeadcountDataError(path, line, f"{field} must be a non-negative integer, found {text!r}")
    return int(text)


def _read_bands(path: Path | str) -> dict[str, HeadcountBand]:
    """Read and validate a band file; raise :class:`HeadcountDataError` on the first problem found."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise HeadcountDataError(path, None, f"cannot open file ({error.strerror or error})") from error

    bands: dict[str, HeadcountBand] = {}
    with handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header != _HEADER:
                raise HeadcountDataError(path, 1, f"expected header {','.join(_HEADER)!r}, found {header!r}")
            previous: HeadcountBand | None = None
            for row in reader:
                line = reader.line_num
                if len(row) != len(_HEADER):
                    raise HeadcountDataError(path, line, f"expected {len(_HEADER)} fields, found {len(row)}")
                code, label, min_text, max_text, representative_text = row
                position = len(bands)
                if position >= len(_EXPECTED_CODES) or code != _EXPECTED_CODES[position]:
                    expected = _EXPECTED_CODES[position] if position < len(_EXPECTED_CODES) else "end of file"
                    raise HeadcountDataError(path, line, f"expected code {expected!r}, found {code!r}")
                if not label or label != label.strip():
                    raise HeadcountDataError(path, line, f"empty label or stray whitespace for band {code!r}")
                low = _parse_int(path, line, "min", min_text)
                high = None if max_text == "" else _parse_int(path, line, "max", max_text)
                representative = _parse_int(path, line, "representative", representative_text)
                band = HeadcountBand(code, label, low, high, representative)

                if high is not None and high < low:
                    raise HeadcountDataError(path, line, f"max {high} is below min {low}")
                if not band.contains(representative):
                    raise HeadcountDataError(
                        path, line, f"representative {representative} is outside the band"
                    )
                if high is None and code != _EXPECTED_CODES[-1]:
                    raise HeadcountDataError(path, line, "only the last band may be open-ended")
                if code == _NON_EMPLOYER:
                    if (low, high) != (0, 0):
                        raise HeadcountDataError(path, line, "band 'NN' must have min and max 0")
                elif previous is not None and previous.code != _NON_EMPLOYER:
                    if previous.max is None or low != previous.max + 1:
                        raise HeadcountDataError(
                            path, line, f"band {code!r} does not start right after band {previous.code!r}"
                        )
                elif low != 0:
                    raise HeadcountDataError(path, line, f"the first employer band {code!r} must start at 0")
                bands[code] = band
                previous = band
        except csv.Error as error:
            raise HeadcountDataError(path, reader.line_num, f"CSV syntax error ({error})") from error

    if len(bands) != len(_EXPECTED_CODES):
        missing = ", ".join(code for code in _EXPECTED_CODES if code not in bands)
        raise HeadcountDataError(path, None, f"missing bands: {missing}")
    if bands[_EXPECTED_CODES[-1]].max is not None:
        raise HeadcountDataError(path, None, f"the last band {_EXPECTED_CODES[-1]!r} must be open-ended")
    return bands


@cache
def _bands() -> dict[str, HeadcountBand]:
    return _read_bands(DATA_FILE)


def headcount_band(code: str | int) -> HeadcountBand:
    """The band of an INSEE code.

    Surrounding spaces and case are ignored, and a code that lost its leading zero (``"1"`` or ``1``, as
    happens when a CSV column is read as numbers) is padded back.

    >>> headcount_band("11")
    HeadcountBand(code='11', label='10 à 19 salariés', min=10, max=19, representative=14)
    >>> headcount_band(3).label
    '6 à 9 salariés'
    >>> headcount_band("nn").representative
    0
    """
    if isinstance(code, bool) or not isinstance(code, str | int):
        raise UnknownHeadcountBand(code)
    text = str(code).strip().upper()
    if text.isdigit() and len(text) == 1:
        text = "0" + text
    band = _bands().get(text)
    if band is None:
        raise UnknownHeadcountBand(code)
    return band


def band_for_headcount(n: int) -> HeadcountBand:
    """The band a headcount falls in (0 falls in « 0 salarié », never in « NN »).

    >>> band_for_headcount(0).code, band_for_headcount(9).code, band_for_headcount(10).code
    ('00', '03', '11')
    >>> band_for_headcount(50_000).code
    '53'
    """
    if isinstance(n, bool):
        raise TypeError("a headcount must be an integer, not bool")
    headcount = operator.index(n)
    if headcount < 0:
        raise ValueError(f"a headcount cannot be negative: {headcount}")
    for band in _bands().values():
        if band.code != _NON_EMPLOYER and band.contains(headcount):
            return band
    raise AssertionError(f"no band covers headcount {headcount}")  # unreachable: the bands were validated


def all_headcount_bands() -> list[HeadcountBand]:
    """Every band, in INSEE order (« NN » first, then by increasing headcount).

    >>> [band.code for band in all_headcount_bands()][:4]
    ['NN', '00', '01', '02']
    """
    return list(_bands().values())
