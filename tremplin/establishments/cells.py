"""Checks of the cells of an establishment row, shared by the importers of the platform and by the
national potential (:mod:`tremplin.national`), which reads SIRENE without Django: this module must never
import Django.

Reasons are written in French: they are shown as they are to the people who prepared the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from tremplin.engine.headcount import UnknownHeadcountBand, headcount_band
from tremplin.engine.naf import UnknownNafCode, normalise_naf
from tremplin.establishments.siret import normalise_siret, siret_error

# Bounding box of metropolitan France and Corsica (WGS84), with a small margin: a converted or typed
# point outside it is a wrong coordinate, not a far-away establishment.
FRANCE_LON = (-5.5, 10.0)
FRANCE_LAT = (41.0, 51.5)

COMMUNE_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
NOT_DISCLOSED = "[ND]"  # SIRENE's mark for a value withheld at the establishment's request

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: none belongs in a
# name, a code or an address, and some break what is built from them later (a NUL makes the XLSX
# export fail, a line break splits a CSV export or a log line).
CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class RowError:
    """One reason a row cannot be imported. ``line`` counts as the file does: the header is line 1."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, {self.field} : {self.reason}" if self.field else f"{where} : {self.reason}"


@cache
def lambert93_transformer() -> Any:
    """The pyproj transformer from Lambert-93 (EPSG:2154) to WGS84 longitude, latitude (arrays accepted)."""
    from pyproj import Transformer

    # RGF93 / Lambert-93 to WGS84 longitude, latitude (always_xy: x then y, lon then lat).
    return Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Longitude and latitude (WGS84) of a Lambert-93 point in metres.

    >>> lon, lat = lambert93_to_wgs84(700000, 6600000)  # the projection's origin: 3° E, 46.5° N
    >>> round(lon, 6), round(lat, 6)
    (3.0, 46.5)
    """
    return lambert93_transformer().transform(x, y)


def in_france(longitude: float, latitude: float) -> bool:
    return FRANCE_LON[0] <= longitude <= FRANCE_LON[1] and FRANCE_LAT[0] <= latitude <= FRANCE_LAT[1]


def parse_decimal(text: str) -> float:
    """A number written either way (``492123.5`` or ``492123,5``); ValueError otherwise."""
    value = float(text.strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def clean(text) -> str:
    """A cell as text, stripped; SIRENE's « [ND] » (not disclosed) counts as empty."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    value = str(text).strip()
    return "" if value == NOT_DISCLOSED else value


def check_text(row: dict, columns: Iterable[str], line: int, errors) -> None:
    """Name every cell of ``columns`` that holds a control character (see :data:`CONTROL_CHARACTER`)
    once stripped as :func:`clean` strips it (a trailing line break is only whitespace)."""
    for column in columns:
        value = row.get(column)
        if not isinstance(value, str):
            continue
        found = CONTROL_CHARACTER.search(value.strip())
        if found:
            errors.append(
                RowError(
                    line,
                    column,
                    f"caractère de contrôle interdit (U+{ord(found.group()):04X}, "
                    f"position {found.start() + 1}) : retirez-le du fichier",
                )
            )


def check_siret(value: str, line: int, errors: list[RowError], field_name: str = "siret") -> str | None:
    siret = normalise_siret(value)
    if not siret:
        errors.append(RowError(line, field_name, "SIRET manquant"))
        return None
    reason = siret_error(siret)
    if reason:
        errors.append(RowError(line, field_name, f"{reason} ({value!r})"))
        return None
    return siret


def check_naf(
    value: str, line: int, errors: list[RowError], field_name: str, nomenclature: str | None = None
) -> str | None:
    """The canonical NAF rév. 2 or NAF 2025 code; ``nomenclature`` (``"rev2"``/``"2025"``) when the file
    says which, else told from the code."""
    if not value:
        errors.append(RowError(line, field_name, "code NAF manquant"))
        return None
    try:
        return normalise_naf(value, nomenclature)
    except UnknownNafCode as error:
        which = "NAF 2025" if error.nomenclature == "2025" else "NAF rév. 2"
        errors.append(RowError(line, field_name, f"code {which} inconnu ({value!r})"))
    except TypeError:
        errors.append(RowError(line, field_name, f"code NAF inconnu ({value!r})"))
    return None


def check_band(value: str, line: int, errors: list[RowError], field_name: str) -> str | None:
    if not value:
        return "NN"  # SIRENE leaves the band empty for units without employees or not surveyed
    try:
        return headcount_band(value).code
    except UnknownHeadcountBand:
        errors.append(RowError(line, field_name, f"tranche d'effectif INSEE inconnue ({value!r})"))
        return None
