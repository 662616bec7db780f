"""Seeding demonstration territories and users in the database, and the seed-demo command."""

import io
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from tests import factories
from tremplin.accounts.models import Membership, Role, TerritoryFunction, User
from tremplin.demo.services import (
    CAUX_SEINE,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    LE_HAVRE,
    MissingGeography,
    seed_demo,
    seed_demo_territory,
    seed_demo_users,
    seed_reference_edition,
)
from tremplin.establishments.models import DataOrigin, Establishment
from tremplin.geo.models import Epci
from tremplin.territories.models import Territory

SNAPSHOT_FIELDS = (
    "pk",
    "siret",
    "name",
    "naf_code",
    "headcount_band",
    "commune_id",
    "address",
    "latitude",
    "longitude",
)


def _snapshot(territory):
    return sorted(territory.establishments.values_list(*SNAPSHOT_FIELDS))


def _demo_users():
    return User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


@pytest.mark.django_db
def test_seeding_a_territory_creates_its_workspace_with_flagged_demo_establishments():
    epci = Epci.objects.get(siren=CAUX_SEINE)
    territory = seed_demo_territory(epci)
    assert territory == Territory.objects.get(epci=epci)
    establishments = territory.establishments.all()
    assert 300 <= establishments.count() <= 900
    assert not establishments.exclude(is_demo=True, origin=DataOrigin.DEMO).exists()
    assert not establishments.exclude(commune__epci=epci).exists()
    for establishment in establishments:
        establishment.full_clean(validate_unique=False, validate_constraints=False)


@pytest.mark.django_db
def test_seeding_twice_leaves_the_same_establishments_in_place():
    epci = Epci.objects.get(siren=CAUX_SEINE)
    first = _snapshot(seed_demo_territory(epci, seed=7))
    second = _snapshot(seed_demo_territory(epci, seed=7))
    assert second == first


@pytest.mark.django_db
def test_reseeding_with_another_seed_replaces_demo_data_and_keeps_real_establishments():
    territory = factories.territory(CAUX_SEINE)
    real = factories.establishment(territory)
    seed_demo_territory(territory.epci, seed=1)
    first = set(territory.establishments.filter(is_demo=True).values_list("siret", flat=True))
    seed_demo_territory(territory.epci, seed=2)
    second = set(territory.establishments.filter(is_demo=True).values_list("siret", flat=True))
    assert first and second and not first & second
    assert Establishment.objects.filter(pk=real.pk, is_demo=False).exists()
    assert territory.establishments.count() == len(second) + 1


@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_and_is_idempotent():
    first = seed_demo()
    user_count, membership_count = _demo_users().count(), Membership.objects.count()
    establishment_count = Establishment.objects.count()
    contact = Membership.objects.get(role=Role.COMPANY_CONTACT)

    second = seed_demo()

    assert second.logins == first.logins
    assert _demo_users().count() == user_count == 6
    assert Membership.objects.count() == membership_count == 6
    assert Establishment.objects.count() == establishment_count
    assert Membership.objects.get(role=Role.COMPANY_CONTACT).establishment_id == contact.establishment_id
    counts = [[seeded.establishment_count for seeded in report.territories] for report in (first, second)]
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_the_demo_users_hold_the_expected_roles_and_sign_in_with_the_demo_password():
    seed_demo()
    caux, havre = Territory.objects.get(epci__siren=CAUX_SEINE), Territory.objects.get(epci__siren=LE_HAVRE)
    memberships = Membership.objects.select_related("user", "establishment")
    assert memberships.get(role=Role.PROGRAMME_TEAM).organisation == "Région Normandie"
    assert memberships.get(role=Role.COMMITTEE_MEMBER).organisation == "DREAL Normandie"
    assert {(m.territory_id, m.function) for m in memberships.filter(role=Role.TERRITORY_TEAM)} == {
        (caux.pk, TerritoryFunction.ELECTED_OFFICIAL),
        (caux.pk, TerritoryFunction.OFFICER),
        (havre.pk, TerritoryFunction.OFFICER),
    }
    contact = memberships.get(role=Role.COMPANY_CONTACT)
    assert contact.establishment.territory == caux and contact.establishment.is_demo
    for user in _demo_users():
        assert authenticate(username=user.email, password=DEMO_PASSWORD) == user


@pytest.mark.django_db
def test_demo_users_are_reset_to_their_known_state():
    seed_demo(sirens=[CAUX_SEINE], with_users=False)
    seed_demo_users()
    officer = User.objects.get(email=f"technicien.cauxseine@{DEMO_EMAIL_DOMAIN}")
    officer.set_password("changed during the demo")
    officer.save()
    Membership.objects.create(user=officer, role=Role.COMMITTEE_MEMBER, organisation="ADEME")

    seed_demo_users()

    officer.refresh_from_db()
    assert officer.check_password(DEMO_PASSWORD)
    assert list(officer.memberships.values_list("role", flat=True)) == [Role.TERRITORY_TEAM]


@pytest.mark.django_db
def test_an_epci_missing_from_the_database_stops_seeding_before_any_write():
    with pytest.raises(MissingGeography) as raised:
        seed_demo(sirens=[CAUX_SEINE, "123456789"])
    assert raised.value.sirens == ("123456789",)
    assert not Territory.objects.exists() and not _demo_users().exists()


@pytest.mark.django_db
def test_the_command_reports_establishments_and_logins():
    out = io.StringIO()
    call_command("seed_demo", "--territory", CAUX_SEINE, "--seed", "3", stdout=out)
    text = out.getvalue()
    count = Territory.objects.get(epci__siren=CAUX_SEINE).establishments.count()
    assert re.search(rf"Caux Seine Agglo \({CAUX_SEINE}\) : {count} établissements", text)
    assert f"programme@{DEMO_EMAIL_DOMAIN}" in text and DEMO_PASSWORD in text
    assert "Contact entreprise" in text and "élu référent" in text


@pytest.mark.django_db
def test_the_command_can_leave_users_alone():
    out = io.StringIO()
    call_command("seed_demo", "--territory", CAUX_SEINE, "--no-users", "--no-programme", stdout=out)
    assert "Comptes de démonstration" not in out.getvalue()
    assert not _demo_users().exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("siren", "message"), [("123456789", "load-geo"), ("20001070", "SIREN")])
def test_the_command_explains_what_is_missing(siren, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", "--territory", siren, stdout=io.StringIO())


@pytest.mark.django_db
def test_the_demo_holds_the_reference_edition_with_its_calendar():
    from tremplin.coaching.models import Event
    from tremplin.programme.models import Call

    seed_demo_users()
    first = seed_reference_edition()
    second = seed_reference_edition()
    call = Call.objects.get()
    assert first.call == second.call == call
    assert call.places == 8
    assert call.deadline.astimezone(ZoneInfo("Europe/Paris")).date() == date(2019, 3, 11)
    # The seed's calendar table: launch, four workshops, three RSO, the closing review.
    assert Event.objects.filter(call=call).count() == 9
    assert sorted(Event.objects.filter(call=call).values_list("date", flat=True))[0] == date(2019, 5, 7)


@pytest.mark.django_db
def test_every_demo_applicant_has_an_economic_fabric_and_a_potential_figure():
    from tremplin.programme.models import Application

    seed_reference_edition()
    applications = Application.objects.select_related("epci")
    assert applications.count() == 12
    for application in applications:
        establishments = Establishment.objects.filter(territory__epci=application.epci, is_demo=True)
        assert establishments.count() >= 40, application.epci.name
        assert application.potential_score, application.epci.name  # computed, and not zero
