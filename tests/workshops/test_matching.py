"""Joining, declaring and the engine's matches over the workshop's declarations."""

import pytest

from tremplin.workshops import services
from tremplin.workshops.exceptions import WorkshopClosed, WorkshopError
from tremplin.workshops.matching import NEW_COMPANY_NAF, engine_inputs
from tremplin.workshops.models import Match, MatchState

pytestmark = pytest.mark.django_db


def _brewery_and_farm_declare(workshop, sites, *, grain=200.0, feed=100.0):
    brewery, farm = sites
    a = services.join_workshop(workshop, establishment=brewery, name="Alice")
    b = services.join_workshop(workshop, establishment=farm, name="Bob", email="bob@ferme.example")
    services.declare(a, kind="have", resource="bio_spent_grain", quantity=grain, unit="t")
    services.declare(b, kind="want", resource="bio_animal_feed", quantity=feed, unit="t")
    return a, b


def test_a_have_and_a_want_make_a_substitution_match_with_road_distance(workshop, sites):
    _a, _b = _brewery_and_farm_declare(workshop, sites)
    match = Match.objects.get(workshop=workshop)
    assert match.kind == "substitution"
    assert match.resource == "bio_spent_grain"
    assert match.data["rule_id"] == "SUB-BIO-01"
    assert {c.establishment for c in match.companies.all()} == set(sites)
    # 5 km due north on the sphere, times the detour factor 1.3.
    assert match.distance_km == pytest.approx(6.5, abs=0.01)
    # 200 t of spent grain replace 200 x 0.25 = 50 t of feed, less than the 100 t wanted: all 200 t go.
    assert match.data["quantity"] == pytest.approx(200.0)
    assert match.quantified
    assert match.data["confidence"] == "workshop"
    workshop.refresh_from_db()
    assert workshop.matched_version == workshop.inputs_version


def test_a_declaration_without_quantity_is_matched_but_not_figured(workshop, sites):
    brewery, farm = sites
    a = services.join_workshop(workshop, establishment=brewery)
    b = services.join_workshop(workshop, establishment=farm)
    services.declare(a, kind="have", resource="bio_spent_grain")
    services.declare(b, kind="want", resource="bio_animal_feed", quantity=100, unit="t")
    match = Match.objects.get(workshop=workshop)
    assert not match.quantified


def test_quantities_are_converted_to_the_resources_unit(workshop, sites):
    a, _b = _brewery_and_farm_declare(workshop, sites)
    declaration = services.declare(a, kind="have", resource="bio_spent_grain", quantity=1500, unit="kg")
    assert declaration.quantity_per_year == pytest.approx(1.5)
    with pytest.raises(WorkshopError):
        services.declare(a, kind="have", resource="bio_spent_grain", quantity=3, unit="MWh")


def test_withdrawing_the_want_removes_the_proposed_match_but_a_pinned_one_stays(workshop, sites, officer):
    _a, b = _brewery_and_farm_declare(workshop, sites)
    want = b.declarations.get()
    services.withdraw_declaration(want, participant=b)
    assert not Match.objects.filter(workshop=workshop).exists()
    services.declare(b, kind="want", resource="bio_animal_feed", quantity=100, unit="t")
    match = Match.objects.get(workshop=workshop)
    services.set_match_state(match, "pin", by=officer)
    services.withdraw_declaration(b.declarations.get(), participant=b)
    match.refresh_from_db()
    assert match.state == MatchState.PINNED and not match.current


def test_a_participant_cannot_withdraw_anothers_declaration(workshop, sites):
    a, b = _brewery_and_farm_declare(workshop, sites)
    with pytest.raises(WorkshopError):
        services.withdraw_declaration(b.declarations.get(), participant=a)


def test_a_new_company_stands_at_the_territorys_centre_under_no_named_sector(workshop, sites):
    participant = services.join_workshop(workshop, new_company="  Menuiserie   Durand ")
    assert participant.company.pending_check and participant.company.typed_name == "Menuiserie Durand"
    services.declare(participant, kind="have", resource="wood_pallets", quantity=10)
    establishments, flows, _quantified = engine_inputs(workshop)
    new = next(e for e in establishments if e.id == str(participant.company_id))
    brewery, farm = sites
    assert new.naf == NEW_COMPANY_NAF
    assert new.lat == pytest.approx((brewery.latitude + farm.latitude) / 2)
    assert [(f.resource, f.quantity, f.basis) for f in flows] == [("wood_pallets", 10.0, "workshop")]


def test_checking_a_new_company_folds_it_into_the_establishments_entry(workshop, sites, officer):
    brewery, _farm = sites
    known = services.join_workshop(workshop, establishment=brewery)
    typed = services.join_workshop(workshop, new_company="Brasserie d. Falaises")
    services.declare(typed, kind="have", resource="bio_spent_grain", quantity=10)
    company = services.check_company(typed.company, brewery, by=officer)
    assert company == known.company
    typed.refresh_from_db()
    assert typed.company == known.company
    assert workshop.companies.count() == 1


def test_a_closed_workshop_refuses_joining_and_declaring(workshop, sites, officer):
    a, _b = _brewery_and_farm_declare(workshop, sites)
    services.close_workshop(workshop, by=officer)
    workshop.refresh_from_db()
    with pytest.raises(WorkshopClosed):
        services.join_workshop(workshop, new_company="Retardataire")
    a.workshop.refresh_from_db()
    with pytest.raises(WorkshopClosed):
        services.declare(a, kind="have", resource="wood_pallets")


def test_only_the_team_prepares_pins_and_closes(workshop, sites, havre):
    from tests import factories
    from tremplin.workshops.exceptions import TeamOnly

    outsider = factories.territory_officer(havre)
    _brewery_and_farm_declare(workshop, sites)
    match = Match.objects.get(workshop=workshop)
    for attempt in (
        lambda: services.set_match_state(match, "pin", by=outsider),
        lambda: services.close_workshop(workshop, by=outsider),
        lambda: services.note_match(match, "x", by=outsider),
        lambda: services.create_workshop(
            workshop.territory, by=outsider, theme="x", date=workshop.date, place=""
        ),
    ):
        with pytest.raises(TeamOnly):
            attempt()


def test_merging_two_matches_pins_the_survivor(workshop, sites, officer, caux):
    from tests import factories

    _brewery, farm = sites
    farm2 = factories.establishment(
        caux, name="Ferme 2", naf_code="01.41Z", latitude=farm.latitude, longitude=farm.longitude
    )
    _a, _b = _brewery_and_farm_declare(workshop, sites)
    c = services.join_workshop(workshop, establishment=farm2)
    services.declare(c, kind="want", resource="bio_animal_feed", quantity=100, unit="t")
    first, second = Match.objects.filter(workshop=workshop).order_by("rank")[:2]
    merged = services.merge_matches(first, second, by=officer)
    second.refresh_from_db()
    assert merged.state == MatchState.PINNED
    assert second.state == MatchState.MERGED and second.merged_into == merged
