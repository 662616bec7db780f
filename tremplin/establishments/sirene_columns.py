"""SIRENE's establishment columns (« StockEtablissement », INSEE's official CSV layout) and how the
activity code of a row is chosen: shared by the platform's SIRENE importer
(:mod:`tremplin.establishments.importers.sirene`, which documents every column) and the national
potential (:mod:`tremplin.national`), which reads the national file without Django. This module must never
import Django.
"""

from __future__ import annotations

import re

from tremplin.establishments.cells import RowError, check_naf, clean

REQUIRED = [
    "siret",
    "etatAdministratifEtablissement",
    "codeCommuneEtablissement",
    "activitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
]
X, Y = "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"
ADDRESS_COLUMNS = [
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
]
NAME_COLUMNS = ["denominationUsuelleEtablissement", "enseigne1Etablissement", "denominationUniteLegale"]
NOMENCLATURE = "nomenclatureActivitePrincipaleEtablissement"
NAF25 = "activitePrincipaleNAF25Etablissement"
PROCESSED = "dateDernierTraitementEtablissement"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Values of ``nomenclatureActivitePrincipaleEtablissement`` read, and the nomenclature they name.
NOMENCLATURES = {"NAFRev2": "rev2", "NAF2025": "2025"}
COLUMNS_READ = [*REQUIRED, X, Y, *NAME_COLUMNS, NOMENCLATURE, NAF25, *ADDRESS_COLUMNS]


def check_activity(row: dict, line: int, errors: list[RowError]) -> str | None:
    """The canonical NAF code of a SIRENE row: ``activitePrincipaleNAF25Etablissement`` (NAF 2025) when
    filled, else ``activitePrincipaleEtablissement`` in the nomenclature its column names (told from the
    code when the column is absent or empty); None, with the reason in ``errors``, when unreadable."""
    nomenclature = clean(row.get(NOMENCLATURE))
    naf25 = clean(row.get(NAF25))
    if naf25:
        naf = check_naf(naf25, line, errors, NAF25, "2025")
    elif nomenclature and nomenclature not in NOMENCLATURES:
        errors.append(
            RowError(
                line,
                NOMENCLATURE,
                f"nomenclature {nomenclature!r} non prise en charge (NAFRev2 ou NAF2025 attendue)",
            )
        )
        return None
    else:
        naf = check_naf(
            clean(row["activitePrincipaleEtablissement"]),
            line,
            errors,
            "activitePrincipaleEtablissement",
            NOMENCLATURES.get(nomenclature),
        )
    return naf
