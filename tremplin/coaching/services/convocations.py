"""Convocations: an e-mail to each registered person, with the event as an iCalendar file attached.

A person is convoked again only when the event changed since (its SEQUENCE grew): the mail then says it
is an update and the attached event replaces the one the person's calendar holds.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tremplin.coaching.exports.ical import convocation_ics
from tremplin.coaching.models import Event, Registration
from tremplin.coaching.services.audit import log_coaching
from tremplin.coaching.services.errors import NoRecipient
from tremplin.coaching.services.roles import require_programme_team
from tremplin.notifications.mail import render_text, send_after_commit
from tremplin.programme.models import Call


@dataclass
class EventConvocations:
    event: Event
    first: list[Registration]  # never convoked
    updates: list[Registration]  # convoked before the event last changed
    current: int  # already hold the current version
    without_email: int

    @property
    def pending(self) -> list[Registration]:
        return self.first + self.updates


def pending_convocations(call, *, events=None) -> list[EventConvocations]:
    """Who would receive a convocation now, event by event."""
    events = list(Event.objects.of_call(call).select_related("call") if events is None else events)
    by_event = {event.pk: EventConvocations(event, [], [], 0, 0) for event in events}
    registrations = Registration.objects.filter(event__in=events).select_related(
        "participation__territory__epci"
    )
    for registration in registrations.order_by(
        "participation__territory__epci__name", "function", "person_name"
    ):
        entry = by_event[registration.event_id]
        if not registration.email:
            entry.without_email += 1
        elif registration.convoked_sequence is None:
            entry.first.append(registration)
        elif registration.convoked_sequence < entry.event.sequence:
            entry.updates.append(registration)
        else:
            entry.current += 1
    return list(by_event.values())


def convocation_message(registration: Registration, *, event: Event, update: bool, link: str) -> EmailMessage:
    """The mail in the platform's language; the subject is plain text (never HTML-escaped)."""
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(event.date, "l j F Y")
        values = {"event": event.name, "call": event.call.title, "date": day}
        subject = (
            _("Updated convocation: %(event)s, %(date)s — %(call)s")
            if update
            else _("Convocation: %(event)s, %(date)s — %(call)s")
        ) % values
        context = {
            "registration": registration,
            "event": event,
            "call": event.call,
            "day": day,
            "start": formats.time_format(event.start_time, "H:i"),
            "end": formats.time_format(event.end_time, "H:i"),
            "update": update,
            "link": link,
            "platform": settings.PLATFORM_NAME,
        }
        body = render_text("coaching/email/convocation_body.txt", context)
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [registration.email],
        reply_to=[event.call.contact_email] if event.call.contact_email else None,
    )
    message.attach(
        f"convocation-{event.pk}.ics",
        convocation_ics(event, url=link),
        'text/calendar; method=PUBLISH; charset="utf-8"',
    )
    return message


@transaction.atomic
def send_convocations(call, *, by, link_for, events=None, now=None) -> int:
    """The programme team sends the convocations waiting (first ones and updates) for the call's events
    (or ``events``); each registration records the version sent. Mail leaves after the commit. Returns
    the number of messages. ``link_for(path)`` makes absolute links (the view passes
    ``request.build_absolute_uri``)."""
    require_programme_team(by, call)
    call = Call.objects.select_for_update().get(pk=call.pk)  # two senders at once: one mail each, not two
    if events is not None:
        events = [event for event in events if event.call_id == call.pk]
    now = now or timezone.now()
    messages = []
    for entry in pending_convocations(call, events=events):
        if not entry.pending:
            continue
        link = link_for(reverse("coaching_event_detail", kwargs={"pk": entry.event.pk}))
        update_ids = {r.pk for r in entry.updates}
        for registration in entry.pending:
            messages.append(
                convocation_message(
                    registration, event=entry.event, update=registration.pk in update_ids, link=link
                )
            )
        Registration.objects.filter(pk__in=[r.pk for r in entry.pending]).update(
            convoked_sequence=entry.event.sequence, convoked_at=now
        )
        log_coaching(
            by,
            "convocations.sent",
            entry.event,
            call=call,
            event_kind=entry.event.kind,
            sequence=entry.event.sequence,
            first=len(entry.first),
            updates=len(entry.updates),
        )
    if not messages:
        raise NoRecipient

    send_after_commit(messages)  # the convocations are recorded; a failure reaches the operators' logs
    return len(messages)
