"""The packaged knowledge base is complete, readable and validated; a broken file is a clear error."""

import math
import shutil

import pytest

from tremplin.engine import KnowledgeBaseError, default_knowledge_base, load_knowledge_base
from tremplin.engine import naf as naf_module
from tremplin.engine.knowledge import DATA_DIR, REFERENCE_KINDS, RULE_ORIGINS, TransportClass


@pytest.fixture(scope="module")
def kb():
    return default_knowledge_base()


# --- size and coverage ----------------------------------------------------------------------------


def test_the_catalogue_has_at_least_250_resources_and_300_rules(kb):
    assert len(kb.resources) >= 250
    assert len(kb.rules) >= 300
    origins = {rule.origin for rule in kb.rules}
    assert origins == set(RULE_ORIGINS)


def test_every_chapter_of_the_list_of_waste_is_covered(kb):
    chapters = {chapter for r in kb.resources.values() for chapter in r.waste_chapters}
    assert chapters >= {f"{n:02d}" for n in range(1, 21)}


def test_the_list_of_waste_is_complete_and_marks_hazardous_codes(kb):
    assert len(kb.list_of_waste) == 842
    assert kb.list_of_waste["10 01 05"] is False
    assert kb.list_of_waste["14 06 03"] is True
    # Every waste code of the catalogue is in the list, hazardous exactly when the list says so.
    for resource in kb.resources.values():
        for code in resource.waste_codes:
            assert kb.list_of_waste[code.code] == code.hazardous, (resource.code, str(code))


def test_utilities_are_first_class_resources(kb):
    for code in (
        "steam_hp", "steam_mp", "steam_lp", "heat_lukewarm", "heat_superheated_water", "heat_flue_gas_hot",
        "gas_blast_furnace", "gas_coke_oven", "gas_refinery_fuel", "biogas", "gas_syngas", "hydrogen",
        "hydrogen_byproduct", "co2_biogenic_pure", "co2_fossil_pure", "gas_nitrogen", "gas_oxygen",
        "air_compressed", "water_demin", "water_cooling", "water_treated_ww", "water_process",
    ):  # fmt: skip
        assert kb.resource(code).role in ("utility", "byproduct", "input"), code
    assert kb.resource("steam_hp").grade > kb.resource("steam_mp").grade > kb.resource("steam_lp").grade


def test_by_products_that_are_not_wastes_have_no_waste_code(kb):
    for code in (
        "bio_molasses",
        "bio_vinasse",
        "chem_glycerine",
        "bio_yeast_cream",
        "bio_beet_pulp",
        "bio_bran",
    ):
        resource = kb.resource(code)
        assert resource.role == "byproduct" and not resource.is_waste, code


def test_the_codes_of_the_first_catalogue_are_all_kept(kb):
    legacy = [
        "bio_food_waste",
        "bio_spent_grain",
        "bio_whey",
        "bio_veg_byproducts",
        "bio_green_waste",
        "bio_manure",
        "bio_fermentation_biomass",
        "bio_animal_feed",
        "bio_fertiliser",
        "bio_digester_feedstock",
        "wood_clean",
        "wood_sawdust",
        "wood_pallets",
        "wood_treated",
        "wood_fuel",
        "wood_panel_feedstock",
        "paper_cardboard",
        "paper_office",
        "plastic_pe_film",
        "plastic_hdpe",
        "plastic_pp",
        "plastic_pet",
        "plastic_eps",
        "plastic_pvc",
        "plastic_mixed",
        "metal_ferrous",
        "metal_aluminium",
        "metal_copper",
        "glass_cullet",
        "glass_flat",
        "min_inert",
        "min_excavated_soil",
        "min_foundry_sand",
        "min_aggregates",
        "min_cement",
        "min_clay",
        "ash_coal_fly",
        "ash_biomass",
        "ash_mswi_bottom",
        "slag_bf",
        "slag_steel",
        "gypsum_fgd",
        "gypsum_waste",
        "gypsum_natural",
        "chem_solvent_spent",
        "chem_solvent",
        "chem_acid_spent",
        "chem_acid",
        "chem_sulphur",
        "oil_mineral_used",
        "oil_lubricant",
        "oil_cooking_used",
        "oil_biofuel_feedstock",
        "sludge_wwtp",
        "sludge_agrifood",
        "sludge_paper",
        "textile_scraps",
        "textile_used",
        "textile_fibre",
        "heat_low",
        "heat_medium",
        "heat_high",
        "steam",
        "cold",
        "biogas",
        "energy_natural_gas",
        "electricity",
        "water_process",
        "water_cooling",
        "water_treated_ww",
        "water_rain",
        "eq_handling",
        "eq_baler",
        "log_freight",
        "log_storage",
        "srv_catering",
        "srv_security",
        "srv_training",
        "srv_mobility",
        "skill_shared_job",
        "prem_space",
    ]
    assert set(legacy) <= set(kb.resources)


