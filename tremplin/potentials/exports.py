"""The table of a release as the page shows it (filters and order), as CSV or XLSX.

Headers in French whatever the interface language, as the platform's other exports: the files are
shared with partners. Each row carries its basis and the release's source sentence and date, so that a
copied row still says where its figures come from. The workbook adds the figures by family of the
EPCIs exported and a "Source" sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from tremplin.potentials.models import FamilyPotential, PotentialRelease
from tremplin.spreadsheets import csv_row, xlsx_row
from tremplin.xlsx_stream import stream_workbook

__all__ = ["BASIS_SENTENCE", "COLUMNS", "csv_export", "workbook_stream"]

COLUMNS = (
    "SIREN",
    "EPCI",
    "Département",
    "Région",
    "Établissements",
    "Effectif salarié",
    "Pistes",
    "Pistes de substitution",
    "Pistes de mutualisation",
    "Pistes pour 100 établissements",
    "Tonnes par an",
    "t CO2e évitées par an",
    "Gain (€ par an)",
    "Score (k€ par an)",
    "Base",
    "Source",
    "Calculé le (UTC)",
    "Base de connaissances",
)
FAMILY_COLUMNS = (
    "SIREN",
    "EPCI",
    "Famille de ressources",
    "Pistes",
    "Tonnes par an",
    "t CO2e évitées par an",
    "Gain (€ par an)",
)
BASIS_SENTENCE = (
    "estimé, à partir du profil sectoriel des établissements SIRENE (code d'activité NAF et tranche "
    "d'effectif), par le moteur Tremplin en mode déductif : des pistes à vérifier, pas des synergies "
    "établies"
)
_BASES = {
    "estimated": "estimé",
    "register": "registre",
    "declared": "déclaré",
    "workshop": "atelier",
    "measured": "mesuré",
}


def _rows(rows, release: PotentialRelease) -> Iterator[list]:
    computed = release.computed_at.strftime("%Y-%m-%d %H:%M")
    for row in rows.select_related("epci").iterator(chunk_size=500):
        yield [
            row.epci.siren,
            row.name,
            row.department_code,
            row.region_code,
            row.establishments,
            row.employees,
            row.leads,
            row.substitution_leads,
            row.mutualisation_leads,
            None if row.leads_per_100 is None else round(row.leads_per_100, 2),
            row.tonnes_per_year,
            row.co2e_t_per_year,
            row.gain_eur_per_year,
            row.score,
            _BASES.get(row.basis, row.basis),
            row.source,
            computed,
            release.kb_version,
        ]


def csv_export(rows, release: PotentialRelease) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(COLUMNS))
    for values in _rows(rows, release):
        writer.writerow(csv_row(values))
    return out.getvalue()


def _family_rows(rows) -> Iterator[list]:
    families = (
        FamilyPotential.objects.filter(row__in=rows.order_by().values("pk"))
        .select_related("row__epci")
        .order_by("row__name", "row__pk", "-gain_eur_per_year", "family")
    )
    for family in families.iterator(chunk_size=1000):
        yield [
            family.row.epci.siren,
            family.row.name,
            family.family,
            family.leads,
            family.tonnes_per_year,
            family.co2e_t_per_year,
            family.gain_eur_per_year,
        ]


def _source_rows(release: PotentialRelease) -> Iterator[list]:
    yield ["Élément", "Valeur"]
    yield ["Source", release.source or "la phrase de chaque ligne (colonne Source de la feuille Potentiel)"]
    yield ["Calculé le (UTC)", release.computed_at.strftime("%Y-%m-%d %H:%M")]
    yield ["Base de connaissances", release.kb_version]
    yield ["Base des chiffres", BASIS_SENTENCE]
    yield ["Fichier chargé", release.file_name]
    if release.family_file_name:
        yield ["Fichier par famille", release.family_file_name]
    yield ["Chargé le (UTC)", release.loaded_at.strftime("%Y-%m-%d %H:%M")]
    yield [
        "Données sources",
        "INSEE, base SIRENE des entreprises et de leurs établissements, Licence Ouverte 2.0 (data.gouv.fr)",
    ]


def workbook_stream(rows, release: PotentialRelease) -> Iterator[bytes]:
    def sheet(header, body):
        yield xlsx_row(header)
        for values in body:
            yield xlsx_row(values)

    return stream_workbook(
        [
            ("Potentiel", sheet(COLUMNS, _rows(rows, release))),
            ("Par famille", sheet(FAMILY_COLUMNS, _family_rows(rows))),
            ("Source", (xlsx_row(values) for values in _source_rows(release))),
        ]
    )
