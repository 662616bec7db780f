"""Map layers of a territory as GeoJSON (RFC 7946: WGS84 longitude, latitude; no ``crs`` member).

Two uses: the map page, which loads its establishments as one compact request (short property keys,
coordinates rounded to 5 decimals, about a metre), and the exports for QGIS, which carry every column
with readable names. Everything is read with ``values_list``: no model instance is built, so that a
territory of thousands of establishments answers quickly.

Confidentiality: these functions read a whole territory. Callers check first that the user is on the
territory's team (``tremplin/www/maps``), the only audience of company-level layers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache

from tremplin import engine
from tremplin.engine.headcount import headcount_band
from tremplin.engine.naf import UnknownNafCode, naf_label, naf_section, normalise_naf
from tremplin.establishments.models import Establishment
from tremplin.flows import catalogue
from tremplin.flows.models import Flow
from tremplin.synergies.models import Synergy, SynergyParticipant

__all__ = [
    "COORDINATE_DECIMALS",
    "LAYERS",
    "catalogue_entry",
    "communes_layer",
    "compact_json",
    "establishment_points",
    "establishments_layer",
    "flows_layer",
    "heat_networks_layer",
    "perimeter_layer",
    "section_of",
    "synergies_layer",
]

COORDINATE_DECIMALS = 5
LAYERS = ("perimeter", "communes", "establishments", "flows", "synergies")


def compact_json(data) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _collection(features, **members) -> dict:
    return {"type": "FeatureCollection", **members, "features": features}


def _point(longitude, latitude, decimals=COORDINATE_DECIMALS) -> list[float]:
    return [round(longitude, decimals), round(latitude, decimals)]


@cache
def catalogue_entry(code: str):
    """The catalogue's entry for a resource code, cached (the catalogue looks entries up one by one)."""
    return catalogue.catalogue_entry(code)


@cache
def section_of(naf_code: str) -> str:
    try:
        return naf_section(naf_code)
    except (UnknownNafCode, KeyError, ValueError):
        return ""


@cache
def _estimated_resources(naf_code: str, band: str) -> frozenset[str]:
    """Resources the engine's sector profile estimates for this activity and headcount band."""
    try:
        naf = normalise_naf(naf_code)
    except UnknownNafCode:
        return frozenset()
    headcount = float(headcount_band(band).representative)
    rows = engine.default_knowledge_base().profile_for(naf)
    return frozenset(row.resource for row in rows if row.quantity(headcount) > 0)


# --- The map page ----------------------------------------------------------------------------------


def establishment_points(
    territory, *, section: str = "", resource: str = "", include_estimated: bool = False
) -> dict:
    """The territory's establishments as compact point features, filtered.

    Properties: ``n`` name, ``s`` NAF section, ``e`` engagement, ``d`` 1 for demonstration data; with a
    resource filter, ``b`` says why the establishment matches: ``declared`` (a known flow of that
    resource, declared or stated in a workshop) or ``estimated`` (the sector profile of its activity
    and size estimates one; only with ``include_estimated``). The feature's ``id`` is the primary key.
    """
    establishments = Establishment.objects.filter(territory=territory)
    if section:
        establishments = establishments.in_naf_section(section)
    declared: set[int] = set()
    if resource:
        declared = set(
            Flow.objects.for_territory(territory)
            .known()
            .filter(resource=resource)
            .values_list("establishment_id", flat=True)
        )
    features = []
    for pk, name, naf, band, engagement, is_demo, lat, lon in establishments.order_by("pk").values_list(
        "pk", "name", "naf_code", "headcount_band", "engagement", "is_demo", "latitude", "longitude"
    ):
        properties = {"n": name, "s": section_of(naf), "e": engagement, "d": int(is_demo)}
        if resource:
            if pk in declared:
                properties["b"] = "declared"
            elif include_estimated and resource in _estimated_resources(naf, band):
                properties["b"] = "estimated"
            else:
                continue
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": _point(lon, lat)},
                "properties": properties,
            }
        )
    return _collection(features)


# --- Synergies -------------------------------------------------------------------------------------


def _centroid(points):
    return [
        round(sum(p[0] for p in points) / len(points), COORDINATE_DECIMALS),
        round(sum(p[1] for p in points) / len(points), COORDINATE_DECIMALS),
    ]


def synergy_geometry(kind: str, participants: list[dict]) -> dict | None:
    """A substitution is a line from the supplier to the receiver; a mutualisation a star: one spoke from
    the group's centroid to each member."""
    points = [p["point"] for p in participants]
    if not points:
        return None
    if kind == "substitution":
        sources = [p["point"] for p in participants if p["role"] == "source"]
        targets = [p["point"] for p in participants if p["role"] == "target"]
        if sources and targets:
            return {"type": "LineString", "coordinates": [sources[0], targets[0]]}
    if len(points) == 1:
        return {"type": "Point", "coordinates": points[0]}
    centre = _centroid(points)
    return {"type": "MultiLineString", "coordinates": [[centre, point] for point in points]}


