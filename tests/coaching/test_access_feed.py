"""A person's calendar feed: a secret address, stored hashed, read without a session, revocable; it shows
the events the person may see and never another territory's registrations.

Personas: Caux Seine's officer (the owner), Le Havre's officer (a colleague territory of the same call),
a committee member seated on the call, an officer outside the call, the programme team, anonymous.
"""

import hashlib

import icalendar
import pytest
from django.urls import reverse

from tests import factories
from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import CalendarFeed, Event, Registration
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.coaching.services.feeds import renew_feed, revoke_feed

pytestmark = pytest.mark.django_db

FECAMP = "200069821"

ACCESS_CHECKED_URLS = {"calendar_feed"}


@pytest.fixture
def world(call, caux_participation, havre_participation, caux_officer, havre_officer, programme):
    events = {e.kind: e for e in seed_reference_calendar(call)}
    Registration.objects.create(
        event=events["launch"],
        participation=caux_participation,
        person_name="Camille Caux",
        function="officer",
    )
    Registration.objects.create(
        event=events["launch"],
        participation=havre_participation,
        person_name="Dominique Havre",
        function="officer",
    )
    other_call = factories.coaching_call(title="Tremplin EIT Bretagne 2027")
    Event.objects.create(
        call=other_call,
        kind="launch",
        date="2027-03-02",
        duration="half_day",
        period="morning",
        start_time="09:30",
        end_time="12:30",
    )
    return {
        "events": events,
        "owner": caux_officer,
        "colleague": havre_officer,
        "committee": factories.seated_committee_member(call),
        "stranger": factories.territory_officer(factories.territory(FECAMP)),
        "programme": programme,
    }


def _feed(client, token):
    return client.get(reverse("calendar_feed", kwargs={"token": token}))


def _text(response) -> str:
    """The feed unfolded (RFC 5545 folds long lines with CRLF and a space)."""
    return response.content.decode().replace("\r\n ", "")


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar.walk("VEVENT")


def test_the_secret_is_stored_hashed_and_the_feed_needs_no_session(client, world):
    token = renew_feed(by=world["owner"])
    feed = CalendarFeed.objects.get(user=world["owner"])
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in feed.token_hash
    events = _events(_feed(client, token))  # the test client is not logged in
    assert len(events) == 9
    summaries = {str(e["SUMMARY"]) for e in events}
    assert "Réunion de lancement — Tremplin EIT Normandie 2019" in summaries
    assert not any("Bretagne" in s for s in summaries)


def test_a_territory_sees_its_own_registrations_never_another_territorys(client, world):
    owner = _text(_feed(client, renew_feed(by=world["owner"])))
    colleague = _text(_feed(client, renew_feed(by=world["colleague"])))
    assert "Camille Caux" in owner and "Dominique Havre" not in owner
    assert "Dominique Havre" in colleague and "Camille Caux" not in colleague
    # Each token answers for its own user only: the owner's secret never gives the colleague's data.
    assert owner != colleague


def test_the_programme_team_gets_every_event_with_counts_and_no_names(client, world):
    response = _feed(client, renew_feed(by=world["programme"]))
    events = _events(response)
    assert len(events) == 10  # the 9 of 2019 and the launch of 2027
    launch = next(
        e
        for e in events
        if "2019" in str(e["SUMMARY"]) and e.decoded("DTSTART").month == 5 and e.decoded("DTSTART").day == 7
    )
    assert "Personnes inscrites : 2" in str(launch["DESCRIPTION"])
    assert "Camille Caux" not in _text(response)


def test_a_committee_member_gets_the_calls_events_without_registrations(client, world):
    response = _feed(client, renew_feed(by=world["committee"]))
    assert len(_events(response)) == 9
    text = _text(response)
    assert "Camille Caux" not in text and "Dominique Havre" not in text and "inscrit" not in text


def test_an_officer_outside_the_call_gets_an_empty_calendar(client, world):
    assert _events(_feed(client, renew_feed(by=world["stranger"]))) == []


def test_a_revoked_renewed_or_unknown_token_answers_404(client, world):
    first = renew_feed(by=world["owner"])
    second = renew_feed(by=world["owner"])
    assert _feed(client, first).status_code == 404  # renewing ends the former address
    assert _feed(client, second).status_code == 200
    assert revoke_feed(by=world["owner"])
    assert _feed(client, second).status_code == 404
    assert _feed(client, "not-a-token").status_code == 404
    assert list(
        AuditEntry.objects.filter(actor=world["owner"], action__startswith="coaching.calendar_feed")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "coaching.calendar_feed.created",
        "coaching.calendar_feed.renewed",
        "coaching.calendar_feed.revoked",
    ]


def test_an_inactive_users_feed_answers_404(client, world):
    token = renew_feed(by=world["owner"])
    world["owner"].is_active = False
    world["owner"].save()
    assert _feed(client, token).status_code == 404


def test_the_account_page_shows_the_address_once_then_renews_and_revokes(client, world):
    client.force_login(world["owner"])
    page = reverse("calendar_feed_settings")
    html = client.get(page).content.decode()
    assert "Créer l'adresse de mon agenda en ligne" in html
    response = client.post(reverse("calendar_feed_renew"))
    html = response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert 'data-copy="feed-address"' in html
    start = html.index('id="feed-address"')
    address = html[start:].split('value="', 1)[1].split('"', 1)[0]
    assert address.startswith("http://testserver/calendar/") and address.endswith(".ics")
    client.logout()
    assert client.get(address).status_code == 200
    client.force_login(world["owner"])
    assert address not in client.get(page).content.decode()  # shown once only
    client.post(reverse("calendar_feed_revoke"))
    assert not CalendarFeed.objects.filter(user=world["owner"]).exists()
    client.logout()
    assert client.get(address).status_code == 404


@pytest.mark.parametrize("name", ["calendar_feed_settings", "calendar_feed_renew", "calendar_feed_revoke"])
def test_the_account_pages_need_a_session(client, world, name):
    url = reverse(name)
    response = client.get(url) if name == "calendar_feed_settings" else client.post(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()


def test_the_renew_and_revoke_actions_refuse_get(client, world):
    client.force_login(world["owner"])
    assert client.get(reverse("calendar_feed_renew")).status_code == 405
    assert client.get(reverse("calendar_feed_revoke")).status_code == 405
    assert not CalendarFeed.objects.exists()


def test_one_persons_revocation_leaves_anothers_feed(client, world):
    mine = renew_feed(by=world["owner"])
    theirs = renew_feed(by=world["colleague"])
    client.force_login(world["colleague"])
    client.post(reverse("calendar_feed_revoke"))
    assert _feed(client, mine).status_code == 200
    assert _feed(client, theirs).status_code == 404
