"""Material resources, second round: by-products keep their value, digesters pay for methane, ashes,
slags, acids, fats and used oils reach the industries that use them, and no substitution rule hides a
recovery route that would serve a receiver."""

import pytest

from tremplin.engine import Establishment, Flow, Parameters, default_knowledge_base, detect
from tremplin.engine import naf as naf_module
from tremplin.engine.detect import run_stages


@pytest.fixture(scope="module")
def kb():
    return default_knowledge_base()


def _sites(*specs, step=0.03):
    """Establishments a, b, c… of the given (NAF, headcount), a few km apart on one meridian."""
    return [
        Establishment(chr(ord("a") + i), f"Site {i}", naf, 49.0 + i * step, 0.1, headcount)
        for i, (naf, headcount) in enumerate(specs)
    ]


def _declared(sites, flows):
    return detect(sites, flows, params=Parameters(estimate_missing_flows=False))


def _leads(result, source, target=None, resource=None):
    return [
        o
        for o in result.opportunities
        if o.type == "substitution"
        and o.source_id == source
        and (target is None or o.target_id == target)
        and (resource is None or o.resource == resource)
    ]


# --- by-products keep their value ------------------------------------------------------------------------


def test_pressed_pulp_is_worth_more_to_a_feed_maker_than_its_price_at_the_sugar_factory():
    sites = _sites(("10.81Z", 100), ("10.91Z", 50))
    flows = [Flow("a", "out", "bio_beet_pulp", 1000, "t"), Flow("b", "in", "bio_animal_feed", 1000, "t")]
    [lead] = _leads(_declared(sites, flows), "a", "b")
    assert lead.rule_id == "SBS-bio_beet_pulp-bio_animal_feed"
    # Sold 25 to 50 EUR/t at the factory (-37.5), replaces a quarter of a tonne of feed at 300 EUR/t,
    # 3 EUR/t of ensiling, trucked at 5 EUR/t plus 0.15 EUR/t.km.
    per_tonne = -37.5 + 0.25 * 300 - 3 - (5 + 0.15 * lead.distance_km)
    assert lead.quantity == pytest.approx(1000)
    assert lead.gain_eur_per_year == pytest.approx(1000 * per_tonne)
    assert lead.gain_eur_per_year > 0


def test_a_declared_by_product_meets_a_declared_need_of_the_same_by_product():
    sites = _sites(("10.81Z", 100), ("11.01Z", 50))
    flows = [Flow("a", "out", "bio_molasses", 2000, "t"), Flow("b", "in", "bio_molasses", 1500, "t")]
    [lead] = _leads(_declared(sites, flows), "a", "b")
    assert lead.rule_id == "ID-bio_molasses"
    # Bought 170 to 280 EUR/t delivered, sold 150 to 250 at the factory: the margin is the logistics.
    per_tonne = 225 - 200 - (5 + 0.12 * lead.distance_km)
    assert lead.gain_eur_per_year == pytest.approx(1500 * per_tonne)


def test_a_digester_pays_for_the_methane_a_fermentation_residue_holds():
    sites = _sites(("20.14Z", 100), ("35.21Z", 3))
    flows = [
        Flow("a", "out", "bio_fermentation_biomass", 5000, "t"),
        Flow("b", "in", "bio_digester_feedstock", 10000, "t"),
    ]
    [lead] = _leads(_declared(sites, flows), "a", "b")
    assert lead.rule_id == "SBS-bio_fermentation_biomass-bio_digester_feedstock"
    # Disposal avoided 40 EUR/t, half a tonne of maize-silage equivalent at 37.5 EUR/t, 3 EUR/t for the
    # digestate, trucked at 5 EUR/t plus 0.15 EUR/t.km.
    per_tonne = 40 + 0.5 * 37.5 - 3 - (5 + 0.15 * lead.distance_km)
    assert lead.gain_eur_per_year == pytest.approx(5000 * per_tonne)


def test_a_by_product_that_sells_has_no_gate_fee_route_and_a_believable_value_in_a_digester(kb):
    ids = {rule.id for rule in kb.rules}
    for code in (
        "bio_vinasse",
        "bio_distillers_grains",
        "bio_beet_pulp",
        "bio_yeast_cream",
        "chem_glycerine",
    ):
        assert kb.resource(code).role == "byproduct"
        assert not any(rule_id.startswith("REC-") and rule_id.endswith("-" + code) for rule_id in ids), code
    # Vinasse sells 60 to 100 EUR/t as fertiliser: in a digester (1.5 t of silage equivalent) it is worth
    # a little less, not hundreds of euros less.
    sites = _sites(("20.14Z", 100), ("35.21Z", 3))
    flows = [
        Flow("a", "out", "bio_vinasse", 1000, "t"),
        Flow("b", "in", "bio_digester_feedstock", 10000, "t"),
    ]
    assert not _leads(_declared(sites, flows), "a", "b")
    rule = kb.rule("SBS-bio_vinasse-bio_digester_feedstock")
    per_tonne = -80 + rule.ratio * 37.5 - rule.pretreatment_cost - (5 + 0.12 * 4.3)
    assert -60 < per_tonne < 0


# --- estimated flows reach the industries that use them ---------------------------------------------------


