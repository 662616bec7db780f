"""Reader of the SIRENE establishment register in INSEE's official CSV layout (« StockEtablissement »
and the extracts of the SIRENE API / annuaire-entreprises, same column names).

Columns read (others are ignored, so a whole national file can be given):

=============================================  ====================================================
``siret``                                      required; 14 digits with a valid key
``etatAdministratifEtablissement``             required; ``A`` active, ``F`` closed (skipped)
``codeCommuneEtablissement``                   required; communes outside the territory are skipped
``activitePrincipaleEtablissement``            required; NAF rév. 2 (``10.71C``) or NAF 2025 (``10.71H``)
``activitePrincipaleNAF25Etablissement``       optional; NAF 2025, e.g. ``10.71H`` (see below)
``trancheEffectifsEtablissement``              required column; empty or ``NN`` when unknown
``coordonneeLambertAbscisseEtablissement``     Lambert-93 (EPSG:2154) metres; empty or ``[ND]``:
``coordonneeLambertOrdonneeEtablissement``     the establishment is placed at a point of its commune
``denominationUsuelleEtablissement``           name, else
``enseigne1Etablissement``                     the sign, else
``denominationUniteLegale``                    the company's name (joined files), else « Établissement SIRET »
``nomenclatureActivitePrincipaleEtablissement`` when present, ``NAFRev2`` or ``NAF2025`` for kept rows
address columns (``numeroVoieEtablissement``…) composed into the address when present
``dateDernierTraitementEtablissement``         optional; the latest one (of any row) dates the extract
=============================================  ====================================================

Activity code: from 1 January 2027 SIRENE assigns NAF 2025 codes (décret n° 2025-736). A row whose
``activitePrincipaleNAF25Etablissement`` is filled is read in NAF 2025 from that column, which wins over
``activitePrincipaleEtablissement``: NAF 2025 is the nomenclature in force, and the engine reaches its
profiles through INSEE's correspondence table. Otherwise ``activitePrincipaleEtablissement`` is read in the
nomenclature ``nomenclatureActivitePrincipaleEtablissement`` names (told from the code when the column is
absent or empty). The code is kept as given, with its nomenclature.

The identifier and the state are checked on every row; the rest only on rows that are kept (active, in
the territory), because closed establishments of a national file carry codes of older nomenclatures.
No column read of a kept row may hold a control character.
"""

from __future__ import annotations

from tremplin.establishments.importers.base import (
    COMMUNE_CODE,
    ParsedEstablishment,
    ParseResult,
    Progress,
    RowError,
    check_band,
    check_siret,
    check_text,
    clean,
    csv_encoding,
    in_france,
    lambert93_to_wgs84,
    parse_decimal,
    read_csv,
)
from tremplin.establishments.importers.limits import ImportLimits
from tremplin.establishments.sirene_columns import (
    ADDRESS_COLUMNS,
    COLUMNS_READ,
    ISO_DATE,
    NAME_COLUMNS,
    PROCESSED,
    REQUIRED,
    X,
    Y,
    check_activity,
)


def read_sirene(
    stream, commune_codes: set[str], limits: ImportLimits | None = None, progress: Progress | None = None
) -> ParseResult:
    """Read a SIRENE CSV (binary stream) and keep the active establishments of ``commune_codes``."""
    limits = limits or ImportLimits()
    result = ParseResult.within(limits)
    result.encoding = csv_encoding(stream)
    for line, row in read_csv(stream, REQUIRED, limits, progress, encoding=result.encoding):
        result.rows += 1
        if "__width__" in row:
            result.errors.append(RowError(line, "", f"ligne mal formée ({row['__width__']})"))
            continue
        processed = (row.get(PROCESSED) or "")[:10]
        if processed > result.latest_processing and ISO_DATE.fullmatch(processed):
            result.latest_processing = processed
        errors: list[RowError] = []
        siret = check_siret(row["siret"], line, errors)
        state = clean(row["etatAdministratifEtablissement"]).upper()
        if state not in {"A", "F"}:
            errors.append(
                RowError(line, "etatAdministratifEtablissement", f"état inconnu {state!r} (attendu A ou F)")
            )
        commune = clean(row["codeCommuneEtablissement"]).upper()
        if commune and not COMMUNE_CODE.fullmatch(commune):
            errors.append(RowError(line, "codeCommuneEtablissement", f"code commune mal formé ({commune!r})"))
        if errors:
            result.errors.extend(errors)
            continue
        if state == "F":
            result.skipped_inactive += 1
            continue
        if commune not in commune_codes:  # empty for establishments abroad
            result.skipped_outside += 1
            continue
        record = _read_kept_row(line, siret, commune, row, errors)
        if errors:
            result.errors.extend(errors)
        else:
            result.records.append(record)
    return result


def _read_kept_row(line, siret, commune, row, errors) -> ParsedEstablishment | None:
    check_text(row, COLUMNS_READ, line, errors)
    naf = check_activity(row, line, errors)
    band = check_band(
        clean(row["trancheEffectifsEtablissement"]), line, errors, "trancheEffectifsEtablissement"
    )
    longitude = latitude = None
    x_text, y_text = clean(row.get(X)), clean(row.get(Y))
    if x_text and y_text:
        try:
            x, y = parse_decimal(x_text), parse_decimal(y_text)
        except ValueError:
            errors.append(RowError(line, X, f"coordonnées Lambert-93 illisibles ({x_text!r}, {y_text!r})"))
        else:
            longitude, latitude = lambert93_to_wgs84(x, y)
            if not in_france(longitude, latitude):
                errors.append(
                    RowError(
                        line,
                        X,
                        f"coordonnées Lambert-93 ({x_text}, {y_text}) hors de la France métropolitaine",
                    )
                )
    elif x_text or y_text:
        errors.append(RowError(line, X if not x_text else Y, "une seule des deux coordonnées est renseignée"))
    if errors:
        return None
    name = next((clean(row.get(column)) for column in NAME_COLUMNS if clean(row.get(column))), "")
    name = name or f"Établissement {siret}"
    address = " ".join(part for part in (clean(row.get(column)) for column in ADDRESS_COLUMNS) if part)
    return ParsedEstablishment(
        line=line,
        siret=siret,
        name=name[:200],
        naf_code=naf,
        headcount_band=band,
        commune_code=commune,
        latitude=latitude,
        longitude=longitude,
        address=address[:300],
    )
