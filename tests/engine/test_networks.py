"""Heat networks as receivers of waste heat, reached at the nearest point of their trace."""

import math

import pytest

from tremplin.engine import Establishment, Flow, HeatNetwork, InputError, detect
from tremplin.engine.networks import DEFAULT_RECOVERED_SHARE, trace_distance_km

# A straight trace, west to east along the parallel 49.5° N, about 5 km long.
WEST, EAST = (0.10, 49.50), (0.17, 49.50)
NETWORK = HeatNetwork("net", "Réseau du Port", ((WEST, EAST),), 40_000, operator="Régie du Port")
KM_PER_DEGREE_LAT = 111.2  # near 49.5° N, metres of a degree of latitude divided by 1000 (WGS84 ellipsoid)


def test_the_distance_is_to_the_nearest_point_of_the_trace_not_to_its_centre():
    # 1 km north of the trace's middle, and 1 km north of a point 2 km from the middle: both 1 km away,
    # although the second is sqrt(1 + 4) = 2.24 km from the centre of the trace.
    north = 1.0 / KM_PER_DEGREE_LAT
    middle_lon = (WEST[0] + EAST[0]) / 2
    two_km_east = middle_lon + 2.0 / (111.32 * math.cos(math.radians(49.5)))
    assert trace_distance_km(NETWORK, 49.5 + north, middle_lon) == pytest.approx(1.0, abs=0.01)
    assert trace_distance_km(NETWORK, 49.5 + north, two_km_east) == pytest.approx(1.0, abs=0.01)


def test_beyond_an_end_of_the_trace_the_distance_is_to_that_end():
    # 3 km east of the eastern end, on the same parallel.
    east = EAST[0] + 3.0 / (111.32 * math.cos(math.radians(49.5)))
    assert trace_distance_km(NETWORK, 49.5, east) == pytest.approx(3.0, abs=0.02)


def test_a_supplier_1_km_from_a_5_km_trace_is_1_km_away_although_both_ends_are_farther():
    # The supplier faces the middle of the trace, whose ends are each about 2.6 km away as the crow flies:
    # the distance used is 1 km, not the distance to the ends nor to a point placed anywhere else.
    north = 1.0 / KM_PER_DEGREE_LAT
    lat, lon = 49.5 + north, (WEST[0] + EAST[0]) / 2
    sites = [Establishment("foundry", "Fonderie", "24.51Z", lat, lon, 120)]
    flows = [Flow("foundry", "out", "wh_hot_water", 20_000, "MWh")]
    result = detect(sites, flows, heat_networks=[NETWORK])
    leads = [o for o in result.opportunities if o.target_id == "net"]
    assert leads, "the foundry's waste heat should go to the network"
    lead = leads[0]
    assert lead.great_circle_km == pytest.approx(1.0, abs=0.01)
    assert lead.distance_km == pytest.approx(1.0 * 1.3, abs=0.02)  # times the default detour factor
    assert lead.explanation.startswith(
        "Réseau de chaleur : à 1,0 km du tracé du réseau « Réseau du Port », exploité par Régie du Port"
    )
    assert "tracé du réseau de chaleur" in lead.distance_method
    assert any("50 % de ses livraisons de 40 000 MWh/an" in a for a in lead.assumptions)
    assert lead.confidence == "estimated"


def test_the_network_need_is_its_deliveries_times_the_recovered_share():
    sites = [Establishment("foundry", "Fonderie", "24.51Z", 49.505, 0.13, 120)]
    flows = [Flow("foundry", "out", "wh_hot_water", 500_000, "MWh")]
    result = detect(sites, flows, heat_networks=[NETWORK])
    need = [f for f in result.flows if f.company_id == "net"]
    assert [(f.direction, f.resource, f.quantity) for f in need] == [
        ("in", "heat_medium", 40_000 * DEFAULT_RECOVERED_SHARE)
    ]
    lead = next(o for o in result.opportunities if o.target_id == "net")
    # The supply is larger than the need: 20 000 MWh of hot water replaced, at 0.85 MWh of network heat
    # per MWh of waste heat (the rule's exchanger ratio), take 20 000 / 0.85 = 23 529 MWh of waste heat.
    assert lead.factors["ratio"] == 0.85
    assert lead.quantity == pytest.approx(20_000 / 0.85, rel=1e-9)


def test_a_supplier_far_from_the_trace_gets_no_lead_to_the_network():
    # 40 km north: beyond the 26 km ceiling of a hot-water pipe (about 52 km of road).
    sites = [Establishment("far", "Usine lointaine", "24.51Z", 49.5 + 40 / KM_PER_DEGREE_LAT, 0.135, 120)]
    flows = [Flow("far", "out", "wh_hot_water", 20_000, "MWh")]
    result = detect(sites, flows, heat_networks=[NETWORK])
    assert [o for o in result.opportunities if o.target_id == "net"] == []


def test_the_trace_matters_not_the_site_point_of_the_network():
    # A long trace: 30 km west to east. A supplier 2 km from its western end is 2 km away, although the
    # middle of the trace (where the network's site is placed) is about 15 km away.
    west, east = (0.0, 49.5), (0.0 + 30 / (111.32 * math.cos(math.radians(49.5))), 49.5)
    network = HeatNetwork("long", "Grand réseau", ((west, east),), 100_000)
    sites = [Establishment("s", "Incinérateur", "38.21Z", 49.5 + 2 / KM_PER_DEGREE_LAT, 0.0, 40)]
    flows = [Flow("s", "out", "wh_hot_water", 30_000, "MWh")]
    lead = next(
        o for o in detect(sites, flows, heat_networks=[network]).opportunities if o.target_id == "long"
    )
    assert lead.great_circle_km == pytest.approx(2.0, abs=0.02)


def test_without_networks_the_detection_is_unchanged():
    sites = [
        Establishment("a", "Brasserie", "11.05Z", 49.00, 0.10, 40),
        Establishment("b", "Élevage", "01.41Z", 49.05, 0.12, 3),
    ]
    plain = detect(sites)
    again = detect(sites, heat_networks=[])
    assert [o.as_dict() for o in plain.opportunities] == [o.as_dict() for o in again.opportunities]


def test_a_network_record_given_as_an_establishment_is_replaced_by_the_network():
    # The platform keeps an establishment record for each network; the engine takes the network instead
    # (no sector profile estimated for it, its need from the deliveries).
    sites = [
        Establishment("net", "Réseau du Port", "35.30Z", 49.5, 0.135, 70),
        Establishment("foundry", "Fonderie", "24.51Z", 49.505, 0.13, 120),
    ]
    result = detect(sites, [Flow("foundry", "out", "wh_hot_water", 1_000, "MWh")], heat_networks=[NETWORK])
    assert {(f.direction, f.resource) for f in result.flows if f.company_id == "net"} == {
        ("in", "heat_medium")
    }


def test_a_network_without_deliveries_is_refused():
    with pytest.raises(InputError):
        detect([], heat_networks=[HeatNetwork("x", "Sans livraisons", ((WEST, EAST),), 0)])
