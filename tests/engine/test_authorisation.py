"""The receiver's authorisation from its ICPE rubriques: the nomenclature as read, three states of a lead."""

import pytest

from tremplin import engine
from tremplin.engine.authorisation import (
    AUTHORISED,
    NOT_AUTHORISED,
    TO_CHECK,
    AuthorisedRubrique,
    assess,
    normalise_regime,
    rubrique_knowledge,
    waste_hazard,
)
from tremplin.engine.knowledge import Resource, SubstitutionRule, WasteCode


def _waste(*codes):
    return Resource(
        "w", "x", "Déchet", "t", "camion", (0, 0), (0, 0), 0, 0,
        waste_codes=tuple(WasteCode(c.rstrip("*"), c.endswith("*")) for c in codes),
    )  # fmt: skip


def _rule(route="", operation="", rule_input="x", flags=()):
    if route:
        return SubstitutionRule(
            f"REC-{route}-w", "w", f"rec_{route}", ("*",), 1, "", 0, 0, origin="recovery", operation=operation
        )
    return SubstitutionRule("SBS-w-x", "w", rule_input, ("*",), 1, "", 0, 0, flags=flags, origin="substitute")


def test_a_2791_site_receives_non_hazardous_waste_for_treatment():
    c = rubrique_knowledge().categories("2791", "1")
    assert set(c.hazard) == {"non_hazardous", "inert"}
    assert "hazardous" not in c.hazard
    assert set(c.operations) == {"material", "physico_chemical"}
    assert c.regimes == ("A",)


def test_a_2770_site_receives_hazardous_waste_for_thermal_treatment():
    c = rubrique_knowledge().categories("2770")
    assert c.hazard == ("hazardous",)
    assert c.operations == ("thermal",)


def test_a_2716_site_is_transit_of_non_hazardous_non_inert_waste():
    c = rubrique_knowledge().categories("2716")
    assert c.hazard == ("non_hazardous",)
    assert c.operations == ("transit",)


def test_an_alinea_narrows_the_hazard_class():
    kb = rubrique_knowledge()
    assert kb.categories("2760", "1").hazard == ("hazardous",)
    assert kb.categories("2760", "3").hazard == ("inert",)
    assert kb.categories("3520", "b").hazard == ("hazardous",)
    assert kb.categories("1510") is None  # a warehouse is no waste rubrique


def test_regimes_read_as_the_api_writes_them():
    assert [normalise_regime(v) for v in ("Autorisation", "Enregistrement", "Déclaration avec contrôle")] == [
        "A",
        "E",
        "DC",
    ]
    assert normalise_regime("Non classé") == "NC"


def test_concrete_and_bricks_are_inert_and_a_solvent_hazardous():
    kb = rubrique_knowledge()
    assert waste_hazard(_waste("17 01 01", "17 01 02"), kb) == "inert"
    assert waste_hazard(_waste("17 01 01", "17 09 04"), kb) == "non_hazardous"
    assert waste_hazard(_waste("14 06 03*"), kb) == "hazardous"


def test_an_incinerator_of_non_hazardous_waste_is_not_authorised_for_a_hazardous_solvent():
    solvent, burn = _waste("14 06 03*"), _rule("R1-uve", "R1")
    assert assess(solvent, burn, ["2770"]).state == AUTHORISED
    refused = assess(solvent, burn, ["2771", "1510"])
    assert refused.state == NOT_AUTHORISED
    assert refused.rubriques == ()


def test_a_transit_rubrique_may_cover_a_recycling_lead_only():
    paper = _waste("15 01 01")
    result = assess(paper, _rule(), [AuthorisedRubrique("2714", "1", "E", source="Géorisques")])
    assert result.state == TO_CHECK
    assert result.rubriques[0]["code"] == "2714" and result.rubriques[0]["source"] == "Géorisques"
    assert assess(paper, _rule(), ["2791-1"]).state == AUTHORISED


def test_a_family_rubrique_does_not_cover_another_family():
    cardboard, sorting = _waste("15 01 01"), _rule("R12-tri_preparation", "R12")
    # 2713 is the transit of metals: cardboard is no metal, but it is non-hazardous waste in transit.
    assert assess(cardboard, sorting, ["2713"]).state == TO_CHECK
    assert assess(cardboard, sorting, ["2714"]).state == AUTHORISED
    # Glass is inert: the transit of non-inert wastes (2716) does not receive it at all.
    assert assess(_waste("20 01 02"), sorting, ["2716"]).state == NOT_AUTHORISED


def test_a_rubrique_below_its_thresholds_is_to_check():
    assert (
        assess(_waste("15 01 01"), _rule(), [AuthorisedRubrique("2791", "", "Non classé")]).state == TO_CHECK
    )


def test_no_icpe_data_is_to_check_and_spreading_is_not_assessed():
    assert assess(_waste("02 02 04"), _rule(), None).state == TO_CHECK
    assert assess(_waste("02 02 04"), _rule("R10-epandage", "R10"), []) is None


def test_waste_leaving_waste_status_is_to_check_rather_than_refused():
    result = assess(_waste("17 01 01"), _rule(flags=("sortie_statut_dechet",)), ["1510"])
    assert result.state == TO_CHECK


SITES = [
    engine.Establishment("menuiserie", "Menuiserie", "16.23Z", 49.49, 0.11, 80),
    engine.Establishment("uve", "UVE", "38.21Z", 49.50, 0.12, 30),
]


def _uve_lead(result):
    return next(o for o in result.opportunities if o.rule_id == "REC-R1-uve-muni_residual")


def test_without_authorisations_the_lead_keeps_the_generic_point():
    lead = _uve_lead(engine.detect(SITES))
    assert "icpe_receveur" in lead.regulatory_flags
    assert lead.receiver_authorisation is None
    assert lead.as_dict()["receiver_authorisation"] is None


@pytest.mark.parametrize(
    ("rubriques", "state", "flag"),
    [
        (["2771"], AUTHORISED, "icpe_receveur_autorise"),
        (["2716"], TO_CHECK, "icpe_receveur_a_verifier"),
        (["1510"], NOT_AUTHORISED, "icpe_receveur_non_autorise"),
    ],
)
def test_the_receivers_rubriques_give_the_lead_its_state(rubriques, state, flag):
    result = engine.detect(SITES, authorisations={"uve": rubriques})
    lead = _uve_lead(result)
    assert lead.receiver_authorisation["state"] == state
    assert lead.regulatory_flags[-1] == flag and "icpe_receveur" not in lead.regulatory_flags
    assert lead.receiver_authorisation["reason"] in lead.explanation
    assert result.stats["receiver_authorisation"][state] >= 1


def test_a_receiver_absent_from_the_authorisations_is_to_check():
    lead = _uve_lead(engine.detect(SITES, authorisations={"menuiserie": ["2714"]}))
    assert lead.receiver_authorisation["state"] == TO_CHECK
    assert lead.receiver_authorisation["rubriques"] == []


def test_authorisations_change_no_figure_of_the_lead():
    plain = _uve_lead(engine.detect(SITES))
    given = _uve_lead(engine.detect(SITES, authorisations={"uve": ["1510"]}))
    assert (given.gain_eur_per_year, given.quantity, given.rank) == (
        plain.gain_eur_per_year,
        plain.quantity,
        plain.rank,
    )
