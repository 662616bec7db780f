"""What every establishment importer shares: row errors, the parsed record, the report, CSV reading
and the geographic checks.

Importers only *read and validate*; writing is :func:`tremplin.establishments.services.import_establishments`,
which refuses the whole file as soon as one row is in error. Reasons are written in French: they are
shown as they are to the people who prepared the file, on the page and on the command line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

from tremplin.engine.headcount import UnknownHeadcountBand, headcount_band
from tremplin.engine.naf import UnknownNafCode, normalise_naf
from tremplin.establishments.siret import normalise_siret, siret_error

# Bounding box of metropolitan France and Corsica (WGS84), with a small margin: a converted or typed
# point outside it is a wrong coordinate, not a far-away establishment.
FRANCE_LON = (-5.5, 10.0)
FRANCE_LAT = (41.0, 51.5)

COMMUNE_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
NOT_DISCLOSED = "[ND]"  # SIRENE's mark for a value withheld at the establishment's request


@dataclass(frozen=True)
class RowError:
    """One reason a row cannot be imported. ``line`` counts as the file does: the header is line 1."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, {self.field} : {self.reason}" if self.field else f"{where} : {self.reason}"


@dataclass
class ParsedEstablishment:
    """A valid row, ready to be written in the territory."""

    line: int
    siret: str
    name: str
    naf_code: str
    headcount_band: str
    commune_code: str
    latitude: float | None  # None: place it at a point inside the commune
    longitude: float | None
    address: str = ""


@dataclass
class ParseResult:
    """What an importer read: valid rows of the territory, rows it left aside, and every error."""

    records: list[ParsedEstablishment] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_inactive: int = 0
    skipped_outside: int = 0
    rows: int = 0


@dataclass
class ImportReport:
    kind: str
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped_inactive: int = 0
    skipped_outside: int = 0
    located_in_commune: int = 0  # rows without usable coordinates, placed at a point of their commune
    errors: list[RowError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return self.skipped_inactive + self.skipped_outside

    @property
    def accepted(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"{self.created} créés, {self.updated} mis à jour, {self.skipped} ignorés "
            f"({self.skipped_inactive} fermés, {self.skipped_outside} hors territoire)"
        )


class FileFormatError(Exception):
    """The file cannot be read at all (encoding, missing columns, not a spreadsheet)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@cache
def _lambert93_to_wgs84():
    from pyproj import Transformer

    # RGF93 / Lambert-93 to WGS84 longitude, latitude (always_xy: x then y, lon then lat).
    return Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """Longitude and latitude (WGS84) of a Lambert-93 point in metres.

    >>> lon, lat = lambert93_to_wgs84(700000, 6600000)  # the projection's origin: 3° E, 46.5° N
    >>> round(lon, 6), round(lat, 6)
    (3.0, 46.5)
    """
    return _lambert93_to_wgs84().transform(x, y)


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


def check_naf(value: str, line: int, errors: list[RowError], field_name: str) -> str | None:
    if not value:
        errors.append(RowError(line, field_name, "code NAF manquant"))
        return None
    try:
        return normalise_naf(value)
    except (UnknownNafCode, TypeError):
        errors.append(RowError(line, field_name, f"code NAF rév. 2 inconnu ({value!r})"))
        return None


def check_band(value: str, line: int, errors: list[RowError], field_name: str) -> str | None:
    if not value:
        return "NN"  # SIRENE leaves the band empty for units without employees or not surveyed
    try:
        return headcount_band(value).code
    except UnknownHeadcountBand:
        errors.append(RowError(line, field_name, f"tranche d'effectif INSEE inconnue ({value!r})"))
        return None


def normalise_commune_code(value: str) -> str:
    value = value.strip().upper()
    if value.isdigit() and len(value) == 4:  # a spreadsheet ate the leading zero of 01…09
        value = "0" + value
    return value


def read_csv(stream, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV file (BOM tolerated; ``;`` or ``,`` separated, detected from the header) as
    (line number, row) pairs. Raise :class:`FileFormatError` when the header lacks a required column or
    the file is not UTF-8 text."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    start = 1
    try:
        header_line = text.readline()
        if not header_line.strip():
            raise FileFormatError([RowError(1, "", "le fichier est vide")])
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        header = next(csv.reader([header_line], delimiter=delimiter))
        header = [name.strip() for name in header]
        missing = [name for name in required if name not in header]
        if missing:
            raise FileFormatError(
                [RowError(1, name, "colonne obligatoire absente de l'en-tête") for name in missing]
            )
        reader = csv.reader(text, delimiter=delimiter)
        start = 2
        for values in reader:
            line, start = start, reader.line_num + 2
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                yield line, {"__width__": f"{len(values)} champs au lieu de {len(header)}"}
                continue
            yield line, dict(zip(header, values, strict=True))
    except UnicodeDecodeError:
        raise FileFormatError(
            [RowError(start, "", "le fichier n'est pas encodé en UTF-8 (enregistrez-le en « CSV UTF-8 »)")]
        ) from None
    except csv.Error as error:
        raise FileFormatError([RowError(start, "", f"CSV illisible ({error})")]) from None
    finally:
        text.detach()
