"""What reaches the final list: netting, commitments, caps that never hide declared matches, no reverse
pairs, plan totals that never count a supply twice, and the why-not diagnosis of a pair."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremplin.engine import Establishment, Flow, Parameters, detect
from tremplin.engine.context import build_context
from tremplin.engine.knowledge import default_knowledge_base
from tremplin.engine.whynot import why_not

# Four degrees of latitude to the kilometre; a site every 0.005° (~0.56 km) along a meridian.
STEP = 0.005


def _sites(nafs, lat0=49.0, step=STEP, headcount=0):
    return [
        Establishment(f"e{i:02d}", f"Site {i}", naf, lat0 + step * i, 0.5, headcount)
        for i, naf in enumerate(nafs)
    ]


def _flows_of(result, company, direction, resource):
    return [
        f for f in result.flows if (f.company_id, f.direction, f.resource) == (company, direction, resource)
    ]


def test_estimated_gisement_and_besoin_of_one_resource_are_netted_within_a_site():
    sites = _sites(["70.22Z"])
    flows = [
        Flow("e00", "out", "steam", 100, "MWh", "estimated"),
        Flow("e00", "in", "steam", 30, "MWh", "estimated"),
    ]
    ctx = build_context(sites, flows, default_knowledge_base(), Parameters(estimate_missing_flows=False))
    steam = ctx.resource_index["steam"]
    out = [q for d, r, q in zip(ctx.f_dir, ctx.f_res, ctx.f_qty, strict=True) if r == steam and d == 1]
    into = [q for d, r, q in zip(ctx.f_dir, ctx.f_res, ctx.f_qty, strict=True) if r == steam and d == 0]
    assert out == [pytest.approx(70)]  # a net supplier of 100 - 30
    assert into == [0]


def test_a_declared_besoin_drops_the_estimated_gisement_of_the_same_resource():
    sites = _sites(["70.22Z"])
    flows = [Flow("e00", "out", "steam", 100, "MWh", "estimated"), Flow("e00", "in", "steam", 30, "MWh")]
    ctx = build_context(sites, flows, default_knowledge_base(), Parameters(estimate_missing_flows=False))
    steam = ctx.resource_index["steam"]
    by_dir = {int(d): float(q) for d, r, q in zip(ctx.f_dir, ctx.f_res, ctx.f_qty, strict=True) if r == steam}
    assert by_dir == {1: 0.0, 0: 30.0}


def test_two_declared_flows_of_one_site_are_left_as_the_company_said():
    sites = _sites(["70.22Z"])
    flows = [Flow("e00", "out", "steam", 100, "MWh"), Flow("e00", "in", "steam", 30, "MWh")]
    ctx = build_context(sites, flows, default_knowledge_base(), Parameters(estimate_missing_flows=False))
    assert sorted(ctx.f_qty.tolist()) == [30.0, 100.0]


def test_quantities_committed_in_the_pipeline_are_taken_off_the_next_run():
    sites = _sites(["35.11Z", "23.62Z"])
    flows = [Flow("e00", "out", "gypsum_fgd", 1000, "t"), Flow("e01", "in", "gypsum_natural", 5000, "t")]
    params = Parameters(estimate_missing_flows=False)
    before = detect(sites, flows, params=params)
    committed = [Flow("e00", "out", "gypsum_fgd", 600, "t")]
    after = detect(sites, flows, params=params, committed=committed)
    gypsum = [o for o in before.opportunities if o.resource == "gypsum_fgd"]
    gypsum_after = [o for o in after.opportunities if o.resource == "gypsum_fgd"]
    assert gypsum[0].quantity == pytest.approx(1000)
    assert gypsum_after[0].quantity == pytest.approx(400)
    assert "engagées" in gypsum_after[0].explanation or any(
        "engagées" in a for a in gypsum_after[0].assumptions
    )


def _one_supplier_many_receivers(n, basis="declared"):
    sites = _sites(["35.11Z"] + ["23.62Z"] * n)
    flows = [Flow("e00", "out", "gypsum_fgd", 100_000, "t", basis)]
    flows += [Flow(f"e{i:02d}", "in", "gypsum_natural", 1000, "t", basis) for i in range(1, n + 1)]
    return sites, flows


def test_declared_matches_are_never_cut_by_the_caps():
    sites, flows = _one_supplier_many_receivers(9)
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    receivers = {o.target_id for o in result.opportunities if o.source_id == "e00"}
    assert len(receivers) == 9


def test_estimated_leads_of_one_supply_are_capped_to_its_best_receivers():
    sites, flows = _one_supplier_many_receivers(9, basis="estimated")
    params = Parameters(estimate_missing_flows=False)
    result = detect(sites, flows, params=params)
    receivers = [o.target_id for o in result.opportunities if o.source_id == "e00"]
    assert len(receivers) == params.max_candidates_per_source == 5
    # the nearest ones win (same quantities, so the shortest haul gains most)
    assert receivers == ["e01", "e02", "e03", "e04", "e05"]


def test_an_establishment_receives_at_most_three_estimated_leads_for_one_need():
    nafs = ["35.11Z"] * 5 + ["23.62Z"]
    sites = _sites(nafs)
    flows = [Flow(f"e{i:02d}", "out", "gypsum_fgd", 1000 * (i + 1), "t", "estimated") for i in range(5)]
    flows.append(Flow("e05", "in", "gypsum_natural", 100_000, "t", "estimated"))
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    incoming = [o for o in result.opportunities if o.target_id == "e05"]
    assert len(incoming) == 3
    # the three biggest supplies win
    assert sorted(o.source_id for o in incoming) == ["e02", "e03", "e04"]


def test_no_reverse_pair_of_the_same_resource():
    sites = _sites(["10.51C", "10.51C"])
    flows = [
        Flow("e00", "out", "heat_medium", 5000, "MWh"),
        Flow("e00", "in", "heat_medium", 5000, "MWh"),
        Flow("e01", "out", "heat_medium", 4000, "MWh"),
        Flow("e01", "in", "heat_medium", 4000, "MWh"),
    ]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    pairs = {(o.source_id, o.target_id) for o in result.opportunities if o.resource == "heat_medium"}
    assert len(pairs) == 1


def test_plan_totals_never_promise_one_supply_twice():
    # One gypsum supply of 1,000 t and three plants that each could take all of it.
    sites = _sites(["35.11Z", "23.62Z", "23.62Z", "23.62Z"])
    flows = [Flow("e00", "out", "gypsum_fgd", 1000, "t")]
    flows += [Flow(f"e{i:02d}", "in", "gypsum_natural", 5000, "t") for i in (1, 2, 3)]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False), plan=True)
    leads = [o for o in result.opportunities if o.resource == "gypsum_fgd"]
    assert len(leads) == 3 and all(o.quantity == pytest.approx(1000) for o in leads)
    planned = sum(a.quantity for a in result.plan.allocations if a.opportunity_id in {o.id for o in leads})
    assert planned == pytest.approx(1000)  # not 3,000
    by_basis = result.plan.totals_by_basis
    assert set(by_basis) == {"declared"}
    assert by_basis["declared"]["gain_eur_per_year"] == pytest.approx(result.plan.total_gain_eur_per_year)
    assert result.plan.total_gain_eur_per_year < sum(o.gain_eur_per_year for o in leads)


sites_strategy = st.lists(
    st.tuples(
        st.sampled_from(["35.11Z", "23.62Z", "10.51C", "01.46Z", "16.10A", "38.32Z", "20.14Z"]),
        st.floats(48.95, 49.05, allow_nan=False),
        st.floats(0.45, 0.55, allow_nan=False),
        st.integers(0, 400),
    ),
    min_size=2,
    max_size=14,
)
declared_strategy = st.lists(
    st.tuples(
        st.integers(0, 13),
        st.sampled_from(
            [
                ("out", "gypsum_fgd", "t"),
                ("in", "gypsum_natural", "t"),
                ("out", "steam", "t"),
                ("in", "steam", "t"),
                ("out", "bio_whey", "t"),
                ("in", "bio_animal_feed", "t"),
                ("out", "wood_clean", "t"),
                ("in", "wood_fuel", "t"),
            ]
        ),
        st.floats(10, 50_000, allow_nan=False),
    ),
    max_size=20,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites_strategy, declared_strategy)
def test_both_mode_contains_every_match_of_the_systematic_mode(sites, declared):
    establishments = [
        Establishment(f"e{i:02d}", "", naf, lat, lon, h) for i, (naf, lat, lon, h) in enumerate(sites)
    ]
    flows, seen = [], set()
    for company, (direction, resource, unit), quantity in declared:
        if company < len(establishments) and (company, direction, resource) not in seen:
            seen.add((company, direction, resource))
            flows.append(Flow(f"e{company:02d}", direction, resource, quantity, unit))
    systematic = detect(establishments, flows, params=Parameters(estimate_missing_flows=False))
    both = detect(establishments, flows, params=Parameters())
    expected = {
        (o.source_id, o.target_id, o.resource) for o in systematic.opportunities if o.type == "substitution"
    }
    found = {(o.source_id, o.target_id, o.resource) for o in both.opportunities if o.type == "substitution"}
    assert expected <= found


def test_why_not_names_the_distance_and_its_limit():
    sites = [
        Establishment("plant", "Centrale", "35.11Z", 49.0, 0.5, 0),
        Establishment("board", "Plâtrerie", "23.62Z", 50.0, 0.5, 0),  # 111 km north
    ]
    flows = [Flow("plant", "out", "gypsum_fgd", 1000, "t"), Flow("board", "in", "gypsum_natural", 5000, "t")]
    diagnosis = why_not(sites, flows, a="plant", b="board", params=Parameters(estimate_missing_flows=False))
    (reason,) = [r for r in diagnosis.reasons if r.resource == "gypsum_fgd"]
    assert reason.code == "distance"
    assert reason.figures["road_km"] == pytest.approx(111.2 * 1.3, rel=0.01)
    assert reason.figures["limit_km"] < reason.figures["road_km"]
    assert "km" in reason.message


def test_why_not_says_when_no_rule_links_the_two():
    sites = _sites(["70.22Z", "70.22Z"])
    flows = [Flow("e00", "out", "paper_office", 5, "t"), Flow("e01", "in", "steam", 100, "t")]
    diagnosis = why_not(sites, flows, a="e00", b="e01", params=Parameters(estimate_missing_flows=False))
    codes = {(r.supplier_id, r.code) for r in diagnosis.reasons}
    assert ("e00", "no_rule") in codes
    assert ("e01", "no_gisement") in codes


def test_why_not_reports_a_gain_under_the_threshold_with_its_figure():
    sites, flows = _one_supplier_many_receivers(1)
    flows[0] = Flow("e00", "out", "gypsum_fgd", 10, "t")
    flows[1] = Flow("e01", "in", "gypsum_natural", 10, "t")
    params = Parameters(estimate_missing_flows=False, min_gain_eur=1_000_000)
    (reason,) = [r for r in why_not(sites, flows, a="e00", b="e01", params=params).reasons if r.rule_id]
    assert reason.code == "threshold"
    assert reason.figures["gain_eur_per_year"] < 1_000_000


def test_why_not_reports_the_cap_that_cut_an_estimated_lead():
    sites, flows = _one_supplier_many_receivers(9, basis="estimated")
    params = Parameters(estimate_missing_flows=False)
    found = why_not(sites, flows, a="e00", b="e01", params=params)
    assert [r.code for r in found.reasons if r.supplier_id == "e00" and r.rule_id] == ["found"]
    cut = why_not(sites, flows, a="e00", b="e09", params=params)
    assert [r.code for r in cut.reasons if r.supplier_id == "e00" and r.rule_id] == ["source_cap"]


def test_why_not_refuses_an_unknown_establishment():
    from tremplin.engine import InputError

    with pytest.raises(InputError):
        why_not(_sites(["70.22Z"]), a="e00", b="nobody")


class _Traded:
    """A catalogue resource seen with ``traded_by`` set (the field the catalogue may declare)."""

    def __init__(self, resource, traded_by):
        self._resource, self.traded_by = resource, traded_by

    def __getattr__(self, name):
        return getattr(self._resource, name)


def test_a_utility_that_trades_a_resource_is_not_netted():
    from dataclasses import replace

    kb = default_knowledge_base()
    patched = replace(kb, resources=dict(kb.resources, steam=_Traded(kb.resources["steam"], ("35.30",))))
    sites = _sites(["35.30Z", "70.22Z"])
    flows = [
        Flow("e00", "out", "steam", 100, "MWh", "estimated"),
        Flow("e00", "in", "steam", 30, "MWh", "estimated"),
        Flow("e01", "out", "steam", 100, "MWh", "estimated"),
        Flow("e01", "in", "steam", 30, "MWh", "estimated"),
    ]
    ctx = build_context(sites, flows, patched, Parameters(estimate_missing_flows=False))
    by_site = {
        (comp, d): q
        for comp, d, q in zip(ctx.f_comp.tolist(), ctx.f_dir.tolist(), ctx.f_qty.tolist(), strict=True)
    }
    assert by_site[(0, 1)] == 100 and by_site[(0, 0)] == 30  # the utility keeps both
    assert by_site[(1, 1)] == pytest.approx(70) and by_site[(1, 0)] == 0  # an office is netted


def test_a_declared_gisement_and_besoin_of_one_resource_always_match_even_at_a_loss():
    # Blast-furnace slag is sold today (a negative treatment cost): at default prices handing it to a
    # neighbour gains nothing, yet both companies said they have it and need it.
    sites = _sites(["24.10Z", "23.51Z"])
    flows = [Flow("e00", "out", "slag_bf", 700_000, "t"), Flow("e01", "in", "slag_bf", 700_000, "t")]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    (lead,) = [o for o in result.opportunities if o.resource == "slag_bf" and o.input_resource == "slag_bf"]
    assert (lead.source_id, lead.target_id) == ("e00", "e01")
    if lead.gain_eur_per_year < Parameters().min_gain_eur:
        assert any("vérifier leurs prix réels" in a for a in lead.assumptions)


def test_estimated_flows_of_one_resource_still_need_a_gain():
    sites = _sites(["24.10Z", "23.51Z"])
    flows = [
        Flow("e00", "out", "slag_bf", 10, "t", "estimated"),
        Flow("e01", "in", "slag_bf", 10, "t", "estimated"),
    ]
    params = Parameters(estimate_missing_flows=False, min_gain_eur=1e9)
    assert not [o for o in detect(sites, flows, params=params).opportunities if o.resource == "slag_bf"]


def test_an_unknown_headcount_is_a_mid_size_site_and_the_lead_says_so(tmp_path):
    import math

    from tremplin.engine.io import read_companies

    path = tmp_path / "companies.csv"
    path.write_text(
        "id,name,naf,lat,lon,headcount\nbrew,Brasserie,11.05Z,49.0,0.5,\nfarm,Ferme,01.41Z,49.02,0.5,3\n",
        encoding="utf-8",
    )
    companies = read_companies(path)
    assert math.isnan(companies[0].headcount) and companies[1].headcount == 3
    unknown = detect(companies)
    grain = [o for o in unknown.opportunities if o.resource == "bio_spent_grain"]
    assert grain and any("Effectif du fournisseur inconnu" in a for a in grain[0].assumptions)
    # the same as a brewery of Parameters.unknown_headcount employees
    known = detect([Establishment("brew", "Brasserie", "11.05Z", 49.0, 0.5, 71), companies[1]])
    assert grain[0].quantity == pytest.approx(
        next(o for o in known.opportunities if o.resource == "bio_spent_grain").quantity
    )


def test_a_headcount_of_zero_is_a_non_employer():
    zero = detect([Establishment("brew", "Brasserie", "11.05Z", 49.0, 0.5, 0)])
    assert not [f for f in zero.flows if f.resource == "bio_spent_grain"]


def test_each_need_of_a_receiver_has_its_own_three_leads():
    # A plant needs gypsum and steam: four gypsum suppliers and four steam suppliers nearby.
    nafs = ["35.11Z"] * 4 + ["23.51Z"] + ["38.21Z"] * 4
    sites = _sites(nafs)
    flows = [Flow(f"e{i:02d}", "out", "gypsum_fgd", 1000 * (i + 1), "t", "estimated") for i in range(4)]
    flows.append(Flow("e04", "in", "gypsum_natural", 100_000, "t", "estimated"))
    flows += [Flow(f"e{i:02d}", "out", "steam", 5000 * i, "MWh", "estimated") for i in range(5, 9)]
    flows.append(Flow("e04", "in", "steam", 100_000, "MWh", "estimated"))
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    by_need = {}
    for o in result.opportunities:
        if o.target_id == "e04":
            by_need.setdefault(o.input_resource, []).append(o.source_id)
    assert sorted(by_need["gypsum_natural"]) == ["e01", "e02", "e03"]  # the three biggest of four
    assert len(by_need["steam"]) == 3


def test_a_receiver_full_on_one_need_still_gets_a_lead_for_another():
    # A steam network (35.30) needs heat and steam; three big heat suppliers fill its heat need, so the
    # incinerator's steam reaches it as steam rather than being lost as a fourth heat lead.
    sites = _sites(["35.11Z", "35.11Z", "35.11Z", "38.21Z", "35.30Z"])
    flows = [Flow(f"e0{i}", "out", "heat_medium", 90_000 + 1000 * i, "MWh", "estimated") for i in range(3)]
    flows += [
        Flow("e03", "out", "steam_mp", 50_000, "MWh", "estimated"),
        Flow("e04", "in", "heat_medium", 400_000, "MWh", "estimated"),
        Flow("e04", "in", "steam", 8_000, "MWh", "estimated"),
    ]
    result = detect(sites, flows, params=Parameters(estimate_missing_flows=False))
    incinerator = [o for o in result.opportunities if o.source_id == "e03" and o.target_id == "e04"]
    assert incinerator and incinerator[0].input_resource == "steam"