def test_plastics_are_listed_by_polymer(kb):
    assert {
        "plastic_pe_film",
        "plastic_hdpe",
        "plastic_pp",
        "plastic_pet",
        "plastic_eps",
        "plastic_pvc",
    } <= set(kb.resources)


def test_hazardous_wastes_are_flagged(kb):
    assert kb.resource("chem_solvent_spent").hazardous
    assert not kb.resource("paper_cardboard").hazardous


# --- references -----------------------------------------------------------------------------------


def _every_source_key(kb):
    keys = set()
    for resource in kb.resources.values():
        keys |= set(resource.sources.values())
        for sub in resource.substitutes:
            keys |= set(sub.sources.values())
    for rule in kb.rules:
        keys |= set(rule.sources.values())
    for transport in kb.transport_classes.values():
        keys |= set(transport.sources.values())
    for group in kb.net_groups.values():
        keys |= set(group.sources.values())
    for route in kb.routes.values():
        keys |= set(route.sources.values())
    for kind in kb.mutualisation_kinds:
        keys |= set(kind.sources.values())
    for rows in kb.profiles.values():
        for row in rows:
            keys |= set(row.sources)
    return keys


def test_every_source_key_resolves_to_a_readable_reference(kb):
    for key in _every_source_key(kb):
        reference = kb.reference(key)
        assert reference.kind in REFERENCE_KINDS
        assert reference.title and reference.publisher, key
        assert kb.citation(key).startswith(reference.title)
    assert kb.citation("ademe_chaleur_fatale_2017") == "La chaleur fatale industrielle — ADEME, 2017"
    with pytest.raises(KeyError):
        kb.reference("expert_estimate")


def test_every_estimate_says_what_it_rests_on_and_how(kb):
    estimates = [r for r in kb.references.values() if r.is_estimate]
    assert len(estimates) >= 20  # split into specific estimates, never one generic key
    for reference in estimates:
        assert reference.rests_on and reference.method, reference.key
        assert reference.title == (
            f"Estimation Tremplin d'après {reference.rests_on} (méthode : {reference.method})"
        )


def test_sector_profiles_rest_on_named_references_not_a_generic_estimate(kb):
    rows = [row for rows in kb.profiles.values() for row in rows]
    published = [row for row in rows if not kb.reference(row.source).is_estimate]
    assert len(published) >= 150
    assert len({row.source for row in rows if kb.reference(row.source).is_estimate}) >= 8
    assert all(row.note for row in rows)


def test_profile_estimates_are_traced_to_the_published_figures_they_rest_on(kb):
    keys = {key for row in (r for rows in kb.profiles.values() for r in rows) for key in row.sources}
    for key in keys:
        reference = kb.reference(key)
        if reference.is_estimate and key != "est_services" and key != "est_profils_sante":
            assert reference.based_on, key
            assert all(not kb.reference(base).is_estimate for base in reference.based_on)


def test_readable_sources_keep_their_link(kb):
    source = kb.sources["ademe_chaleur_fatale_2017"]
    assert source["title"].startswith("La chaleur fatale industrielle")
    assert source["url"].startswith("https://")


# --- rules ----------------------------------------------------------------------------------------


def test_every_rule_links_known_resources_with_a_short_unique_id(kb):
    ids = [rule.id for rule in kb.rules]
    assert len(ids) == len(set(ids))
    for rule in kb.rules:
        assert rule.output in kb.resources and rule.input in kb.resources, rule.id
        assert len(rule.id) <= 64 and rule.ratio > 0


