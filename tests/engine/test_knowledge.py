"""The packaged knowledge base is complete and validated; a broken file is a clear error."""

import shutil

import pytest

from tremplin.engine import KnowledgeBaseError, default_knowledge_base, load_knowledge_base
from tremplin.engine.knowledge import DATA_DIR


def test_every_family_of_the_brief_is_covered():
    kb = default_knowledge_base()
    families = {r.family for r in kb.resources.values()}
    for family in (
        "biodechets",
        "bois",
        "papiers_cartons",
        "plastiques",
        "metaux_ferreux",
        "metaux_non_ferreux",
        "verre",
        "mineraux_btp",
        "cendres",
        "laitiers",
        "gypse",
        "chimie",
        "huiles",
        "boues",
        "textiles",
        "chaleur",
        "vapeur",
        "froid",
        "combustibles_gazeux",
        "electricite",
        "eau",
        "equipements",
        "logistique",
        "services",
        "competences",
        "locaux",
    ):
        assert family in families, family


def test_plastics_are_listed_by_polymer():
    codes = set(default_knowledge_base().resources)
    assert {
        "plastic_pe_film",
        "plastic_hdpe",
        "plastic_pp",
        "plastic_pet",
        "plastic_eps",
        "plastic_pvc",
    } <= codes


def test_heat_travels_a_few_km_and_bulk_solids_tens_of_km():
    kb = default_knowledge_base()
    assert kb.transport_for("steam").max_distance_km <= 10
    assert kb.transport_for("heat_medium").max_distance_km <= 10
    assert 20 <= kb.transport_for("min_inert").max_distance_km <= 100


def test_hazardous_wastes_are_flagged():
    kb = default_knowledge_base()
    assert kb.resource("chem_solvent_spent").hazardous
    assert not kb.resource("paper_cardboard").hazardous


def test_sector_profiles_fall_back_up_the_hierarchy():
    kb = default_knowledge_base()
    # 10.51C has its own whey row, and inherits division 10's rows and the all-sector rows.
    rows = {(r.direction, r.resource) for r in kb.profile_for("10.51C")}
    assert (
        ("out", "bio_whey") in rows and ("out", "sludge_agrifood") in rows and ("in", "electricity") in rows
    )
    # 10.71C (bakery) switches off division 10's heat output.
    assert ("out", "heat_medium") not in {(r.direction, r.resource) for r in kb.profile_for("10.71C")}


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_copy_of_the_data_loads(data_copy):
    assert load_knowledge_base(data_copy).resources


def test_a_bad_waste_code_is_a_clear_error(data_copy):
    path = data_copy / "resources.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"10 01 05"', '"10 01 5X"'), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"resources\.yaml.*gypsum_fgd.*waste_codes"):
        load_knowledge_base(data_copy)


def test_an_unknown_source_key_is_a_clear_error(data_copy):
    path = data_copy / "sector_profiles.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("kalundborg,200", "nowhere,200"), encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError, match=r"sector_profiles\.csv.*ligne \d+, source"):
        load_knowledge_base(data_copy)


def test_a_rule_on_an_unknown_resource_is_a_clear_error(data_copy):
    path = data_copy / "substitution_rules.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("output: gypsum_fgd", "output: gypsum_fgdx"),
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeBaseError, match=r"SUB-GYP-01.*output"):
        load_knowledge_base(data_copy)


def test_a_missing_file_is_a_clear_error(data_copy):
    (data_copy / "mutualisation.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"mutualisation\.yaml"):
        load_knowledge_base(data_copy)
