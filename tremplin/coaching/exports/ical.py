"""The programme's events as iCalendar (RFC 5545), written with the ``icalendar`` package: a call's
calendar, the file attached to a convocation, and a person's subscribed feed.

Times are local to Europe/Paris, with the VTIMEZONE component; the package folds lines at 75 octets,
escapes text (``\\,``, ``\\;``, ``\\n``, ``\\\\``) and ends lines with CRLF.

One event has one UID wherever it is written (export, convocation, feed), and its SEQUENCE grows when its
date, times or place change: a calendar that already holds the event replaces it instead of adding a
second one.
"""

import datetime
import zoneinfo
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Tremplin//Tremplin EIT//FR"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def uid_domain() -> str:
    """The platform's own domain, from its sender address: the same whatever host a page was read from."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "tremplin.localhost"


def event_uid(event, domain: str | None = None) -> str:
    """Stable across exports, so that calendar clients update an event rather than duplicate it."""
    return f"tremplin-event-{event.pk}@{domain or uid_domain()}"


def _location(event) -> str:
    if not event.place:
        return _("to be confirmed")
    return event.place if event.place_confirmed else f"{event.place} ({_('to be confirmed')})"


def event_component(event, *, stamp, domain=None, url: str = "", more: str = "") -> icalendar.Event:
    """One VEVENT. ``more`` is added to the description (what this reader may know of the event)."""
    item = icalendar.Event()
    item.add("uid", event_uid(event, domain))
    item.add("sequence", event.sequence)
    item.add("dtstamp", stamp)
    item.add("dtstart", datetime.datetime.combine(event.date, event.start_time, tzinfo=PARIS))
    item.add("dtend", datetime.datetime.combine(event.date, event.end_time, tzinfo=PARIS))
    item.add("summary", f"{event.name} — {event.call.title}")
    item.add("location", _location(event))
    description = "\n\n".join(part for part in (event.agenda, event.note, more, url) if part)
    if description:
        item.add("description", description)
    if url:
        item.add("url", url)
    item.add("last-modified", event.updated_at.astimezone(datetime.UTC))
    return item


def _calendar(name: str, *, method: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


def _now():
    return timezone.now().astimezone(datetime.UTC)


def calendar_ics(call, events, *, domain: str | None = None) -> bytes:
    calendar = _calendar(f"{settings.PLATFORM_NAME} — {call.title}")
    stamp = _now()
    for event in events:
        calendar.add_component(event_component(event, stamp=stamp, domain=domain))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def convocation_ics(event, *, url: str = "") -> bytes:
    """The file attached to a convocation. METHOD:PUBLISH: the event is announced, not an invitation whose
    answers (REQUEST) would go to an organiser's mailbox the platform does not read."""
    calendar = _calendar(f"{settings.PLATFORM_NAME} — {event.call.title}", method="PUBLISH")
    calendar.add_component(event_component(event, stamp=_now(), url=url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(name: str, entries) -> bytes:
    """A subscribed feed: ``entries`` are ``(event, url, more)``."""
    calendar = _calendar(name, method="PUBLISH")
    calendar.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    stamp = _now()
    for event, url, more in entries:
        calendar.add_component(event_component(event, stamp=stamp, url=url, more=more))
    calendar.add_missing_timezones()
    return calendar.to_ical()