def test_named_rules_come_first_and_keep_their_ids(kb):
    named = [rule for rule in kb.rules if rule.origin == "named"]
    assert kb.rules[: len(named)] == named
    assert {"SUB-BIO-01", "SUB-GYP-01", "SUB-ENE-06", "SUB-EAU-05"} <= {rule.id for rule in named}


def test_every_material_energy_and_water_resource_matches_itself(kb):
    for resource in kb.resources.values():
        kind = kb.families[resource.family].kind
        if kind == "shareable" or resource.role == "feedstock":
            continue
        rules = [r for r in kb.rules if r.output == resource.code and r.input == resource.code]
        assert rules, resource.code
        # Together the rules of the pair accept any receiver.
        assert any("*" in r.receivers for r in rules), resource.code


def test_every_waste_has_somewhere_to_go(kb):
    for resource in kb.resources.values():
        if not resource.is_waste:
            continue
        outlets = [r for r in kb.rules_from(resource.code) if r.origin != "identity"]
        assert outlets, resource.code


def test_every_recovery_route_has_receivers_with_a_capacity(kb):
    rows = {row.resource for rows in kb.profiles.values() for row in rows if row.direction == "in"}
    for route in kb.routes.values():
        assert route.feedstock in kb.resources
        assert kb.resource(route.feedstock).price == (-route.gate_fee[1], -route.gate_fee[0])
        assert route.feedstock in rows, route.code
        assert route.operation in kb.operations


# --- transport ------------------------------------------------------------------------------------


def test_pipes_cost_an_annuity_per_km_and_have_realistic_ceilings(kb):
    steam = kb.transport_for("steam")
    assert steam.mode == "pipe"
    assert 10 <= steam.max_distance_km <= 15
    factor = TransportClass.annuity_factor(0.04, 30)
    assert factor == pytest.approx(0.05783, abs=1e-5)
    assert steam.fixed_eur_per_km_year == pytest.approx(steam.capex_eur_per_km * (factor + steam.om_share))
    assert kb.transport_for("heat_medium").max_distance_km <= 26
    assert kb.transport_for("hydrogen").max_distance_km > steam.max_distance_km
    assert 20 <= kb.transport_for("min_inert").max_distance_km <= 100
    # A large flow pays for a longer pipe than a small one, never beyond the ceiling.
    assert steam.break_even_km(10 * steam.fixed_eur_per_km_year) == pytest.approx(10)
    assert steam.break_even_km(0.5 * steam.fixed_eur_per_km_year) == pytest.approx(0.5)
    assert steam.break_even_km(1e12) == steam.max_distance_km


# --- sector profiles ------------------------------------------------------------------------------


def test_every_class_of_sections_b_to_e_has_its_own_profile(kb):
    subclasses = naf_module.all_naf_codes("subclass")
    for code in naf_module.all_naf_codes("class"):
        if naf_module.naf_section(code) not in "BCDE":
            continue
        levels = [c for c in naf_module.naf_ancestors(code) if naf_module.naf_level(c) != "section"]
        levels += [s for s in subclasses if s.startswith(code)]
        assert any(kb.profiles.get(level) for level in levels), code
        assert kb.profile_for(code)


def test_every_active_profile_row_has_a_plausible_maximum_per_site(kb):
    for rows in kb.profiles.values():
        for row in rows:
            if row.per_employee > 0 or row.per_establishment > 0:
                assert math.isfinite(row.max_per_site) and row.max_per_site > 0, (row.naf, row.resource)
                assert row.max_per_site >= row.per_establishment


def test_a_profile_quantity_never_exceeds_its_maximum(kb):
    row = next(r for r in kb.profile_for("11.05Z") if r.resource == "bio_spent_grain")
    assert row.quantity(10) == pytest.approx(600)  # 60 t per employee
    assert row.quantity(100000) == row.max_per_site
    assert row.is_bounded(100000) and not row.is_bounded(10)


