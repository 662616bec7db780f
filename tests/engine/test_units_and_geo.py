"""Unit conversions and distances, checked against values computed by hand."""

import math

import pytest

from tremplin.engine.exceptions import UnitError
from tremplin.engine.geo import EARTH_RADIUS_KM, NeighbourIndex, great_circle_km
from tremplin.engine.units import canonical_unit, convert


def test_mass_conversion_kg_to_tonnes():
    assert convert(2500, "kg", "t") == pytest.approx(2.5)


def test_volume_to_mass_uses_density():
    # 10 m3 of wood chips at 0.25 t/m3 = 2.5 t
    assert convert(10, "m3", "t", density=0.25) == pytest.approx(2.5)


def test_litres_to_tonnes_through_density():
    # 2 000 L = 2 m3; x 0.9 t/m3 = 1.8 t
    assert convert(2000, "L", "t", density=0.9) == pytest.approx(1.8)


def test_steam_tonnes_to_mwh_uses_energy_content():
    # 4 t of steam x 0.75 MWh/t = 3 MWh
    assert convert(4, "t", "MWh", mwh_per_t=0.75) == pytest.approx(3.0)


def test_energy_units():
    # 1 GJ = 1/3.6 MWh; 1 tep = 11.63 MWh
    assert convert(3.6, "GJ", "MWh") == pytest.approx(1.0)
    assert convert(1, "tep", "kWh") == pytest.approx(11630)


def test_incompatible_units_are_refused():
    with pytest.raises(UnitError):
        convert(1, "MWh", "t")


def test_unknown_unit_is_refused():
    with pytest.raises(UnitError):
        canonical_unit("barrels")


def test_one_degree_of_latitude_is_2_pi_r_over_360():
    # 2 x pi x 6371.0088 / 360 = 111.195 km
    assert great_circle_km(49.0, 0.0, 50.0, 0.0) == pytest.approx(
        2 * math.pi * EARTH_RADIUS_KM / 360, rel=1e-9
    )


def test_neighbour_index_respects_radius_and_orders_by_distance():
    index = NeighbourIndex([49.0, 49.05, 49.02, 49.5], [0.0, 0.0, 0.0, 0.0], keys=[0, 1, 2, 3])
    _, cols, km = index.query([49.0], [0.0], k=10, radius_km=10)
    # 49.5 is 55.6 km away: excluded; others by distance: 0 km, 2.22 km, 5.56 km
    assert cols.tolist() == [0, 2, 1]
    assert km.tolist() == pytest.approx([0.0, 2.2239, 5.5597], abs=1e-3)


def test_neighbour_index_breaks_ties_at_the_cut_by_key():
    index = NeighbourIndex([49.0] * 4, [0.0] * 4, keys=[30, 10, 40, 20])
    _, cols, _ = index.query([49.0], [0.0], k=2, radius_km=1)
    assert sorted(cols.tolist()) == [1, 3]  # keys 10 and 20
