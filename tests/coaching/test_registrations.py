"""Registering every selected territory's declared official and officer in one step; duplicates refused;
the attendance summary per territory and its export."""

import csv
import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import Attendance, Event, EventKind, Registration
from tremplin.coaching.services import calendar as calendar_services
from tremplin.coaching.services import registrations as services
from tremplin.coaching.services.attendance import attendance_summary
from tremplin.coaching.services.errors import DuplicateRegistration, NotAllowed
from tremplin.geo.models import Epci
from tremplin.programme.models import Application, ApplicationStatus

pytestmark = pytest.mark.django_db

FECAMP = "200069821"


def selected_application(call, siren, slug, **people):
    values = {
        "official_name": f"Élue {slug}",
        "official_role": "Vice-présidente",
        "official_email": f"elue@{slug}.example",
        "officer_name": f"Chargé {slug}",
        "officer_role": "Chargé de mission EIT",
        "officer_email": f"technicien@{slug}.example",
    }
    values.update(people)
    return Application.objects.create(
        call=call,
        epci=Epci.objects.get(siren=siren),
        applicant=factories.user(),
        status=ApplicationStatus.SELECTED,
        **values,
    )


@pytest.fixture
def three(call, programme):
    """Three selected territories, each declaring two people, and the reference edition's nine events."""
    calendar_services.seed_reference_calendar(call)
    participations = {}
    for siren, slug in ((CAUX_SEINE, "caux"), (LE_HAVRE, "havre"), (FECAMP, "fecamp")):
        participations[slug] = factories.coaching_participation(call, factories.territory(siren))
        selected_application(call, siren, slug)
    return participations


def test_three_territories_times_nine_events_times_two_people_make_54_registrations(call, programme, three):
    plan = services.plan_registrations(call)
    assert (plan.to_create, plan.duplicates) == (54, 0)  # 3 × 9 × 2, nothing yet
    assert Registration.objects.count() == 0  # the preview writes nothing

    done = services.register_declared_people(call, by=programme)
    assert (done.to_create, done.duplicates) == (54, 0)
    assert Registration.objects.count() == 54
    caux = Registration.objects.filter(participation=three["caux"])
    assert caux.count() == 18
    assert set(caux.values_list("function", "person_name", "email")) == {
        ("elected_official", "Élue caux", "elue@caux.example"),
        ("officer", "Chargé caux", "technicien@caux.example"),
    }
    assert set(caux.values_list("registered_by", flat=True)) == {programme.pk}

    again = services.register_declared_people(call, by=programme)
    assert (again.to_create, again.duplicates) == (0, 54)
    assert Registration.objects.count() == 54


def test_the_bulk_registration_is_journaled_per_territory(call, programme, three):
    services.register_declared_people(call, by=programme)
    entries = AuditEntry.objects.filter(action="coaching.registrations.bulk_created")
    assert entries.count() == 3
    entry = entries.get(territory=three["havre"].territory)
    assert entry.data == {"events": 9, "created": 18, "duplicates": 0}
    # The journal never keeps a person's name or address.
    assert "havre.example" not in str(entry.data) and "Chargé" not in str(entry.data)


def test_a_chosen_set_of_events_and_someone_already_registered_by_hand(call, programme, three, caux_officer):
    events = list(Event.objects.filter(call=call, kind__in=[EventKind.LAUNCH, EventKind.WORKSHOP_1]))
    launch = next(e for e in events if e.kind == EventKind.LAUNCH)
    # The officer registered by hand with the address in capitals: the same person.
    calendar_services.register_person(
        launch,
        three["caux"],
        person_name="C. Caux",
        function="officer",
        email="Technicien@CAUX.example",
        by=caux_officer,
    )
    plan = services.register_declared_people(call, by=programme, events=events)
    # 3 territories × 2 events × 2 people = 12, less the one already there.
    assert (plan.to_create, plan.duplicates) == (11, 1)
    assert Registration.objects.filter(event__in=events).count() == 12
    assert not Registration.objects.exclude(event__in=events).exists()


def test_a_person_without_address_is_recognised_by_name_whatever_the_accents_and_case(call, programme, three):
    Application.objects.filter(epci__siren=FECAMP).update(official_email="", officer_email="")
    launch = Event.objects.get(call=call, kind=EventKind.LAUNCH)
    Registration.objects.create(
        event=launch,
        participation=three["fecamp"],
        person_name="  ELUE   Fecamp ",
        function="elected_official",
    )
    plan = services.register_declared_people(call, by=programme)
    assert (plan.to_create, plan.duplicates) == (53, 1)


def test_a_territory_without_a_selected_application_is_reported_not_guessed(call, programme, three):
    Application.objects.filter(epci__siren=LE_HAVRE).update(status=ApplicationStatus.NOT_SELECTED)
    plan = services.register_declared_people(call, by=programme)
    assert plan.to_create == 36
    assert plan.without_people == [three["havre"]]


def test_only_the_programme_team_registers_every_territory(call, three, caux_officer):
    with pytest.raises(NotAllowed):
        services.register_declared_people(call, by=caux_officer)
    assert not Registration.objects.exists()


def test_the_database_refuses_the_same_person_twice_at_one_event(call, three):
    launch = Event.objects.get(call=call, kind=EventKind.LAUNCH)
    Registration.objects.create(
        event=launch, participation=three["caux"], person_name="A", function="officer", email="a@caux.example"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=launch,
            participation=three["havre"],
            person_name="B",
            function="officer",
            email="A@caux.example",
        )


