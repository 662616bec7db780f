"""Energy, gases and water in the knowledge base: who supplies and who needs them, what is netted within a
site and what is not, and what distance a flow can pay for.  Figures are computed by hand from the
profiles of ``data/profiles/*.csv`` (quantity = per employee × headcount, bounded by the row's maximum)."""

import pytest

from tremplin.engine import Establishment, Parameters, detect
from tremplin.engine.context import build_context
from tremplin.engine.knowledge import default_knowledge_base
from tremplin.engine.naf import naf_ancestors


@pytest.fixture(scope="module")
def kb():
    return default_knowledge_base()


def _site(i, naf, headcount, lat=49.0, lon=0.2):
    return Establishment(f"s{i}", f"Site {i}", naf, lat, lon, headcount)


def _quantities(sites, kb):
    """{(site id, direction, resource): quantity} after estimation and netting."""
    ctx = build_context(sites, None, kb, Parameters())
    return {
        (ctx.ids[c], "out" if d else "in", ctx.resource_codes[r]): q
        for c, d, r, q in zip(
            ctx.f_comp.tolist(), ctx.f_dir.tolist(), ctx.f_res.tolist(), ctx.f_qty.tolist(), strict=True
        )
    }


def _need(kb, naf, resource):
    return any(r.direction == "in" and r.resource == resource for r in kb.profile_for(naf))


def _supply(kb, naf, resource):
    return any(r.direction == "out" and r.resource == resource for r in kb.profile_for(naf))


# --- netting ------------------------------------------------------------------------------------------


def test_a_steam_and_heat_utility_keeps_what_it_buys_and_what_it_sells(kb):
    # 35.30 at 100 employees: sells 500 MWh of steam and 1 800 MWh of hot water per employee, buys 500 MWh
    # of steam and 3 000 MWh of heat per employee: a trader is never netted.
    q = _quantities([_site(0, "35.30Z", 100)], kb)
    assert q[("s0", "out", "steam")] == pytest.approx(50_000)
    assert q[("s0", "in", "steam")] == pytest.approx(50_000)
    assert q[("s0", "out", "heat_medium")] == pytest.approx(180_000)
    assert q[("s0", "in", "heat_medium")] == pytest.approx(300_000)


def test_surplus_steam_of_a_chemical_plant_is_not_netted_against_its_purchases(kb):
    # 20.14 at 100 employees: 50 MWh of surplus low-pressure steam per employee leaves the site while it
    # buys 300 MWh of process steam per employee; the surplus is what its own process cannot use.
    q = _quantities([_site(0, "20.14Z", 100)], kb)
    assert q[("s0", "out", "wh_steam_lp")] == pytest.approx(5_000)
    assert q[("s0", "in", "steam")] == pytest.approx(30_000)


def test_waste_heat_of_a_food_plant_is_not_netted_against_its_heat_purchases(kb):
    # Starch plant 10.62: 100 MWh of waste heat per employee out, 30 MWh of hot water per employee in.
    q = _quantities([_site(0, "10.62Z", 100)], kb)
    assert q[("s0", "out", "wh_hot_water")] == pytest.approx(10_000)
    assert q[("s0", "in", "heat_medium")] == pytest.approx(3_000)


def test_a_refinery_lets_out_treated_effluent_and_takes_in_raw_water_both_kept(kb):
    q = _quantities([_site(0, "19.20Z", 100)], kb)
    assert q[("s0", "out", "water_treated_ww")] == pytest.approx(200_000)
    assert q[("s0", "in", "water_raw")] == pytest.approx(500_000)


def test_a_power_station_water_need_survives_its_cooling_water_outflow(kb):
    q = _quantities([_site(0, "35.11Z", 100)], kb)
    assert q[("s0", "out", "water_cooling")] == pytest.approx(5_000_000)
    assert q[("s0", "in", "water_raw")] == pytest.approx(300_000)