def test_receivers_have_a_need_of_what_they_take(kb):
    def need(naf, resource):
        return any(r.direction == "in" and r.resource == resource for r in kb.profile_for(naf))

    assert need("23.51Z", "rec_r1_cimenterie_solide")  # cement kilns in co-processing
    assert need("38.21Z", "rec_r1_uve") and need("38.21Z", "rec_r3_compostage")
    assert need("35.21Z", "rec_r3_methanisation")
    assert need("24.10Z", "metal_ferrous") and need("23.13Z", "glass_cullet")
    assert need("17.12Z", "paper_cardboard")
    assert need("01.13Z", "heat_low") and need("01.13Z", "co2_liquid")
    assert need("19.20Z", "steam") and need("20.14Z", "steam")


def test_sector_profiles_fall_back_up_the_hierarchy(kb):
    # 10.51C has its own whey row, and inherits division 10's rows and the all-sector rows.
    rows = {(r.direction, r.resource) for r in kb.profile_for("10.51C")}
    assert (
        ("out", "bio_whey") in rows and ("out", "sludge_agrifood") in rows and ("in", "electricity") in rows
    )
    # 10.71C (bakery) switches off division 10's heat output.
    assert ("out", "heat_medium") not in {(r.direction, r.resource) for r in kb.profile_for("10.71C")}


# --- mutualisation --------------------------------------------------------------------------------


def test_mutualisation_kinds_say_who_may_join(kb):
    kinds = {kind.code: kind for kind in kb.mutualisation_kinds}
    training = kinds["formation_partagee"]
    assert training.same_sector_level == "division" and training.max_members <= 10
    assert training.sector_key("20.14Z") == "20" and training.min_member_gain_eur > 0
    services = kinds["services_partages"]
    assert not services.accepts(naf_module.naf_ancestors("01.11Z"), 20)  # no farm
    assert not services.accepts(naf_module.naf_ancestors("84.11Z"), 20)  # no town hall
    assert services.accepts(naf_module.naf_ancestors("20.14Z"), 200)
    assert not services.accepts(naf_module.naf_ancestors("20.14Z"), 2)  # too small
    assert all(kind.max_members <= 12 for kind in kinds.values())


# --- broken files ---------------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_copy_of_the_data_loads(data_copy):
    assert load_knowledge_base(data_copy).resources


def test_a_bad_waste_code_is_a_clear_error(data_copy):
    _replace(data_copy / "resources" / "10_thermal_processes.yaml", '"10 01 05"', '"10 01 5X"')
    with pytest.raises(KnowledgeBaseError, match=r"10_thermal_processes\.yaml.*gypsum_fgd.*waste_codes"):
        load_knowledge_base(data_copy)


def test_a_waste_code_marked_against_the_list_is_a_clear_error(data_copy):
    _replace(data_copy / "resources" / "10_thermal_processes.yaml", '"10 01 05"', '"10 01 05*"')
    with pytest.raises(KnowledgeBaseError, match=r"gypsum_fgd.*non dangereux"):
        load_knowledge_base(data_copy)


def test_an_unknown_source_key_is_a_clear_error(data_copy):
    _replace(data_copy / "profiles" / "23_minerals_metals.csv", "10,250000,kalundborg,", "10,250000,nowhere,")
    with pytest.raises(KnowledgeBaseError, match=r"23_minerals_metals\.csv.*ligne \d+, source"):
        load_knowledge_base(data_copy)


def test_an_estimate_without_what_it_rests_on_is_a_clear_error(data_copy):
    path = data_copy / "references.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("est_densites_vrac:")
    end = text.index("\n", text.index("rests_on:", start))
    path.write_text(text[:start] + "est_densites_vrac:\n  kind: estimate" + text[end:], encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"references\.yaml.*est_densites_vrac\.rests_on"):
        load_knowledge_base(data_copy)


def test_a_profile_row_without_maximum_is_a_clear_error(data_copy):
    _replace(data_copy / "profiles" / "23_minerals_metals.csv", "10,250000,kalundborg,", "10,,kalundborg,")
    with pytest.raises(KnowledgeBaseError, match=r"max_per_site"):
        load_knowledge_base(data_copy)


