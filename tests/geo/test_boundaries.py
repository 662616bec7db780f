"""The distance from a point to a boundary, checked against distances computed independently: pyproj's
geodesic on the WGS84 ellipsoid, and a haversine on the sphere written out here."""

import math

import pytest
import shapely
from pyproj import Geod

from tremplin.geo.boundaries import TOLERANCE_M, Outline, PointCheck, check_point

# A square of 0.1° by 0.1° (about 7.3 km by 11.1 km at 49° N).
SQUARE = shapely.to_geojson(shapely.box(0.0, 49.0, 0.1, 49.1))
GEOD = Geod(ellps="WGS84")


def haversine_m(lat1, lon1, lat2, lon2, radius=6_371_008.8):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def test_a_point_inside_is_inside_at_no_distance():
    assert check_point(SQUARE, 49.05, 0.05) == PointCheck(True, 0.0)


def test_a_point_east_of_the_square_is_outside_by_its_geodesic_distance_to_the_east_edge():
    check = check_point(SQUARE, 49.05, 0.15)
    # The nearest point of the square is on its east edge (longitude 0.1), at the same latitude.
    _az, _back, geodesic = GEOD.inv(0.15, 49.05, 0.1, 49.05)
    assert check.inside is False
    assert check.distance_m == pytest.approx(geodesic, abs=2.0)  # 3,656 m
    assert check.distance_m == pytest.approx(haversine_m(49.05, 0.15, 49.05, 0.1), rel=0.005)
    assert check.distance_text() == "3,7 km"


def test_a_point_south_of_the_square_is_outside_by_its_distance_along_the_meridian():
    check = check_point(SQUARE, 48.98, 0.05)
    _az, _back, geodesic = GEOD.inv(0.05, 48.98, 0.05, 49.0)
    assert check.distance_m == pytest.approx(geodesic, abs=2.0)  # 2,224 m
    assert check.distance_m == pytest.approx(haversine_m(48.98, 0.05, 49.0, 0.05), rel=0.005)


def test_a_point_beyond_a_corner_is_measured_to_the_corner():
    check = check_point(SQUARE, 49.12, 0.13)
    _az, _back, geodesic = GEOD.inv(0.13, 49.12, 0.1, 49.1)
    assert check.distance_m == pytest.approx(geodesic, abs=2.0)


def test_a_point_just_outside_the_simplified_outline_counts_as_inside():
    # 0.0005° of longitude at 49° N is about 37 m: within the tolerance for simplified boundaries.
    check = Outline.from_geojson(SQUARE).check(49.05, 0.1005)
    assert check.inside is True and 0 < check.distance_m < TOLERANCE_M
    assert check.distance_text() == f"{round(check.distance_m)} m"


def test_no_boundary_means_not_checked():
    check = check_point("", 49.05, 0.15)
    assert check.inside is None and not check.checked