def test_surplus_steam_has_its_own_net_group_apart_from_purchased_steam(kb):
    # Steam levels are netted together (a site lets down its own high pressure); surplus steam is not.
    sites = [_site(0, "20.14Z", 100)]
    ctx = build_context(sites, None, kb, Parameters())
    steam_group = ctx.resource_group[ctx.resource_index["steam"]]
    assert steam_group == ctx.resource_group[ctx.resource_index["steam_lp"]]
    assert steam_group != ctx.resource_group[ctx.resource_index["wh_steam_lp"]]


# --- suppliers and receivers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("naf", "resource"),
    [
        ("38.22Z", "steam_mp"),  # hazardous-waste incinerators raise steam like 38.21
        ("38.21Z", "steam_mp"),
        ("35.30Z", "steam"),  # steam utilities and energy plants
        ("35.30Z", "heat_medium"),
        ("35.11Z", "steam"),
        ("24.43Z", "wh_steam_lp"),  # zinc roasting and acid plants
        ("24.44Z", "heat_high"),  # copper smelting furnaces and acid plants
        ("20.13B", "wh_steam_lp"),  # sulphuric acid
        ("23.51Z", "heat_flue_gas_hot"),  # cement kilns
        ("23.52Z", "heat_high"),  # lime kilns
        ("23.14Z", "heat_flue_gas_hot"),  # glass fibre furnaces
        ("23.62Z", "wh_hot_water"),  # plasterboard dryers
        ("24.10Z", "gas_blast_furnace"),
        ("19.20Z", "co2_fossil_pure"),  # hydrogen units of refineries
        ("20.11Z", "gas_oxygen"),  # air separation
    ],
)
def test_every_class_that_burns_fuel_or_runs_exothermic_processes_offers_its_heat_or_gas(kb, naf, resource):
    assert _supply(kb, naf, resource)


@pytest.mark.parametrize(
    ("naf", "resource"),
    [
        ("35.30Z", "steam"),  # a steam network buys an incinerator's steam
        ("35.30Z", "energy_natural_gas"),
        ("35.11Z", "energy_natural_gas"),  # power plants burn steelworks and refinery gases
        ("24.10Z", "steam"),
        ("10.81Z", "steam"),
        ("29.10Z", "heat_medium"),  # paint shops
        ("16.10A", "heat_medium"),  # kiln drying
        ("91.04Z", "heat_lukewarm"),  # tropical houses and aquaria
        ("23.14Z", "energy_natural_gas"),
        ("20.11Z", "co2_fossil_pure"),  # CO2 purification and liquefaction
        ("10.13A", "co2_liquid"),
    ],
)
def test_receivers_of_steam_heat_fuel_and_co2_have_the_need(kb, naf, resource):
    assert _need(kb, naf, resource)


def test_off_gases_replace_natural_gas_for_any_gas_fired_user(kb):
    glassworks = naf_ancestors("23.13Z")
    for gas in ("gas_blast_furnace", "gas_coke_oven", "gas_converter", "gas_refinery_fuel", "gas_syngas"):
        rule = kb.rule(f"SBS-{gas}-energy_natural_gas")
        assert rule.accepts(glassworks) and rule.accepts(naf_ancestors("20.14Z")), gas


def test_surplus_steam_serves_a_steam_demand_of_any_level(kb):
    assert kb.rule("SBS-wh_steam_lp-steam").accepts(naf_ancestors("19.20Z"))
    assert kb.rule("SBS-wh_low-heat_medium").ratio > 1  # lifted by a heat pump
    assert kb.rule("SBS-steam_mp-heat_medium").accepts(naf_ancestors("86.10Z"))


# --- distance economics -------------------------------------------------------------------------------


