"""The programme's calendar: the reference edition's dates, editing, registrations, iCalendar export."""

import datetime

import icalendar
import pytest
from django.urls import reverse

from tests import factories
from tremplin.coaching.models import Attendance, Event, EventKind, Registration
from tremplin.coaching.services import calendar as services
from tremplin.coaching.services.editions import reference_template
from tremplin.coaching.services.errors import NotAllowed, NotParticipating

pytestmark = pytest.mark.django_db

# The call's table "Les dates à retenir", read by hand.
REFERENCE = [
    ("launch", datetime.date(2019, 5, 7), "half_day", "afternoon"),
    ("workshop_1", datetime.date(2019, 5, 24), "full_day", "all_day"),
    ("workshop_2", datetime.date(2019, 6, 18), "full_day", "all_day"),
    ("workshop_3", datetime.date(2019, 7, 11), "full_day", "all_day"),
    ("workshop_4", datetime.date(2019, 9, 10), "full_day", "all_day"),
    ("rso_1", datetime.date(2019, 11, 5), "half_day", "morning"),
    ("rso_2", datetime.date(2020, 2, 11), "half_day", "morning"),
    ("rso_3", datetime.date(2020, 6, 9), "half_day", "morning"),
    ("closing_review", datetime.date(2020, 10, 8), "half_day", "morning"),
]


def test_the_reference_calendar_holds_the_nine_dates_of_the_2019_call(call):
    services.seed_reference_calendar(call)
    events = list(Event.objects.of_call(call).order_by("date"))
    assert [(e.kind, e.date, e.duration, e.period) for e in events] == REFERENCE
    launch = events[0]
    assert launch.place == "Caen" and launch.place_confirmed
    assert launch.start_time == datetime.time(14, 0)
    workshops = [e for e in events if e.kind.startswith("workshop")]
    assert all(not w.place_confirmed and w.place == "Caen ou Rouen" for w in workshops)


def test_the_closing_review_notes_the_discrepancy_of_the_seed(call):
    services.seed_reference_calendar(call)
    closing = Event.objects.get(call=call, kind=EventKind.CLOSING_REVIEW)
    assert closing.date == datetime.date(2020, 10, 8)
    assert "novembre 2020" in closing.note and "8 octobre 2020" in closing.note


def test_seeding_twice_keeps_nine_events_and_the_programme_teams_changes(call):
    services.seed_reference_calendar(call)
    closing = Event.objects.get(call=call, kind=EventKind.CLOSING_REVIEW)
    closing.date = datetime.date(2020, 11, 17)
    closing.save()
    services.seed_reference_calendar(call)
    assert Event.objects.of_call(call).count() == 9
    closing.refresh_from_db()
    assert closing.date == datetime.date(2020, 11, 17)


def test_the_calendar_page_shows_the_dates_the_places_to_confirm_and_the_note(
    client, call, caux_participation, caux_officer
):
    services.seed_reference_calendar(call)
    client.force_login(caux_officer)
    html = client.get(reverse("coaching_calendar", kwargs={"call_pk": call.pk})).content.decode()
    assert "mardi 7 mai 2019" in html
    assert "jeudi 8 octobre 2020" in html
    assert "à confirmer" in html
    assert "novembre 2020" in html
    # Only the programme team edits the calendar.
    assert reverse("coaching_event_create", kwargs={"call_pk": call.pk}) not in html


