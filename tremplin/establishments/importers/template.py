"""The platform's own spreadsheet of establishments (CSV or XLSX), and the template to download.

One row per establishment, the header on the first line (column names in French, as users write them):

==================  ==========================================================================
``siret``           required; 14 digits with a valid key
``nom``             required
``code_naf``        required; NAF rév. 2 (``10.71C`` or ``1071C``) or NAF 2025 (``10.71H``)
``tranche_effectifs`` INSEE headcount band code (``11``…); empty: unknown (``NN``)
``code_commune``    required; INSEE code of a commune of the territory
``adresse``         optional
``latitude``        optional, WGS84 decimal degrees (``49.5`` or ``49,5``); with ``longitude``.
``longitude``       Empty: the establishment is placed at a point inside its commune.
==================  ==========================================================================

A commune outside the territory is an error here (the file was prepared for this territory), not a
skipped row as in a SIRENE extract. No cell may hold a control character.
"""

from __future__ import annotations

import csv
import io

from tremplin.establishments.importers.base import (
    ParsedEstablishment,
    ParseResult,
    Progress,
    RowError,
    check_band,
    check_naf,
    check_siret,
    check_text,
    clean,
    csv_encoding,
    in_france,
    normalise_commune_code,
    parse_decimal,
    read_csv,
)
from tremplin.establishments.importers.limits import ImportLimits
from tremplin.establishments.importers.spreadsheet import XLSX_MAGIC, xlsx_rows
from tremplin.spreadsheets import csv_row, xlsx_row

COLUMNS = [
    "siret",
    "nom",
    "code_naf",
    "tranche_effectifs",
    "code_commune",
    "adresse",
    "latitude",
    "longitude",
]
REQUIRED = ["siret", "nom", "code_naf", "code_commune"]


def read_template(
    stream, commune_codes: set[str], limits: ImportLimits | None = None, progress: Progress | None = None
) -> ParseResult:
    """Read the platform's template, as CSV or XLSX (told apart by content, not by file name)."""
    limits = limits or ImportLimits()
    head = stream.read(4)
    stream.seek(0)
    result = ParseResult.within(limits)
    if head == XLSX_MAGIC:
        rows = xlsx_rows(stream, REQUIRED, limits, progress)
    else:
        result.encoding = csv_encoding(stream)
        rows = read_csv(stream, REQUIRED, limits, progress, encoding=result.encoding)
    for line, row in rows:
        result.rows += 1
        if "__width__" in row:
            result.errors.append(RowError(line, "", f"ligne mal formée ({row['__width__']})"))
            continue
        errors: list[RowError] = []
        record = _read_row(line, row, commune_codes, errors)
        if errors:
            result.errors.extend(errors)
        else:
            result.records.append(record)
    return result


def _read_row(line, row, commune_codes, errors) -> ParsedEstablishment | None:
    check_text(row, COLUMNS, line, errors)
    siret_value = clean(row.get("siret"))
    if siret_value.isdigit() and len(siret_value) < 14:  # a spreadsheet ate leading zeros
        siret_value = siret_value.zfill(14)
    siret = check_siret(siret_value, line, errors)
    name = clean(row.get("nom"))
    if not name:
        errors.append(RowError(line, "nom", "nom manquant"))
    elif len(name) > 200:
        errors.append(RowError(line, "nom", "nom trop long (200 caractères au plus)"))
    naf = check_naf(clean(row.get("code_naf")), line, errors, "code_naf")
    band = check_band(clean(row.get("tranche_effectifs")), line, errors, "tranche_effectifs")
    commune = normalise_commune_code(clean(row.get("code_commune")))
    if not commune:
        errors.append(RowError(line, "code_commune", "code commune manquant"))
    elif commune not in commune_codes:
        errors.append(RowError(line, "code_commune", f"la commune {commune} n'est pas dans le territoire"))
    latitude = longitude = None
    lat_text, lon_text = clean(row.get("latitude")), clean(row.get("longitude"))
    if lat_text or lon_text:
        try:
            latitude, longitude = parse_decimal(lat_text), parse_decimal(lon_text)
        except ValueError:
            errors.append(RowError(line, "latitude", f"coordonnées illisibles ({lat_text!r}, {lon_text!r})"))
        else:
            if not in_france(longitude, latitude):
                errors.append(
                    RowError(
                        line, "latitude", f"point ({lat_text}, {lon_text}) hors de la France métropolitaine"
                    )
                )
    address = clean(row.get("adresse"))
    if errors:
        return None
    return ParsedEstablishment(
        line=line,
        siret=siret,
        name=name,
        naf_code=naf,
        headcount_band=band,
        commune_code=commune,
        latitude=latitude,
        longitude=longitude,
        address=address[:300],
    )


def example_row(commune_code: str, latitude: float | None, longitude: float | None) -> list[str]:
    return [
        "12345678200010",  # fictitious, with a valid key
        "Laiterie exemple (à remplacer)",
        "10.51A",
        "12",
        commune_code,
        "1 rue de l'Exemple",
        f"{latitude:.5f}" if latitude is not None else "",
        f"{longitude:.5f}" if longitude is not None else "",
    ]


def territory_example(territory) -> list[str]:
    """The template's example row for ``territory``: its most populous commune and that commune's
    reference point (no commune loaded: an empty commune and no point)."""
    commune = territory.epci.communes.order_by("-population", "insee_code").first()
    if commune is None:
        return example_row("", None, None)
    return example_row(commune.insee_code, commune.centroid_lat, commune.centroid_lon)


def template_csv(example: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_row(COLUMNS))
    writer.writerow(csv_row(example))
    # The BOM makes spreadsheet software open the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(example: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "etablissements"
    sheet.append(xlsx_row(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(xlsx_row(example))
    for cell in sheet[2]:
        cell.number_format = "@"  # text: keeps the leading zeros of SIRETs and commune codes
    for column, width in zip("ABCDEFGH", (17, 34, 10, 18, 14, 30, 11, 11), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