def synergies_layer(territory, *, statuses: dict[int, str] | None = None) -> dict:
    """The territory's synergies as line features, with their status and estimated figures.

    ``statuses`` (synergy id → status) replaces the current statuses and limits the layer to those
    synergies: a report frozen at a date passes the statuses read from the history.
    """
    synergies = Synergy.objects.for_territory(territory)
    if statuses is not None:
        synergies = synergies.filter(pk__in=statuses)
    rows = list(
        synergies.order_by("pk").values(
            "pk",
            "kind",
            "status",
            "resource",
            "resource_label",
            "basis",
            "quantity",
            "unit",
            "distance_km",
            "gain_eur_per_year",
            "tonnes_diverted_per_year",
            "co2_avoided_t_per_year",
        )
    )
    participants = defaultdict(list)
    for synergy_id, role, establishment_id, name, lat, lon in (
        SynergyParticipant.objects.filter(synergy__in=[row["pk"] for row in rows])
        .order_by("synergy_id", "role", "id")
        .values_list(
            "synergy_id",
            "role",
            "establishment_id",
            "establishment__name",
            "establishment__latitude",
            "establishment__longitude",
        )
    ):
        participants[synergy_id].append(
            {"id": establishment_id, "name": name, "role": role, "point": _point(lon, lat)}
        )
    features = []
    for row in rows:
        members = participants[row["pk"]]
        geometry = synergy_geometry(row["kind"], members)
        if geometry is None:
            continue
        status = statuses[row["pk"]] if statuses is not None else row["status"]
        features.append(
            {
                "type": "Feature",
                "id": row["pk"],
                "geometry": geometry,
                "properties": {
                    "kind": row["kind"],
                    "status": status,
                    "resource": row["resource"],
                    "resource_label": row["resource_label"],
                    "basis": row["basis"],
                    "quantity": round(row["quantity"], 3),
                    "unit": row["unit"],
                    "distance_km": round(row["distance_km"], 2),
                    "gain_eur_per_year": round(row["gain_eur_per_year"]),
                    "tonnes_diverted_per_year": round(row["tonnes_diverted_per_year"], 3),
                    "co2_avoided_t_per_year": round(row["co2_avoided_t_per_year"], 3),
                    "participants": [{"id": p["id"], "name": p["name"], "role": p["role"]} for p in members],
                },
            }
        )
    return _collection(features)


# --- Exports for QGIS ------------------------------------------------------------------------------


def perimeter_layer(territory) -> dict:
    epci = territory.epci
    features = []
    if epci.boundary_geojson:
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(epci.boundary_geojson),
                "properties": {
                    "siren": epci.siren,
                    "name": epci.name,
                    "population": epci.population,
                    "communes": epci.commune_count,
                },
            }
        )
    return _collection(features)


def communes_layer(territory) -> dict:
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(geometry),
            "properties": {"insee_code": code, "name": name, "population": population},
        }
        for code, name, population, geometry in territory.epci.communes.order_by("insee_code").values_list(
            "insee_code", "name", "population", "geometry_geojson"
        )
        if geometry
    ]
    return _collection(features)


def establishments_layer(territory) -> dict:
    features = []
    for row in (
        Establishment.objects.filter(territory=territory)
        .order_by("pk")
        .values_list(
            "pk",
            "siret",
            "name",
            "naf_code",
            "headcount_band",
            "commune__insee_code",
            "commune__name",
            "location_precision",
            "origin",
            "engagement",
            "is_demo",
            "latitude",
            "longitude",
        )
    ):
        pk, siret, name, naf, band, insee, commune, precision, origin, engagement, demo, lat, lon = row
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": _point(lon, lat)},
                "properties": {
                    "id": pk,
                    "siret": siret,
                    "name": name,
                    "naf_code": naf,
                    "naf_label": naf_label(naf) if section_of(naf) else "",
                    "naf_section": section_of(naf),
                    "headcount_band": band,
                    "commune_insee": insee,
                    "commune": commune,
                    "location_precision": precision,
                    "origin": origin,
                    "engagement": engagement,
                    "demo": demo,
                },
            }
        )
    return _collection(features)


def flows_layer(territory) -> dict:
    """Known flows (declared or stated in a workshop) as points at their establishment. Estimated flows
    are not stored, hence not exported: the establishments layer and the sector profiles give them."""
    features = []
    for row in (
        Flow.objects.for_territory(territory)
        .known()
        .order_by("pk")
        .values_list(
            "pk",
            "establishment_id",
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
            "establishment__latitude",
            "establishment__longitude",
        )
        .iterator(chunk_size=5000)
    ):
        (
            pk,
            est_id,
            siret,
            name,
            direction,
            resource,
            quantity,
            unit,
            frequency,
            per_year,
            basis,
            conf,
            lat,
            lon,
        ) = row
        entry = catalogue_entry(resource)
        features.append(
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": _point(lon, lat)},
                "properties": {
                    "id": pk,
                    "establishment_id": est_id,
                    "siret": siret,
                    "establishment": name,
                    "direction": direction,
                    "resource": resource,
                    "resource_label": entry.label if entry else resource,
                    "quantity": float(quantity),
                    "unit": unit,
                    "frequency": frequency,
                    "quantity_per_year": per_year,
                    "unit_per_year": entry.unit if entry else "",
                    "basis": basis,
                    "confidential": conf,
                },
            }
        )
    return _collection(features)


def heat_networks_layer(territory) -> dict:
    """The traces of the territory's heat networks (a network without a published trace: its position),
    each feature's ``id`` the establishment record standing for the network."""
    from tremplin.heatnetworks.models import HeatNetwork

    features = [
        {
            "type": "Feature",
            "id": network.establishment_id,
            "geometry": json.loads(network.trace_geojson),
            "properties": {
                "layer": "heat_network",
                "identifier": network.identifier,
                "name": network.name,
                "operator": network.operator,
                "deliveries_mwh": network.deliveries_mwh,
                "renewable_share": network.renewable_share,
                "has_trace": network.has_trace,
                "source": f"France Chaleur Urbaine ({network.source_file}, {network.source_date:%d/%m/%Y})",
            },
        }
        for network in HeatNetwork.objects.for_territory(territory).order_by("pk")
    ]
    return _collection(features)