def test_a_large_steam_flow_pays_for_kilometres_and_a_small_one_does_not(kb):
    steam = kb.transport_for("steam_mp")
    # 80 GWh of steam at ≈ 90 €/MWh saved: far beyond the 15 km ceiling of industrial steam networks.
    assert steam.break_even_km(80_000 * 90) == steam.max_distance_km == 15
    # A hospital buying 1 500 MWh of steam: ≈ 135 k€ a year pays for less than a kilometre of steam pipe.
    assert steam.break_even_km(1_500 * 90) < 1
    heat = kb.transport_for("heat_medium")
    # Hot-water mains run up to 26 km (Temelín to České Budějovice): an incinerator feeds a city
    # network 20 km away.
    assert 15 <= heat.max_distance_km <= 26
    assert kb.transport_for("gas_blast_furnace").max_distance_km > heat.max_distance_km


def test_an_incinerator_steam_reaches_a_chemical_plant_three_km_away_but_not_a_small_hospital_fifteen_km_away(
    kb,
):
    incinerator = Establishment("inc", "Incinérateur", "38.22Z", 49.50, 0.20, 100)
    chemicals = Establishment("chem", "Chimie", "20.14Z", 49.50 + 3 / 111.2 / 1.3, 0.20, 300)
    hospital = Establishment("hosp", "Hôpital", "86.10Z", 49.50 - 15 / 111.2 / 1.3, 0.20, 300)
    result = detect([incinerator, chemicals, hospital], kb=kb)
    pairs = {(o.source_id, o.target_id) for o in result.opportunities if o.type == "substitution"}
    assert ("inc", "chem") in pairs
    lead = next(o for o in result.opportunities if (o.source_id, o.target_id) == ("inc", "chem"))
    assert lead.resource == "steam_mp"
    assert ("inc", "hosp") not in pairs or all(
        o.resource not in ("steam_mp", "heat_medium")
        for o in result.opportunities
        if (o.source_id, o.target_id) == ("inc", "hosp")
    )


def test_hospitals_heat_follows_the_health_sector_statistic(kb):
    """125 kWh/m² of heating and hot water on 70 million m² for ≈ 1.3 million employees: ≈ 7 MWh each,
    so a 1 000-employee hospital buys ≈ 7 GWh of heat, not 25."""
    row = next(r for r in kb.profile_for("86.10Z") if r.direction == "in" and r.resource == "heat_medium")
    assert row.per_employee == pytest.approx(125 * 70e6 / 1.3e6 / 1000, rel=0.05)


def test_steam_users_among_chemistry_metallurgy_food_and_cleaning_have_a_steam_need(kb):
    def steam(code):
        return sum(
            r.per_employee for r in kb.profile_for(code) if r.direction == "in" and r.resource == "steam"
        )

    # Soda ash and caustic concentration: inorganic chemistry uses as much steam as organic chemistry.
    assert steam("20.13B") >= steam("20.14Z")
    # Hydrometallurgy, chocolate and confectionery, tank-cleaning stations: more than the food average.
    assert steam("24.45Z") > 0
    assert steam("10.82Z") > steam("10.71A") and steam("10.82Z") > steam("10.13A")
    assert steam("81.22Z") >= 20


def test_fats_travel_to_the_few_biofuel_plants_across_the_country(kb):
    transport = kb.transport_for("oil_fats_technical")
    assert transport.max_distance_km >= 300
    assert kb.transport_for("oil_cooking_used").code == transport.code
    # 262 km by road costs ≈ 36 €/t, a small share of a fat worth 500 to 900 €/t.
    assert transport.eur_per_t + transport.eur_per_t_km * 262 < 0.1 * 500


def test_treated_effluent_is_not_process_water_for_food_drugs_or_fish_farms(kb):
    rule = kb.rule("SUB-EAU-01")
    for code in ("10.51C", "11.05Z", "21.10Z", "03.22Z"):
        assert not rule.accepts(naf_ancestors(code)), code
    for code in ("20.14Z", "19.20Z", "35.11Z", "01.13Z"):
        assert rule.accepts(naf_ancestors(code)), code
