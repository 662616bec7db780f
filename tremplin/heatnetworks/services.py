"""Operations on a territory's heat networks: the import of France Chaleur Urbaine's layer, and what the
detection engine is given of them.

The import keeps the networks whose trace crosses the territory or passes within ``margin_km`` of its
boundary. Each kept network gets (or keeps, on a re-import, by its national identifier) one establishment
record of kind "heat network": the receiving party of its leads and synergies. Networks already recorded
and absent from the file are kept (a file may cover one region only). All or nothing: a refused file
writes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Transformer

from tremplin import engine
from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.engine.networks import NETWORK_NAF, site_point
from tremplin.establishments.models import DataOrigin, Establishment, EstablishmentKind, LocationPrecision
from tremplin.geo.models import Commune
from tremplin.heatnetworks.geojson import HeatNetworkFileError, ParsedNetwork, read_heat_networks
from tremplin.heatnetworks.models import HeatNetwork

__all__ = [
    "DEFAULT_MARGIN_KM",
    "HeatNetworkImportError",
    "ImportSummary",
    "import_heat_networks",
    "network_inputs",
]

#: Networks farther than this from the territory's boundary are left out of an import.
DEFAULT_MARGIN_KM = 5.0
SOURCE = "France Chaleur Urbaine, tracés des réseaux de chaleur et de froid (Licence Ouverte 2.0)"
_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


class HeatNetworkImportError(Exception):
    """The import was refused; ``errors`` say why (each naming the feature and property at fault)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors[:3]))


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    outside: int
    identifiers: tuple[str, ...]


def _project(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(_TO_L93.transform(*xy.T)))


def _territory_area(territory):
    """The territory's area in Lambert-93: its EPCI's boundary, else its communes' (or their points)."""
    if territory.epci.boundary_geojson:
        return _project(shapely.from_geojson(territory.epci.boundary_geojson))
    communes = list(
        Commune.objects.filter(epci=territory.epci).only("geometry_geojson", "centroid_lat", "centroid_lon")
    )
    shapes = [shapely.from_geojson(c.geometry_geojson) for c in communes if c.geometry_geojson]
    if shapes:
        return _project(shapely.union_all(shapes))
    points = [shapely.Point(c.centroid_lon, c.centroid_lat) for c in communes if c.centroid_lat is not None]
    if not points:
        raise HeatNetworkImportError(
            [_("The territory has neither a boundary nor communes placed on the map.")]
        )
    return _project(shapely.MultiPoint(points).convex_hull)


def _engine_network(parsed: ParsedNetwork, key: str = "") -> engine.HeatNetwork:
    return engine.HeatNetwork(
        key or parsed.identifier,
        parsed.name,
        parsed.parts,
        parsed.deliveries_mwh or 0.0,
        operator=parsed.operator,
    )


def _commune_of(communes: list[Commune], lat: float, lon: float) -> Commune:
    """The territory's commune that holds the point, else the nearest by its reference point."""
    point = shapely.Point(lon, lat)
    for commune in communes:
        if commune.geometry_geojson and shapely.from_geojson(commune.geometry_geojson).covers(point):
            return commune
    placed = [c for c in communes if c.centroid_lat is not None]
    return min(placed, key=lambda c: (c.centroid_lat - lat) ** 2 + (c.centroid_lon - lon) ** 2)


@transaction.atomic
def import_heat_networks(
    territory,
    content: bytes,
    *,
    by,
    filename: str,
    source_date: date | None = None,
    margin_km: float = DEFAULT_MARGIN_KM,
) -> ImportSummary:
    """Read France Chaleur Urbaine's GeoJSON layer and record the territory's networks (see the module).

    ``by`` is the officer (None from the command line); only the territory's team may import.
    """
    if by is not None and territory.pk not in scope_for(by).editor_territory_ids:
        raise HeatNetworkImportError([_("Only the territory's team may import its heat networks.")])
    if not 0 <= margin_km <= 50:
        raise HeatNetworkImportError([_("The margin around the territory must be between 0 and 50 km.")])
    try:
        parsed = read_heat_networks(content)
    except HeatNetworkFileError as error:
        raise HeatNetworkImportError(error.errors) from None
    area = _territory_area(territory).buffer(margin_km * 1000.0)
    kept, outside = [], 0
    for network in parsed:
        trace = _project(shapely.from_geojson(json.dumps(network.geometry())))
        if trace.intersects(area):
            kept.append(network)
        else:
            outside += 1
    communes = list(Commune.objects.filter(epci=territory.epci))
    if kept and not any(c.centroid_lat is not None for c in communes):
        raise HeatNetworkImportError(
            [_("The territory's communes are not placed on the map: load the geography first.")]
        )
    existing = {
        n.identifier: n
        for n in HeatNetwork.objects.select_for_update()
        .filter(territory=territory)
        .select_related("establishment")
    }
    now = timezone.now()
    when = source_date or timezone.localdate()
    created = updated = 0
    for network in kept:
        lat, lon = site_point(_engine_network(network))
        commune = _commune_of(communes, lat, lon)
        record = existing.get(network.identifier)
        if record is None:
            establishment = Establishment(
                territory=territory, kind=EstablishmentKind.HEAT_NETWORK, siret=None
            )
        else:
            establishment = record.establishment
            establishment.version += 1
        establishment.name = network.name[:200]
        establishment.naf_code = NETWORK_NAF
        establishment.headcount_band = "00"
        establishment.commune = commune
        establishment.latitude, establishment.longitude = lat, lon
        establishment.location_precision = LocationPrecision.ADDRESS
        establishment.origin = DataOrigin.HEAT_NETWORKS
        establishment.imported_at = now
        establishment.full_clean()
        establishment.save()
        values = {
            "name": network.name[:200],
            "operator": network.operator[:200],
            "deliveries_mwh": network.deliveries_mwh,
            "renewable_share": network.renewable_share,
            "has_trace": network.has_trace,
            "trace_geojson": json.dumps(network.geometry(), separators=(",", ":")),
            "source_file": filename[:255],
            "source_date": when,
            "imported_at": now,
        }
        if record is None:
            HeatNetwork.objects.create(
                territory=territory, establishment=establishment, identifier=network.identifier, **values
            )
            created += 1
        else:
            for name, value in values.items():
                setattr(record, name, value)
            record.save()
            updated += 1
    identifiers = tuple(n.identifier for n in kept)
    log_action(
        by,
        "heatnetwork.imported",
        territory,
        territory=territory,
        filename=filename,
        created=created,
        updated=updated,
        outside=outside,
        identifiers=list(identifiers),
    )
    return ImportSummary(created, updated, outside, identifiers)


def network_inputs(territory) -> list[engine.HeatNetwork]:
    """The territory's networks with known deliveries, as the engine takes them: each network's id is its
    establishment record's primary key (the receiving party of its leads)."""
    result = []
    for network in HeatNetwork.objects.for_territory(territory).filter(deliveries_mwh__gt=0).order_by("pk"):
        geometry = json.loads(network.trace_geojson)
        if geometry["type"] == "MultiLineString":
            parts = [[tuple(p) for p in part] for part in geometry["coordinates"]]
        else:
            parts = [[tuple(p)] for p in geometry["coordinates"]]
        result.append(
            engine.HeatNetwork(
                str(network.establishment_id),
                network.name,
                parts,
                network.deliveries_mwh,
                operator=network.operator,
                source=f"{SOURCE}, fichier {network.source_file} du {network.source_date:%d/%m/%Y}",
            )
        )
    return result
