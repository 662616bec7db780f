"""Properties of the detection checked with hypothesis."""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremplin.engine import Establishment, Flow, Parameters, detect

NAFS = ["16.10A", "35.30Z", "10.51C", "01.46Z", "23.62Z", "35.11Z", "47.11D", "70.22Z", "52.10B", "38.32Z"]
RESOURCES_OUT = ["wood_clean", "bio_whey", "paper_cardboard", "heat_medium", "gypsum_fgd"]
RESOURCES_IN = ["wood_fuel", "bio_animal_feed", "paper_cardboard", "heat_medium", "gypsum_natural"]

site = st.tuples(
    st.sampled_from(NAFS),
    st.floats(48.9, 49.1, allow_nan=False),
    st.floats(-0.15, 0.15, allow_nan=False),
    st.integers(0, 300),
)
flow = st.tuples(st.integers(0, 11), st.booleans(), st.integers(0, 4), st.floats(0.5, 5000, allow_nan=False))


def _build(sites, flows):
    establishments = [
        Establishment(f"e{i:02d}", f"Site {i}", naf, lat, lon, head)
        for i, (naf, lat, lon, head) in enumerate(sites)
    ]
    declared = []
    seen = set()
    for company, out, resource, quantity in flows:
        if company >= len(establishments):
            continue
        code = (RESOURCES_OUT if out else RESOURCES_IN)[resource]
        key = (company, out, code)
        if key in seen:
            continue
        seen.add(key)
        unit = "MWh" if code == "heat_medium" else "t"
        declared.append(Flow(f"e{company:02d}", "out" if out else "in", code, quantity, unit))
    return establishments, declared


def _signature(result, exclude=()):
    return [
        (
            o.id,
            round(o.quantity, 6),
            round(o.gain_eur_per_year, 4),
            round(o.co2_avoided_t_per_year, 6),
            o.in_plan,
        )
        for o in result.opportunities
        if not set(exclude) & {o.source_id, o.target_id, *o.members}
    ]


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(site, min_size=2, max_size=12), st.lists(flow, max_size=30))
def test_the_plan_never_exceeds_a_supply_or_a_demand(sites, flows):
    establishments, declared = _build(sites, flows)
    result = detect(establishments, declared, plan=True, params=Parameters(min_gain_eur=0))
    quantities = {(f.company_id, f.direction, f.resource): f.quantity for f in result.flows}
    supplied, received = {}, {}
    ratios = {o.id: o for o in result.opportunities}
    for allocation in result.plan.allocations:
        o = ratios[allocation.opportunity_id]
        if o.type != "substitution":
            continue
        assert allocation.quantity <= o.quantity * (1 + 1e-6) + 1e-9
        key_s = (o.source_id, "out", o.resource)
        supplied[key_s] = supplied.get(key_s, 0) + allocation.quantity
        rule_ratio = o.factors["ratio"]
        key_t = (o.target_id, "in", o.input_resource)
        received[key_t] = received.get(key_t, 0) + allocation.quantity * rule_ratio
    for key, total in supplied.items():
        assert total <= quantities[key] * (1 + 1e-6) + 1e-6
    for key, total in received.items():
        assert total <= quantities[key] * (1 + 1e-6) + 1e-6


@SETTINGS
@given(
    st.lists(site, min_size=2, max_size=12),
    st.lists(flow, max_size=30),
    st.sampled_from(NAFS),
    st.integers(1, 500),
)
def test_adding_a_far_away_establishment_never_changes_results_between_near_ones(sites, flows, naf, head):
    establishments, declared = _build(sites, flows)
    before = detect(establishments, declared, plan=True)
    far = Establishment("zz-far", "Lointain", naf, 43.3, 5.4, head)  # Marseille, ~ 800 km away
    after = detect([*establishments, far], declared, plan=True)
    assert _signature(after, exclude={"zz-far"}) == _signature(before)


@SETTINGS
@given(
    st.lists(site, min_size=2, max_size=12), st.lists(flow, max_size=30), st.randoms(use_true_random=False)
)
def test_results_do_not_depend_on_input_order(sites, flows, rnd: random.Random):
    establishments, declared = _build(sites, flows)
    first = detect(establishments, declared, plan=True)
    rnd.shuffle(establishments)
    rnd.shuffle(declared)
    second = detect(establishments, declared, plan=True)
    assert [o.as_dict() for o in second.opportunities] == [o.as_dict() for o in first.opportunities]
