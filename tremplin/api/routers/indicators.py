"""Indicators: a territory's (``/territories/{id}/indicators``) and the programme roll-up
(``/indicators/programme``), the same figures as the interface's pages (:mod:`tremplin.indicators`).

Each figure comes in three values that are never added together, each with its basis and source:
potential (estimated), operational (estimated) and operational (measured). The territory's own team
reads its figures as they are; the programme team, only the figures enough companies stand behind
(:mod:`tremplin.indicators.secrecy`): a withheld value is null with ``secret`` true, and a programme
total that would give a withheld value away by subtraction is withheld too.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tremplin.accounts.scoping import scope_for
from tremplin.api.access import visible_or_404
from tremplin.api.errors import ERRORS
from tremplin.engine import default_knowledge_base
from tremplin.indicators.compute import FIGURES, programme_indicators, territory_indicators, withhold
from tremplin.indicators.secrecy import VARIANTS, minimum_companies
from tremplin.programme.models import Call
from tremplin.synergies.enums import Status, SynergyKind
from tremplin.territories.models import Territory

router = Router(tags=["indicators"])

FigureKey = Literal[tuple(key for _family, key, _e, _m in FIGURES)]  # type: ignore[valid-type]
FigureFamily = Literal["environment", "economy", "social"]


class ValueOut(Schema):
    value: float | None = Field(description="Null when withheld (secret).")
    secret: bool = Field(description="Withheld: fewer companies than the minimum stand behind it.")
    companies: int = Field(description="Distinct companies (SIREN) contributing a non-zero value.")
    basis: Literal["estimated", "measured"]
    source: str


class FigureOut(Schema):
    key: FigureKey
    family: FigureFamily
    label: str
    unit: str
    potential_estimated: ValueOut = Field(description="Every synergy not abandoned, a gisement counted once.")
    operational_estimated: ValueOut = Field(
        description="Synergies operational or monitored with every participant's consent."
    )
    operational_measured: ValueOut = Field(description="The same synergies, their latest measured year.")
    measured_synergies: int


class MobilisationOut(Schema):
    establishments: int
    met: int
    engaged: int
    source: str


class FlowCountsOut(Schema):
    declared: int = Field(description="Flows declared by companies.")
    workshop: int = Field(description="Flows stated in workshops.")
    public_register: int = Field(description="Flows read from public registers (IREP).")
    estimated: int = Field(description="Flows the engine estimates, for which no known flow replaces them.")
    source: str


class PipelineOut(Schema):
    leads_pending: int = Field(description="Leads of the latest detection run waiting for review.")
    synergies: int = Field(description="Synergies ever accepted into the pipeline.")
    by_status: dict[Literal[tuple(Status.values)], int]  # type: ignore[valid-type]
    by_kind: dict[Literal[tuple(SynergyKind.values)], int]  # type: ignore[valid-type]
    operational: int
    operational_consented: int
    operational_unconsented: int
    conversion_rate: float | None = Field(
        description="(operational + monitored) ÷ every synergy ever accepted; null without synergy."
    )
    definition: str


class TerritoryRef(Schema):
    id: int
    siren: str
    name: str


class TerritoryIndicatorsOut(Schema):
    territory: TerritoryRef
    withheld: bool = Field(
        description="Seen from outside the territory: figures of too few companies secret."
    )
    minimum_companies: int
    mobilisation: MobilisationOut
    flows: FlowCountsOut
    pipeline: PipelineOut
    figures: list[FigureOut]


class ProgrammeTerritoryOut(Schema):
    territory: TerritoryRef
    pipeline: PipelineOut
    figures: list[FigureOut]


class TotalsOut(Schema):
    mobilisation: MobilisationOut
    flows: FlowCountsOut
    pipeline: PipelineOut
    figures: list[FigureOut]


class EditionRef(Schema):
    id: int
    title: str


class ProgrammeIndicatorsOut(Schema):
    edition: EditionRef | None = Field(description="The edition chosen; null: every edition.")
    minimum_companies: int
    territories: list[ProgrammeTerritoryOut]
    totals: TotalsOut | None = Field(description="Null when there is no territory.")


class ProgrammeFilters(Schema):
    edition: int | None = Field(None, description="A call (edition): its selected territories only.")


def _labels() -> dict:
    return {
        "tonnes_diverted_per_year": (_("Tonnes diverted from disposal"), _("t/year")),
        "co2_avoided_t_per_year": (_("CO2e avoided"), _("t CO2e/year")),
        "eur_saved_per_year": (_("Money saved"), _("€/year")),
        "eur_earned_per_year": (_("Money earned from by-products"), _("€/year")),
        "jobs_fte": (_("Jobs created or kept"), _("FTE")),
    }


def _sources(indicators: dict | None = None) -> dict:
    sources = (indicators or {}).get("sources", {})
    return {
        "estimated": sources.get("estimated")
        or _("estimated at detection (Tremplin engine, knowledge base %(version)s)")
        % {"version": default_knowledge_base().version},
        "measured": sources.get("measured")
        or _("measured after implementation, entered by the territory team"),
    }


def _figures(families: dict, sources: dict) -> list[dict]:
    labels = _labels()
    rows = []
    for family, key, _estimate, _measured in FIGURES:
        figure = families[family][key]
        secret = figure.get("secret") or {}
        companies = figure.get("companies") or {}
        values = {}
        for variant in VARIANTS:
            basis = "measured" if variant == "operational_measured" else "estimated"
            values[variant] = {
                "value": figure[variant],
                "secret": bool(secret.get(variant)),
                "companies": companies.get(variant, 0),
                "basis": basis,
                "source": sources[basis],
            }
        label, unit = labels[key]
        rows.append(
            {
                "key": key,
                "family": family,
                "label": label,
                "unit": unit,
                **values,
                "measured_synergies": figure["measured_synergies"],
            }
        )
    return rows


def _pipeline(pipeline: dict) -> dict:
    return {
        **pipeline,
        "definition": _(
            "Conversion rate: synergies operational or monitored, divided by every synergy ever accepted "
            "into the pipeline (paused and abandoned ones included)."
        ),
    }


def _mobilisation(mobilisation: dict) -> dict:
    return {**mobilisation, "source": _("the establishments' engagement recorded by the territory team")}


def _flows(flows: dict) -> dict:
    return {
        "declared": flows.get("declared") or 0,
        "workshop": flows.get("workshop") or 0,
        "public_register": flows.get("register") or 0,
        "estimated": flows.get("estimated") or 0,
        "source": _(
            "Estimated: flows the engine estimates from the activity code and headcount, for which no flow "
            "of that resource is known."
        ),
    }


def _ref(territory: dict) -> dict:
    return {"id": territory["id"], "siren": territory["siren"], "name": territory["name"]}


@router.get(
    "/territories/{territory_id}/indicators",
    response={200: TerritoryIndicatorsOut, **ERRORS},
    summary="Indicators of a territory",
    description=(
        "For the territory's team (its figures as they are) and the programme team (figures of fewer "
        "than the minimum of companies withheld). Same figures as the territory's indicators page and "
        "`tremplin indicators --territory SIREN --json`."
    ),
)
def territory(request, territory_id: int):
    found = visible_or_404(Territory, request, pk=territory_id)
    scope = scope_for(request.user)
    if not (scope.is_programme_team or found.pk in scope.team_territory_ids):
        raise PermissionDenied
    indicators = territory_indicators(found)
    withheld = found.pk not in scope.team_territory_ids
    if withheld:
        indicators = withhold(indicators)
    return {
        "territory": _ref(indicators["territory"]),
        "withheld": withheld,
        "minimum_companies": minimum_companies(),
        "mobilisation": _mobilisation(indicators["mobilisation"]),
        "flows": _flows(indicators["flows"]),
        "pipeline": _pipeline(indicators["pipeline"]),
        "figures": _figures(indicators, _sources(indicators)),
    }


@router.get(
    "/indicators/programme",
    response={200: ProgrammeIndicatorsOut, **ERRORS},
    summary="The programme roll-up",
    description=(
        "For the programme team: sums over the territories (aggregates only), figures of too few "
        "companies withheld, and any total that would give one away. Same as the programme indicators "
        "page; `edition` limits it to the territories an edition selected."
    ),
)
def programme(request, filters: Query[ProgrammeFilters]):
    if not scope_for(request.user).is_programme_team:
        raise PermissionDenied
    edition = None
    territories = Territory.objects.visible_to(request.user).select_related("epci")
    if filters.edition is not None:
        edition = Call.objects.filter(pk=filters.edition).first()
        if edition is None:
            raise Http404
        territories = territories.filter(participations__call=edition).distinct()
    indicators = programme_indicators(territories.order_by("epci__name"))
    sources = _sources()
    totals = indicators["totals"]
    return {
        "edition": {"id": edition.pk, "title": edition.title} if edition else None,
        "minimum_companies": minimum_companies(),
        "territories": [
            {
                "territory": _ref(row),
                "pipeline": _pipeline(row["pipeline"]),
                "figures": _figures(row, sources),
            }
            for row in indicators["territories"]
        ],
        "totals": {
            "mobilisation": _mobilisation(totals["mobilisation"]),
            "flows": _flows(totals["flows"]),
            "pipeline": _pipeline(totals["pipeline"]),
            "figures": _figures(totals, sources),
        }
        if totals
        else None,
    }
