"""Lambert-93 (EPSG:2154) to WGS84, checked against IGN's own formulas, computed here independently."""

import math

import pytest

from tremplin.establishments.importers.base import in_france, lambert93_to_wgs84

# IGN, « Projection cartographique conique conforme de Lambert », NT/G 71 (algorithms ALG0004 and
# ALG0001), with the constants of Lambert-93 on the GRS80 ellipsoid. RGF93 and WGS84 agree within a few
# centimetres, so no datum shift is needed.
E = 0.0818191910428158
N = 0.7256077650532670
C = 11754255.426096
XS, YS = 700000.0, 12655612.049876
LON0 = math.radians(3.0)


def ign_inverse_lambert93(x: float, y: float) -> tuple[float, float]:
    r = math.hypot(x - XS, y - YS)
    gamma = math.atan((x - XS) / (YS - y))
    lon = LON0 + gamma / N
    isometric = -1 / N * math.log(abs(r / C))
    lat = 2 * math.atan(math.exp(isometric)) - math.pi / 2
    for _ in range(20):
        esin = E * math.sin(lat)
        lat = 2 * math.atan(((1 + esin) / (1 - esin)) ** (E / 2) * math.exp(isometric)) - math.pi / 2
    return math.degrees(lon), math.degrees(lat)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (490424, 6936565),  # Le Havre, hôtel de ville
        (526145, 6936618),  # Port-Jérôme-sur-Seine
        (700000, 6600000),  # the projection's origin
        (1050000, 6840000),  # Strasbourg area
    ],
)
def test_conversion_agrees_with_ign_formulas_within_a_metre(x, y):
    lon, lat = lambert93_to_wgs84(x, y)
    expected_lon, expected_lat = ign_inverse_lambert93(x, y)
    assert lon == pytest.approx(expected_lon, abs=1e-5)  # 1e-5 degree ≈ 1 m or less
    assert lat == pytest.approx(expected_lat, abs=1e-5)


def test_le_havre_town_hall_lands_on_le_havre():
    # The town hall (place de l'Hôtel de Ville) stands near 49.494 N, 0.108 E.
    lon, lat = lambert93_to_wgs84(490424, 6936565)
    assert lon == pytest.approx(0.1077, abs=0.001)
    assert lat == pytest.approx(49.4939, abs=0.001)


def test_a_point_far_outside_france_is_not_plausible():
    lon, lat = lambert93_to_wgs84(49.5, 0.5)  # latitude and longitude typed in the Lambert columns
    assert not in_france(lon, lat)
    assert in_france(*lambert93_to_wgs84(526145, 6936618))
