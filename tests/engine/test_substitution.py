"""Substitution economics on small cases computed by hand."""

import pytest

from tremplin.engine import Establishment, Flow, Parameters, detect
from tremplin.engine.geo import EARTH_RADIUS_KM

# Two sites on the same meridian, 0.1 degree apart.
GC_KM = 0.1 * 3.141592653589793 * EARTH_RADIUS_KM / 180  # 11.1195 km
ROAD_KM = GC_KM * 1.3  # 14.4554 km with the default detour factor

SITES = [
    Establishment("power", "Centrale", "35.11Z", 49.0, 0.0, 0),
    Establishment("board", "Plâtrerie", "23.62Z", 49.1, 0.0, 0),
]
FLOWS = [
    Flow("power", "out", "gypsum_fgd", 100_000, "kg"),  # 100 t, declared in kg
    Flow("board", "in", "gypsum_natural", 500, "t"),
]
PARAMS = Parameters(estimate_missing_flows=False, min_gain_eur=0, mutualisation=False)


@pytest.fixture
def lead():
    result = detect(SITES, FLOWS, params=PARAMS)
    assert len(result.opportunities) == 1
    return result.opportunities[0]


def test_quantity_is_the_smaller_of_supply_and_demand_over_ratio(lead):
    # min(100 t, 500 t / 1.0) = 100 t (the 100 000 kg declared, converted)
    assert lead.quantity == pytest.approx(100.0)
    assert lead.unit == "t"


def test_distance_is_great_circle_times_detour(lead):
    assert lead.great_circle_km == pytest.approx(GC_KM, rel=1e-6)
    assert lead.distance_km == pytest.approx(ROAD_KM, rel=1e-6)


def test_yearly_gain_by_hand(lead):
    # treatment avoided: 100 t x 25 EUR/t (midpoint of 10-40)         = 2 500
    # purchase avoided:  100 t x 1.0 x 22.5 EUR/t (midpoint of 15-30)  = 2 250
    # transport (bulk truck): 100 t x (3 + 0.12 x 14.4554 km)          =   473.46
    # pre-treatment (drying): 100 t x 3 EUR/t                          =   300
    expected = 2500 + 2250 - 100 * (3 + 0.12 * ROAD_KM) - 300
    assert lead.gain_eur_per_year == pytest.approx(expected, rel=1e-9)
    supplier, receiver = lead.participants
    assert supplier.gain_eur + receiver.gain_eur == pytest.approx(expected)
    assert supplier.gain_eur == pytest.approx(expected / 2)  # default 50/50 share


def test_co2_avoided_by_hand(lead):
    # disposal avoided 100 t x 5 kg + virgin gypsum avoided 100 t x 10 kg - process 100 t x 2 kg
    # - transport 100 t x 0.09 kg/t.km x 14.4554 km, in tonnes
    expected = (500 + 1000 - 200 - 100 * 0.09 * ROAD_KM) / 1000
    assert lead.co2_avoided_t_per_year == pytest.approx(expected, rel=1e-9)
    assert lead.tonnes_diverted_per_year == pytest.approx(100.0)


def test_lead_carries_rule_flags_waste_codes_and_sources(lead):
    assert lead.rule_id == "SUB-GYP-01"
    assert lead.confidence == "declared"
    assert "sous_produit" in lead.regulatory_flags and "statut_dechet" in lead.regulatory_flags
    assert lead.waste_codes == ("10 01 05",)
    assert "circuity" in {r["key"] for r in lead.references}
    assert any("détour" in citation for citation in lead.sources)  # readable, never an internal key
    assert not any(citation in lead.references[0]["key"] for citation in lead.sources)
    assert "Gain net estimé" in lead.explanation and "CO2e évité" in lead.explanation


def test_every_parameter_can_be_overridden():
    params = Parameters(
        estimate_missing_flows=False,
        min_gain_eur=0,
        mutualisation=False,
        detour_factor=1.0,
        resource_overrides={"gypsum_fgd": {"treatment_cost": 50}, "gypsum_natural": {"price": 20}},
        transport_overrides={"camion_vrac": {"eur_per_t_km": 0.2}},
        rule_overrides={"SUB-GYP-01": {"pretreatment_cost": 0}},
    )
    lead = detect(SITES, FLOWS, params=params).opportunities[0]
    # 100 x 50 + 100 x 20 - 100 x (3 + 0.2 x 11.1195) = 7 000 - 522.39
    assert lead.distance_km == pytest.approx(GC_KM, rel=1e-6)
    assert lead.gain_eur_per_year == pytest.approx(5000 + 2000 - 100 * (3 + 0.2 * GC_KM))