def test_registering_by_hand_someone_already_registered_says_so(client, call, three, caux_officer):
    launch = Event.objects.get(call=call, kind=EventKind.LAUNCH)
    calendar_services.register_person(
        launch,
        three["caux"],
        person_name="Camille",
        function="officer",
        email="c@caux.example",
        by=caux_officer,
    )
    with pytest.raises(DuplicateRegistration):
        calendar_services.register_person(
            launch,
            three["caux"],
            person_name="Camille Caux",
            function="officer",
            email="C@caux.example",
            by=caux_officer,
        )
    client.force_login(caux_officer)
    response = client.post(
        reverse("coaching_registration_create", kwargs={"pk": launch.pk}),
        {
            "registration-participation": three["caux"].pk,
            "registration-person_name": "Camille",
            "registration-function": "officer",
            "registration-email": "c@caux.example",
        },
        follow=True,
    )
    assert "déjà inscrite à cet événement" in response.content.decode()
    assert Registration.objects.filter(event=launch).count() == 1


def test_the_preview_page_then_the_registration_page(client, call, programme, three):
    client.force_login(programme)
    url = reverse("coaching_bulk_registration", kwargs={"call_pk": call.pk})
    html = client.get(url).content.decode()
    assert "54 inscriptions seront créées pour 9 événements ; 0 existent déjà" in html
    assert "technicien@havre.example" in html
    assert Registration.objects.count() == 0
    launch = Event.objects.get(call=call, kind=EventKind.LAUNCH)
    html = client.get(url, {"events": [launch.pk]}).content.decode()
    assert "6 inscriptions seront créées pour 1 événements" in html

    response = client.post(url, {"events": [launch.pk]}, follow=True)
    assert Registration.objects.count() == 6
    assert "6 inscriptions créées ; 0 personnes déjà inscrites ont été ignorées." in response.content.decode()
    response = client.post(url, follow=True)
    assert Registration.objects.count() == 54
    assert (
        "48 inscriptions créées ; 6 personnes déjà inscrites ont été ignorées." in response.content.decode()
    )


# Attendance summary -----------------------------------------------------------------------------------


def _record(registration_filter, attendance):
    Registration.objects.filter(**registration_filter).update(attendance=attendance)


def test_the_attendance_summary_counts_each_territory_at_each_event(client, call, programme, three):
    services.register_declared_people(call, by=programme)
    events = {e.kind: e for e in Event.objects.of_call(call)}
    caux, havre = three["caux"], three["havre"]
    # Caux: launch both present; workshop 1 official present, officer absent; workshop 2 both excused;
    # workshop 3 both absent; workshop 4 one excused, one absent; the 4 others not recorded.
    _record({"participation": caux, "event": events["launch"]}, Attendance.PRESENT)
    _record({"participation": caux, "event": events["workshop_1"], "function": "elected_official"}, "present")
    _record({"participation": caux, "event": events["workshop_1"], "function": "officer"}, "absent")
    _record({"participation": caux, "event": events["workshop_2"]}, Attendance.EXCUSED)
    _record({"participation": caux, "event": events["workshop_3"]}, Attendance.ABSENT)
    _record({"participation": caux, "event": events["workshop_4"], "function": "officer"}, "excused")
    _record({"participation": caux, "event": events["workshop_4"], "function": "elected_official"}, "absent")
    # Le Havre: launch one present, the other not recorded yet (still attended); RSO 1 one absent and one
    # not recorded: not recorded.
    _record({"participation": havre, "event": events["launch"], "function": "officer"}, "present")
    _record({"participation": havre, "event": events["rso_1"], "function": "officer"}, "absent")

    _events, rows = attendance_summary(call)
    by_name = {row.participation.territory.name: row for row in rows}
    row = by_name[caux.territory.name]
    assert (row.attended, row.excused, row.absent, row.not_recorded) == (2, 2, 1, 4)
    assert row.rate == 40  # 2 attended of 5 recorded
    row = by_name[havre.territory.name]
    assert (row.attended, row.excused, row.absent, row.not_recorded) == (1, 0, 0, 8)
    assert row.rate == 100
    row = by_name[three["fecamp"].territory.name]
    assert (row.attended, row.not_recorded, row.rate) == (0, 9, None)

    client.force_login(programme)
    html = client.get(reverse("coaching_call", kwargs={"call_pk": call.pk})).content.decode()
    assert "Présence par territoire" in html and "40 %" in html

    response = client.get(reverse("coaching_attendance_csv", kwargs={"call_pk": call.pk}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Territoire" and lines[0][-1] == "Taux de présence (%) sur les événements relevés"
    caux_line = next(line for line in lines if line[1] == CAUX_SEINE)
    assert caux_line[2:] == ["9", "2", "2", "1", "4", "40"]
    fecamp_line = next(line for line in lines if line[1] == FECAMP)
    assert fecamp_line[2:] == ["9", "0", "0", "0", "9", ""]


def test_two_people_erased_from_the_same_event_do_not_collide(call, three):
    from tremplin.privacy.holders import _erase_registration

    launch = Event.objects.get(call=call, kind=EventKind.LAUNCH)
    first, second = (
        Registration.objects.create(
            event=launch, participation=three["caux"], person_name=name, function="officer", email=email
        )
        for name, email in (("Alix", "alix@caux.example"), ("Camille", "camille@caux.example"))
    )
    _erase_registration(first, None)
    _erase_registration(second, None)
    assert set(Registration.objects.filter(event=launch).values_list("email", flat=True)) == {""}
    first.refresh_from_db()
    assert "alix" not in first.person_key
