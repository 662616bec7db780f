"""Convocations: one mail per registered person with an address, the event attached as iCalendar, sent
after the commit, and an update (SEQUENCE raised) when the event's date or place changed."""

import datetime

import icalendar
import pytest
from django.test import override_settings
from django.urls import reverse

from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import Event, EventKind, Registration
from tremplin.coaching.services import calendar as calendar_services
from tremplin.coaching.services.convocations import send_convocations
from tremplin.coaching.services.errors import NoRecipient, NotAllowed

pytestmark = pytest.mark.django_db


def link_for(path):
    return f"https://tremplin.example{path}"


@pytest.fixture
def launch(call, caux_participation, havre_participation, programme):
    event = calendar_services.seed_reference_calendar(call)[0]
    event.place = "Caen; salle 2, Hôtel de Région"
    event.agenda = "Accueil, présentation de l'opération\nTour de table des territoires"
    event.save()
    for participation, name, email in (
        (caux_participation, "Alix Élue", "elue@caux.example"),
        (caux_participation, "Camille Caux", "officer@caux.example"),
        (havre_participation, "Dominique Havre", "officer@havre.example"),
        (havre_participation, "Sans Adresse", ""),
    ):
        Registration.objects.create(
            event=event, participation=participation, person_name=name, function="officer", email=email
        )
    return event


def _ics(message):
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar; method=PUBLISH")
    raw = content if isinstance(content, bytes) else content.encode()
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    (event,) = calendar.walk("VEVENT")
    return raw.decode(), event


def test_each_person_with_an_address_receives_the_convocation_after_the_commit(
    call, launch, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert send_convocations(call, by=programme, link_for=link_for) == 3
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "elue@caux.example",
        "officer@caux.example",
        "officer@havre.example",
    ]
    message = next(m for m in mailoutbox if m.to == ["officer@caux.example"])
    # French (the platform's language), plain-text subject: an apostrophe is an apostrophe.
    assert (
        message.subject
        == "Convocation : Réunion de lancement, mardi 7 mai 2019 — Tremplin EIT Normandie 2019"
    )
    assert "&#x27;" not in message.body and "&amp;" not in message.body
    assert "Bonjour Camille Caux," in message.body
    assert "Date : mardi 7 mai 2019" in message.body
    assert "Horaires : 14:00–17:30" in message.body
    assert "Lieu : Caen; salle 2, Hôtel de Région" in message.body
    assert "présentation de l'opération" in message.body
    assert f"https://tremplin.example/accompagnement/evenements/{launch.pk}/" in message.body

    raw, vevent = _ics(message)
    # 14:00 in Paris on 7 May 2019 (summer time, UTC+2) is 12:00 UTC; it ends at 17:30 local.
    start = vevent.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Paris"
    assert start.astimezone(datetime.UTC) == datetime.datetime(2019, 5, 7, 12, 0, tzinfo=datetime.UTC)
    assert vevent.decoded("DTEND").astimezone(datetime.UTC) == datetime.datetime(
        2019, 5, 7, 15, 30, tzinfo=datetime.UTC
    )
    assert "DTSTART;TZID=Europe/Paris:20190507T140000" in raw
    # Text escaped per RFC 5545 (3.3.11): "," and ";" with a backslash, a line break as \n.
    assert "LOCATION:Caen\\; salle 2\\, Hôtel de Région" in raw.replace("\r\n ", "")
    assert "Accueil\\, présentation de l'opération\\nTour de table" in raw.replace("\r\n ", "")
    assert str(vevent["LOCATION"]) == "Caen; salle 2, Hôtel de Région"
    assert str(vevent["UID"]) == f"tremplin-event-{launch.pk}@tremplin.localhost"
    assert vevent["SEQUENCE"] == 0

    registrations = Registration.objects.filter(event=launch).exclude(email="")
    assert set(registrations.values_list("convoked_sequence", flat=True)) == {0}
    entry = AuditEntry.objects.get(action="coaching.convocations.sent")
    assert (entry.data["first"], entry.data["updates"]) == (3, 0)


def test_nothing_to_send_twice_until_the_event_changes_then_an_update(
    call, launch, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_convocations(call, by=programme, link_for=link_for)
    first_uid = str(_ics(mailoutbox[0])[1]["UID"])
    mailoutbox.clear()
    with pytest.raises(NoRecipient):
        send_convocations(call, by=programme, link_for=link_for)

    # The agenda changes: not a new version for calendars. The date changes: it is.
    launch.agenda = "Ordre du jour précisé"
    calendar_services.save_event(launch, by=programme)
    assert Event.objects.get(pk=launch.pk).sequence == 0
    launch.date = datetime.date(2019, 5, 9)
    calendar_services.save_event(launch, by=programme)
    assert Event.objects.get(pk=launch.pk).sequence == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert send_convocations(call, by=programme, link_for=link_for) == 3
    message = mailoutbox[0]
    assert message.subject.startswith("Convocation mise à jour : Réunion de lancement, jeudi 9 mai 2019")
    assert "a changé" in message.body
    _raw, vevent = _ics(message)
    assert vevent["SEQUENCE"] == 1
    assert str(vevent["UID"]) == first_uid  # the same event, replaced in the calendar
    assert vevent.decoded("DTSTART").date() == datetime.date(2019, 5, 9)


@override_settings(LANGUAGE_CODE="en")
def test_the_convocation_is_in_english_on_an_english_platform(
    call, launch, programme, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_convocations(call, by=programme, link_for=link_for)
    assert (
        mailoutbox[0].subject
        == "Convocation: Launch meeting, Tuesday 7 May 2019 — Tremplin EIT Normandie 2019"
    )
    assert "Place: Caen; salle 2" in mailoutbox[0].body


def test_only_the_programme_team_sends_convocations(call, launch, caux_officer, mailoutbox):
    with pytest.raises(NotAllowed):
        send_convocations(call, by=caux_officer, link_for=link_for)
    assert not Registration.objects.filter(convoked_sequence__isnull=False).exists()


def test_the_confirmation_screen_says_how_many_people_then_sends(
    client, call, launch, programme, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(programme)
    url = reverse("coaching_convocations", kwargs={"call_pk": call.pk})
    html = client.get(url).content.decode()
    assert "Personnes qui recevront un e-mail : 3" in html
    assert mailoutbox == []
    workshop = Event.objects.get(call=call, kind=EventKind.WORKSHOP_1)
    html = client.get(url, {"events": [workshop.pk]}).content.decode()
    assert "Personnes qui recevront un e-mail : 0" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"events": [launch.pk]}, follow=True)
    assert len(mailoutbox) == 3
    assert "3 convocations sont en cours d" in response.content.decode()
    html = client.get(url).content.decode()
    assert "Personnes qui recevront un e-mail : 0" in html
