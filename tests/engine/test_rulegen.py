"""Substitution rules generated from the catalogue: identity, cascade, substitutes, recovery routes."""

import pytest

from tremplin.engine import Establishment, Flow, Parameters, default_knowledge_base, detect
from tremplin.engine import naf as naf_module


@pytest.fixture(scope="module")
def kb():
    return default_knowledge_base()


def test_each_kind_of_generated_rule_says_where_it_comes_from(kb):
    assert kb.rule("ID-water_demin").origin == "identity"
    assert kb.rule("CAS-steam_hp-steam_lp").origin == "cascade"
    assert kb.rule("SBS-bio_molasses-chem_fermentation_sugar").origin == "substitute"
    rule = kb.rule("REC-R1-cimenterie_solide-elv_tyres")
    assert rule.origin == "recovery" and rule.operation == "R1" and rule.receivers == ("23.51Z",)
    assert rule.input == "rec_r1_cimenterie_solide"


def test_a_cascade_only_goes_down_the_scale_of_its_group(kb):
    ids = {rule.id for rule in kb.rules}
    assert {
        "CAS-steam_hp-steam_mp",
        "CAS-steam_mp-steam_lp",
        "CAS-heat_high-heat_low",
        "CAS-water_demin-water_raw",
    } <= ids
    assert "CAS-steam_lp-steam_hp" not in ids
    assert "CAS-water_raw-water_demin" not in ids
    # Equal grades serve each other; an unspecified grade (the generic "steam") matches every level.
    assert {"CAS-co2_fossil_pure-co2_biogenic_pure", "CAS-co2_biogenic_pure-co2_fossil_pure"} <= ids
    assert {"CAS-steam-steam_hp", "CAS-steam_lp-steam"} <= ids


def test_a_named_rule_takes_precedence_for_its_receivers(kb):
    named = kb.rule("SUB-MET-01")  # ferrous scrap to steelworks, foundries and recyclers, ratio 0.95
    identity = kb.rule("ID-metal_ferrous")
    assert identity.excluded == tuple(sorted(named.receivers))
    steelworks = naf_module.naf_ancestors("24.10Z")
    assert named.accepts(steelworks) and not identity.accepts(steelworks)
    assert identity.accepts(naf_module.naf_ancestors("25.50A"))
    # A named rule open to every receiver leaves no generated rule for its pair.
    assert kb.rule("SUB-ENE-06").receivers == ("*",)
    assert "ID-steam" not in {rule.id for rule in kb.rules}


def test_a_recovery_route_is_the_fallback_of_documented_substitutions(kb):
    # Ferrous scrap already goes to steelworks, foundries and recyclers through SUB-MET-01: the R4 route
    # keeps only the scrap merchants (46.77Z) and the dismantlers (38.31Z).
    rule = kb.rule("REC-R4-ferrailles-metal_ferrous")
    assert not rule.accepts(naf_module.naf_ancestors("24.10Z"))
    assert rule.accepts(naf_module.naf_ancestors("46.77Z"))
    # Food waste reaches digesters through SUB-BIO-04, on all the receivers of the digestion route.
    assert "REC-R3-methanisation-bio_food_waste" not in {r.id for r in kb.rules}
    assert kb.rule("REC-R3-compostage-bio_green_waste").receivers == ("38.21Z",)


def test_recovery_rules_charge_the_gate_fee_to_the_holder(kb):
    route = kb.routes["R3-compostage"]
    feedstock = kb.resource(route.feedstock)
    assert feedstock.price == (-60, -30)
    assert feedstock.role == "feedstock" and not feedstock.is_waste
    assert kb.rule("REC-R3-compostage-bio_green_waste").pretreatment == route.pretreatment


def _pair(naf_a, naf_b, distance_deg=0.01):
    return [
        Establishment("a", "A", naf_a, 49.0, 0.1, 20),
        Establishment("b", "B", naf_b, 49.0 + distance_deg, 0.1, 20),
    ]


def test_declared_flows_of_the_same_resource_always_match():
    # Two offices: no sector rule links them, the identity rule does.
    sites = _pair("70.22Z", "68.20A")
    flows = [Flow("a", "out", "water_demin", 5000, "m3"), Flow("b", "in", "water_demin", 4000, "m3")]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    leads = [o for o in result.opportunities if o.resource == "water_demin"]
    assert [(o.rule_id, o.source_id, o.target_id) for o in leads] == [("ID-water_demin", "a", "b")]
    assert leads[0].quantity == pytest.approx(4000)


def test_high_pressure_steam_serves_a_low_pressure_demand():
    sites = _pair("38.21Z", "10.51C")
    flows = [Flow("a", "out", "steam_hp", 20000, "MWh"), Flow("b", "in", "steam_lp", 5000, "MWh")]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    leads = [o for o in result.opportunities if o.resource == "steam_hp"]
    assert leads and leads[0].rule_id == "CAS-steam_hp-steam_lp"
    # 5 000 MWh needed at a ratio of 0.97: 5 000 / 0.97 MWh of high-pressure steam supplied.
    assert leads[0].quantity == pytest.approx(5000 / 0.97)


def test_a_waste_goes_to_a_recovery_plant_when_no_one_needs_it_as_such():
    sites = _pair("45.20A", "23.51Z")
    flows = [Flow("a", "out", "elv_tyres", 300, "t"), Flow("b", "in", "rec_r1_cimenterie_solide", 40000, "t")]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    leads = [o for o in result.opportunities if o.resource == "elv_tyres"]
    assert [o.rule_id for o in leads] == ["REC-R1-cimenterie_solide-elv_tyres"]
