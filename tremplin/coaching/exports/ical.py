"""A call's calendar as one iCalendar file (RFC 5545), written with the ``icalendar`` package.

Times are local to Europe/Paris, with the VTIMEZONE component; the package folds lines at 75 octets,
escapes text and ends lines with CRLF.
"""

import datetime
import zoneinfo

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PRODID = "-//Tremplin//Tremplin EIT//FR"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def event_uid(event, domain: str) -> str:
    """Stable across exports, so that calendar clients update an event rather than duplicate it."""
    return f"tremplin-event-{event.pk}@{domain}"


def _location(event) -> str:
    if not event.place:
        return _("to be confirmed")
    return event.place if event.place_confirmed else f"{event.place} ({_('to be confirmed')})"


def calendar_ics(call, events, *, domain: str = "tremplin.localhost") -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.PLATFORM_NAME} — {call.title}")
    stamp = timezone.now().astimezone(datetime.UTC)
    for event in events:
        item = icalendar.Event()
        item.add("uid", event_uid(event, domain))
        item.add("dtstamp", stamp)
        item.add("dtstart", datetime.datetime.combine(event.date, event.start_time, tzinfo=PARIS))
        item.add("dtend", datetime.datetime.combine(event.date, event.end_time, tzinfo=PARIS))
        item.add("summary", f"{event.name} — {call.title}")
        item.add("location", _location(event))
        description = "\n\n".join(part for part in (event.agenda, event.note) if part)
        if description:
            item.add("description", description)
        item.add("last-modified", event.updated_at.astimezone(datetime.UTC))
        calendar.add_component(item)
    calendar.add_missing_timezones()
    return calendar.to_ical()