def test_a_resource_defined_twice_is_a_clear_error(data_copy):
    path = data_copy / "resources" / "99_duplicate.yaml"
    path.write_text(
        "resources:\n  - {code: steam, family: vapeur, label: Vapeur, unit: MWh,"
        " transport: reseau_vapeur, sources: {}}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError, match=r"99_duplicate\.yaml.*en double.*30_utilities_energy\.yaml"):
        load_knowledge_base(data_copy)


def test_an_unknown_recovery_route_is_a_clear_error(data_copy):
    _replace(
        data_copy / "resources" / "20_municipal.yaml",
        "R3-compostage, R3-methanisation, R1-chaufferie",
        "R3-nowhere",
    )
    with pytest.raises(KnowledgeBaseError, match=r"bio_green_waste.*recovery.*R3-nowhere"):
        load_knowledge_base(data_copy)


def test_a_rule_on_an_unknown_resource_is_a_clear_error(data_copy):
    _replace(data_copy / "substitution_rules.yaml", "output: gypsum_fgd", "output: gypsum_fgdx")
    with pytest.raises(KnowledgeBaseError, match=r"SUB-GYP-01.*output"):
        load_knowledge_base(data_copy)


def test_a_missing_file_is_a_clear_error(data_copy):
    (data_copy / "mutualisation.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"mutualisation\.yaml"):
        load_knowledge_base(data_copy)


# --- traders (k2-energy) --------------------------------------------------------------------------


def test_utilities_say_which_activities_trade_them(kb):
    # A steam and heat utility buys and sells every level of steam and heat; gas distributors, water
    # utilities and industrial-gas companies trade theirs. Codes are normalised like rule receivers.
    for code in ("steam", "steam_hp", "steam_mp", "steam_lp", "heat_medium", "heat_lukewarm", "cold"):
        assert kb.resource(code).is_traded_by(naf_module.naf_ancestors("35.30Z")), code
    assert kb.resource("energy_natural_gas").is_traded_by(naf_module.naf_ancestors("35.22Z"))
    assert kb.resource("co2_fossil_pure").is_traded_by(naf_module.naf_ancestors("20.11Z"))
    assert kb.resource("hydrogen_byproduct").is_traded_by(naf_module.naf_ancestors("49.50Z"))
    assert kb.resource("water_process").is_traded_by(naf_module.naf_ancestors("36.00Z"))
    assert not kb.resource("steam").is_traded_by(naf_module.naf_ancestors("20.14Z"))
    # A resource without traders keeps the default (every site is netted).
    assert kb.resource("gypsum_fgd").traded_by == ()


def test_every_member_of_a_traded_net_group_names_the_same_traders(kb):
    # A trader's flows count as stated for netting: a member of the group without the trader would have
    # its estimated flows dropped at that site, so a group's members agree on who trades them.
    by_group = {}
    for resource in kb.resources.values():
        if resource.net_group in kb.net_groups and resource.traded_by:
            by_group.setdefault(resource.net_group, set()).add(resource.traded_by)
    for group, traders in by_group.items():
        members = [r for r in kb.resources.values() if r.net_group == group]
        assert len(traders) == 1 and all(r.traded_by for r in members), group


def test_an_unknown_trader_code_is_a_clear_error(data_copy):
    _replace(
        data_copy / "resources" / "30_utilities_energy.yaml",
        'traded_by: ["35.30"],',
        'traded_by: ["99.99"],',
    )
    with pytest.raises(KnowledgeBaseError, match=r"30_utilities_energy\.yaml.*steam.*traded_by\[0\].*99\.99"):
        load_knowledge_base(data_copy)


def test_a_trader_code_written_as_a_number_is_a_clear_error(data_copy):
    # YAML reads 35.30 unquoted as the number 35.3: the loader asks for text instead of guessing.
    _replace(
        data_copy / "resources" / "30_utilities_energy.yaml", 'traded_by: ["35.30"],', "traded_by: [35.30],"
    )
    with pytest.raises(KnowledgeBaseError, match=r"steam.*traded_by.*liste de textes"):
        load_knowledge_base(data_copy)


def test_a_catalogue_without_traders_still_loads(data_copy):
    # Backwards compatible: the field is optional.
    for path in (data_copy / "resources").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = "\n".join(line.replace(' traded_by: ["35.30"],', "") for line in text.split("\n"))
        path.write_text(text, encoding="utf-8")
    kb = load_knowledge_base(data_copy)
    assert kb.resource("steam_hp").traded_by == ()