def test_the_programme_team_prefills_then_edits_a_date(client, call, programme):
    client.force_login(programme)
    template = reference_template()
    data = {"template": template.pk, "start": "2019-05-07", "action": "apply"}
    client.post(
        reverse("coaching_calendar_prefill", kwargs={"call_pk": call.pk}), data | {"action": "preview"}
    )
    assert not Event.objects.exists()  # a preview creates nothing
    client.post(
        reverse("coaching_calendar_prefill", kwargs={"call_pk": call.pk}),
        data | {"previewed": f"{template.pk}:2019-05-07"},
    )
    assert Event.objects.of_call(call).count() == 9
    workshop = Event.objects.get(call=call, kind=EventKind.WORKSHOP_1)
    response = client.post(
        reverse("coaching_event_edit", kwargs={"pk": workshop.pk}),
        {
            "kind": "workshop_1",
            "title": "",
            "date": "2019-05-24",
            "duration": "full_day",
            "period": "all_day",
            "start_time": "09:30",
            "end_time": "17:00",
            "place": "Rouen, Hôtel de Région",
            "place_confirmed": "on",
            "agenda": "Forces, faiblesses, opportunités, menaces",
            "note": "",
        },
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.place == "Rouen, Hôtel de Région" and workshop.place_confirmed


def test_a_full_day_event_cannot_be_set_in_the_morning(client, call, programme):
    client.force_login(programme)
    response = client.post(
        reverse("coaching_event_create", kwargs={"call_pk": call.pk}),
        {
            "kind": "workshop_1",
            "date": "2019-05-24",
            "duration": "full_day",
            "period": "morning",
            "start_time": "09:30",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_an_officer_cannot_edit_the_calendar(call, caux_participation, caux_officer):
    with pytest.raises(NotAllowed):
        services.prefill_reference_calendar(call, by=caux_officer)


def test_a_territory_registers_its_official_and_officer_and_the_team_records_attendance(
    client, call, caux, caux_participation, caux_officer, programme
):
    launch = services.seed_reference_calendar(call)[0]
    client.force_login(caux_officer)
    url = reverse("coaching_registration_create", kwargs={"pk": launch.pk})
    people = (
        ("Alix Élue", "elected_official", "elue@caux.example"),
        ("Camille Caux", "officer", "x@caux.example"),
    )
    for name, function, email in people:
        client.post(
            url,
            {
                "registration-participation": caux_participation.pk,
                "registration-person_name": name,
                "registration-function": function,
                "registration-email": email,
            },
        )
    registrations = Registration.objects.filter(event=launch, participation=caux_participation)
    assert sorted(registrations.values_list("function", flat=True)) == ["elected_official", "officer"]

    # The officer cannot record attendance; the programme team can.
    officer_reg = registrations.get(function="officer")
    attendance_url = reverse("coaching_registration_attendance", kwargs={"pk": officer_reg.pk})
    assert client.post(attendance_url, {"attendance": "present"}).status_code == 403
    client.force_login(programme)
    client.post(attendance_url, {"attendance": "present"})
    officer_reg.refresh_from_db()
    assert officer_reg.attendance == Attendance.PRESENT


def test_a_territory_cannot_register_to_another_calls_event(call, caux, caux_participation, caux_officer):
    other_call = factories.coaching_call(title="Tremplin EIT 2021")
    event = services.seed_reference_calendar(other_call)[0]
    with pytest.raises(NotParticipating):
        services.register_person(
            event, caux_participation, person_name="X", function="officer", by=caux_officer
        )


def test_the_icalendar_export_parses_back_to_the_nine_events(client, call, caux_participation, caux_officer):
    services.seed_reference_calendar(call)
    client.force_login(caux_officer)
    response = client.get(reverse("coaching_calendar_ics", kwargs={"call_pk": call.pk}))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    # RFC 5545: CRLF line endings, no line longer than 75 octets.
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(events) == 9
    launch = events[0]
    start, end = launch.decoded("DTSTART"), launch.decoded("DTEND")
    # 14:00 in Paris on 7 May 2019 (summer time, UTC+2) is 12:00 UTC.
    assert start.astimezone(datetime.UTC) == datetime.datetime(2019, 5, 7, 12, 0, tzinfo=datetime.UTC)
    assert end - start == datetime.timedelta(hours=3, minutes=30)
    assert str(launch["LOCATION"]) == "Caen"
    assert str(launch["SUMMARY"]).startswith("Réunion de lancement")
    assert len({str(e["UID"]) for e in events}) == 9
    closing = events[-1]
    assert closing.decoded("DTSTART").date() == datetime.date(2020, 10, 8)
    assert "novembre 2020" in str(closing["DESCRIPTION"])
    workshop = events[1]
    assert str(workshop["LOCATION"]) == "Caen ou Rouen (à confirmer)"


def test_the_icalendar_export_escapes_text(call):
    event = services.seed_reference_calendar(call)[0]
    event.place = "Caen; salle 2, étage 1"
    event.save()
    from tremplin.coaching.exports.ical import calendar_ics

    raw = calendar_ics(call, [event]).decode()
    assert "LOCATION:Caen\\; salle 2\\, étage 1" in raw