def test_road_router_replaces_the_detour_estimate():
    params = Parameters(
        estimate_missing_flows=False, min_gain_eur=0, mutualisation=False, router=lambda *points: 20.0
    )
    lead = detect(SITES, FLOWS, params=params).opportunities[0]
    assert lead.distance_km == 20.0
    assert lead.distance_method == "router"


def test_beyond_the_resource_maximum_distance_there_is_no_lead():
    far = [SITES[0], Establishment("board", "Plâtrerie", "23.62Z", 49.6, 0.0, 0)]  # 66.7 km x 1.3 > 50 km
    assert detect(far, FLOWS, params=PARAMS).opportunities == []


def test_receiving_sector_must_match_the_rule():
    other = [SITES[0], Establishment("board", "Boulangerie", "10.71C", 49.1, 0.0, 0)]
    assert detect(other, FLOWS, params=PARAMS).opportunities == []


def test_declared_flow_replaces_the_estimate_of_the_same_resource():
    sites = [Establishment("b", "Brasserie", "11.05Z", 49.0, 0.0, 10)]
    declared = [Flow("b", "out", "bio_spent_grain", 12, "t")]
    result = detect(sites, declared, params=Parameters(mutualisation=False))
    grain = [f for f in result.flows if f.resource == "bio_spent_grain"]
    assert [(f.quantity, f.basis) for f in grain] == [(12.0, "declared")]
    assert any(f.basis == "estimated" for f in result.flows)


def test_confidence_is_the_weakest_basis_of_the_two_sides():
    flows = [
        Flow("power", "out", "gypsum_fgd", 100, "t", "declared"),
        Flow("board", "in", "gypsum_natural", 500, "t", "workshop"),
    ]
    lead = detect(SITES, flows, params=PARAMS).opportunities[0]
    assert lead.confidence == "workshop"


def test_declared_leads_rank_before_estimated_ones():
    sites = [*SITES, Establishment("b2", "Plâtrerie 2", "23.62Z", 49.05, 0.0, 200)]
    result = detect(sites, FLOWS, params=Parameters(min_gain_eur=0, mutualisation=False))
    gypsum = [o for o in result.opportunities if o.resource == "gypsum_fgd"]
    assert gypsum[0].confidence == "declared"


def test_a_pipe_sized_for_a_small_flow_costs_less_per_km_but_never_below_its_floor():
    from tremplin.engine.knowledge import default_knowledge_base as kb_of
    from tremplin.engine.substitution import pipe_scale

    params = Parameters()
    steam = kb_of().transport_classes["reseau_vapeur"]
    out_res = type("R", (), {"unit": steam.reference_unit})()
    reference = steam.reference_flow
    assert pipe_scale(params, steam, out_res, [reference])[0] == pytest.approx(1.0)
    assert pipe_scale(params, steam, out_res, [reference / 4])[0] == pytest.approx(0.5)  # sqrt(1/4)
    assert pipe_scale(params, steam, out_res, [reference / 1000])[0] == pytest.approx(0.3)  # floor
    assert pipe_scale(params, steam, out_res, [reference * 100])[0] == pytest.approx(2.0)  # ceiling


def test_steam_for_a_small_receiver_pays_a_smaller_pipe():
    sites = [
        Establishment("inc", "Incinérateur", "38.21Z", 49.0, 0.5, 70),
        Establishment("rcv", "Atelier", "29.10Z", 49.04, 0.5, 50),  # 4.4 km away, 5.8 km by road
    ]
    flows = [Flow("inc", "out", "steam", 200_000, "MWh"), Flow("rcv", "in", "steam", 20_000, "MWh")]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    (lead,) = [o for o in result.opportunities if o.resource == "steam"]
    scale = lead.factors["echelle_canalisation"]
    assert scale == pytest.approx(max(0.3, (20_000 / 380_000) ** 0.5))
    annuity = lead.factors["annuite_canalisation_eur_par_km"] * lead.distance_km
    receiver = next(p for p in lead.participants if p.role == "receveur")
    assert dict(receiver.items)["Annuité de canalisation"] == pytest.approx(-annuity)
