"""Where demonstration establishments stand: points drawn strictly inside the communes of a territory.

Every point is drawn by rejection sampling and kept only if it lies in the interior of a commune's
polygon after rounding to six decimals (about 10 cm), the precision it is stored with. Pure Python
(shapely for the geometry), driven by the caller's ``random.Random``.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import Point

from tremplin.demo.profiles import ActivityZone

__all__ = ["CommuneArea", "PlacementError", "Site", "TerritorySampler"]

KM_PER_DEGREE_LAT = 111.32
COORDINATE_DECIMALS = 6
_UNIFORM_ATTEMPTS = 20_000
_LOCAL_ATTEMPTS = 60


class PlacementError(Exception):
    """A commune or zone in which no point can be drawn (empty or degenerate geometry)."""


@dataclass(frozen=True)
class Site:
    commune: CommuneArea
    latitude: float
    longitude: float
    zone: ActivityZone | None = None


@dataclass(frozen=True, eq=False)
class CommuneArea:
    """A commune ready for sampling: its polygon (prepared), a point inside, its size."""

    insee_code: str
    name: str
    population: int
    geometry: Any  # shapely (Multi)Polygon, prepared
    point_lat: float
    point_lon: float
    area_km2: float

    @classmethod
    def from_geojson(
        cls,
        insee_code: str,
        name: str,
        population: int,
        geometry: str | Mapping[str, Any],
        point_lat: float,
        point_lon: float,
    ) -> CommuneArea:
        text = geometry if isinstance(geometry, str) else json.dumps(geometry)
        shape = shapely.make_valid(shapely.from_geojson(text))
        if shape.is_empty or shape.area == 0:
            raise PlacementError(f"commune {insee_code} has an empty geometry")
        shapely.prepare(shape)
        return cls(insee_code, name, population, shape, point_lat, point_lon, _area_km2(shape))

    def contains(self, longitude: float, latitude: float) -> bool:
        return bool(shapely.contains_xy(self.geometry, longitude, latitude))


def _km_per_degree_lon(latitude: float) -> float:
    return KM_PER_DEGREE_LAT * math.cos(math.radians(latitude))


def _area_km2(shape) -> float:
    """Area from degrees, scaled at the shape's latitude: enough to weigh communes against each other."""
    latitude = shape.centroid.y
    return shape.area * KM_PER_DEGREE_LAT * _km_per_degree_lon(latitude)


def _rounded(longitude: float, latitude: float) -> tuple[float, float]:
    return round(longitude, COORDINATE_DECIMALS), round(latitude, COORDINATE_DECIMALS)


def _zone_disc(zone: ActivityZone):
    circle = Point(zone.longitude, zone.latitude).buffer(1.0, quad_segs=32)
    return affinity.scale(
        circle, zone.radius_km / _km_per_degree_lon(zone.latitude), zone.radius_km / KM_PER_DEGREE_LAT
    )


class TerritorySampler:
    """Draws communes and points for one territory."""

    def __init__(self, communes: Sequence[CommuneArea], zones: Sequence[ActivityZone] = ()) -> None:
        if not communes:
            raise PlacementError("a territory needs at least one commune with a geometry")
        self.communes = tuple(communes)
        self.population_weights = [commune.population + 1 for commune in self.communes]
        # Farms go where land is and people are few: area, discounted by density.
        self.rural_weights = [
            commune.area_km2 / (1 + commune.population / max(commune.area_km2, 0.01) / 200)
            for commune in self.communes
        ]
        self.zones: list[ActivityZone] = []
        self.zone_communes: dict[ActivityZone, tuple[CommuneArea, ...]] = {}
        for zone in zones:
            self.add_zone(zone)

    def add_zone(self, zone: ActivityZone) -> None:
        disc = _zone_disc(zone)
        overlapping = tuple(c for c in self.communes if c.geometry.intersects(disc))
        if not overlapping:
            raise PlacementError(f"activity zone {zone.name!r} lies outside every commune of the territory")
        self.zones.append(zone)
        self.zone_communes[zone] = overlapping

    def commune_by_population(self, rng: random.Random) -> CommuneArea:
        return rng.choices(self.communes, weights=self.population_weights)[0]

    def commune_by_rurality(self, rng: random.Random) -> CommuneArea:
        return rng.choices(self.communes, weights=self.rural_weights)[0]

    def uniform_in(self, commune: CommuneArea, rng: random.Random) -> Site:
        west, south, east, north = commune.geometry.bounds
        for _attempt in range(_UNIFORM_ATTEMPTS):
            longitude, latitude = _rounded(rng.uniform(west, east), rng.uniform(south, north))
            if commune.contains(longitude, latitude):
                return Site(commune, latitude, longitude)
        raise PlacementError(f"could not draw a point inside commune {commune.insee_code}")

    def near_centre(self, commune: CommuneArea, rng: random.Random) -> Site:
        """A point around the commune's point: shops and restaurants line the main streets."""
        sigma_km = min(max(0.2 * math.sqrt(commune.area_km2), 0.15), 1.5)
        sigma_lat = sigma_km / KM_PER_DEGREE_LAT
        sigma_lon = sigma_km / _km_per_degree_lon(commune.point_lat)
        for _attempt in range(_LOCAL_ATTEMPTS):
            longitude, latitude = _rounded(
                rng.gauss(commune.point_lon, sigma_lon), rng.gauss(commune.point_lat, sigma_lat)
            )
            if commune.contains(longitude, latitude):
                return Site(commune, latitude, longitude)
        return self.uniform_in(commune, rng)

    def in_zone(self, zone: ActivityZone, rng: random.Random) -> Site | None:
        """A point of the zone's disc that falls inside one of the territory's communes, or None."""
        km_lon = _km_per_degree_lon(zone.latitude)
        for _attempt in range(_LOCAL_ATTEMPTS):
            distance = zone.radius_km * math.sqrt(rng.random())
            angle = rng.uniform(0, 2 * math.pi)
            longitude, latitude = _rounded(
                zone.longitude + distance * math.cos(angle) / km_lon,
                zone.latitude + distance * math.sin(angle) / KM_PER_DEGREE_LAT,
            )
            for commune in self.zone_communes[zone]:
                if commune.contains(longitude, latitude):
                    return Site(commune, latitude, longitude, zone)
        return None

    def point_away_from_centre(
        self, commune: CommuneArea, rng: random.Random, min_km: float, max_km: float
    ) -> tuple[float, float]:
        """A point inside the commune at some distance from its point (an edge-of-town business park)."""
        km_lon = _km_per_degree_lon(commune.point_lat)
        for _attempt in range(_LOCAL_ATTEMPTS):
            distance = rng.uniform(min_km, max_km)
            angle = rng.uniform(0, 2 * math.pi)
            longitude, latitude = _rounded(
                commune.point_lon + distance * math.cos(angle) / km_lon,
                commune.point_lat + distance * math.sin(angle) / KM_PER_DEGREE_LAT,
            )
            if commune.contains(longitude, latitude):
                return latitude, longitude
        return commune.point_lat, commune.point_lon