@pytest.mark.parametrize(
    ("supplier", "receiver", "resources"),
    [
        (("35.11Z", 200), ("42.11Z", 100), {"ash_coal_fly", "ash_boiler_bottom"}),  # ash as road fill
        (("35.11Z", 200), ("43.12B", 50), {"ash_coal_fly", "ash_boiler_bottom"}),  # and as earthworks fill
        (("20.12Z", 300), ("23.62Z", 150), {"chem_calcium_reaction"}),  # titanium-dioxide gypsum
        (("24.44Z", 300), ("20.15Z", 100), {"chem_sulphuric_acid"}),  # smelter acid to fertilisers
        (("24.44Z", 300), ("24.45Z", 100), {"chem_sulphuric_acid", "heat_high"}),  # and to a nickel refinery
        (("10.41A", 100), ("20.59Z", 60), {"oil_fats_technical"}),  # rendered fats to biodiesel
        (("38.12Z", 30), ("19.20Z", 45), {"oil_mineral_used"}),  # collected used oil to a re-refinery
        (("11.05Z", 100), ("10.89Z", 100), {"bio_yeast_cream"}),  # brewer's yeast to yeast extract
        (("10.81Z", 150), ("20.14Z", 100), {"bio_molasses"}),  # molasses to fermentation
        (("10.81Z", 150), ("23.51Z", 150), {"bio_sugar_lime"}),  # carbonation lime to cement raw meal
        (("37.00Z", 30), ("39.00Z", 30), {"sludge_wwtp"}),  # sewage sludge as amendment of biopiles
        (("16.10A", 40), ("17.11Z", 300), {"wood_sawdust"}),  # sawmill residues to a pulp mill
        (("22.22Z", 40), ("22.21Z", 40), {"plastic_pp", "plastic_hdpe", "plastic_pe_film"}),  # regrind
    ],
)
def test_a_supplier_class_reaches_its_industrial_receiver_from_its_activity_code(
    supplier, receiver, resources
):
    result = detect(_sites(supplier, receiver), None, params=Parameters())
    leads = _leads(result, "a", "b")
    assert {o.resource for o in leads} & resources, [(o.resource, o.rule_id) for o in leads]
    assert all(o.gain_eur_per_year > 0 for o in leads)


def test_a_nickel_refinery_gets_the_smelter_acid_beside_its_heat():
    """A hydrometallurgical refinery needs steam as well as acid: the copper smelter's heat is the best lead
    of the pair (one estimated lead per pair and direction), its acid a candidate with a positive gain."""
    stages = run_stages(_sites(("24.44Z", 300), ("24.45Z", 100)), None, params=Parameters())
    ctx, c = stages.ctx, stages.candidates
    ids = [e.id for e in ctx.establishments]
    acid = [
        float(c.gain[i])
        for i in range(len(c))
        if stages.rules[int(c.rule[i])].output == "chem_sulphuric_acid"
        and ids[int(ctx.f_comp[c.s_flow[i]])] == "a"
        and ids[int(ctx.f_comp[c.t_flow[i]])] == "b"
    ]
    assert acid and max(acid) > 0


def test_used_oil_is_worth_its_base_oil_to_a_re_refinery_not_the_price_of_a_lubricant():
    result = detect(_sites(("38.12Z", 30), ("19.20Z", 45)), None, params=Parameters())
    [lead] = _leads(result, "a", "b", "oil_mineral_used")
    per_tonne = lead.gain_eur_per_year / lead.quantity
    # 0.7 t of base oil at 700-1 100 EUR/t, 350 EUR/t of regeneration, hazardous-waste haulage: in the
    # range of the 40-230 EUR/t re-refiners pay for collected oil, not a thousand euros a tonne.
    assert 100 < per_tonne < 400


def test_public_works_need_aggregates_and_fill_per_employee(kb):
    roads = next(
        r for r in kb.profile_for("42.11Z") if r.direction == "in" and r.resource == "min_aggregates"
    )
    earthworks = next(
        r for r in kb.profile_for("43.12A") if r.direction == "in" and r.resource == "min_aggregates"
    )
    assert roads.quantity(100) == pytest.approx(80000)  # 800 t per employee (343 Mt, 78 %, 300 000 jobs)
    assert earthworks.quantity(100) == pytest.approx(40000)
    assert roads.quantity(10**6) == roads.max_per_site


def test_meat_dairy_fish_and_feed_plants_have_no_vegetable_by_products(kb):
    for code in ("10.11Z", "10.20Z", "10.51C", "10.91Z"):
        assert not any(r.resource == "bio_veg_byproducts" for r in kb.profile_for(code)), code
    assert any(r.resource == "bio_veg_byproducts" for r in kb.profile_for("10.39A"))


# --- no rule hides a route that would serve a receiver -----------------------------------------------------


def test_no_substitution_rule_hides_a_recovery_route_from_a_receiver_that_has_its_capacity(kb):
    subclasses = naf_module.all_naf_codes("subclass")
    needs_cache: dict[str, set[str]] = {}

    def needs(code):
        if code not in needs_cache:
            needs_cache[code] = {r.resource for r in kb.profile_for(code) if r.direction == "in"}
        return needs_cache[code]

    rules_from: dict[str, list] = {}
    for rule in kb.rules:
        rules_from.setdefault(rule.output, []).append(rule)
    unserved = []
    for resource in kb.resources.values():
        for code in resource.recovery:
            route = kb.routes[code]
            for receiver in route.receivers:
                for sub in (s for s in subclasses if naf_module.normalise_naf(s).startswith(receiver)):
                    if route.feedstock not in needs(sub):
                        continue
                    ancestors = naf_module.naf_ancestors(sub)
                    if not any(
                        rule.accepts(ancestors) and rule.input in needs(sub)
                        for rule in rules_from.get(resource.code, ())
                    ):
                        unserved.append((resource.code, code, sub))
    assert not unserved, unserved[:10]
