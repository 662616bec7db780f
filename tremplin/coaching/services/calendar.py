"""The programme's calendar: the reference call's own dates, events, registrations and attendance.

An edition's calendar comes from an edition template (:mod:`tremplin.coaching.services.editions`)."""

from django.db import IntegrityError, transaction

from tremplin.coaching.models import (
    DEFAULT_HOURS,
    Attendance,
    Event,
    Registration,
    person_key,
)
from tremplin.coaching.reference import REFERENCE_CALENDAR
from tremplin.coaching.services.audit import changed_fields, log_coaching
from tremplin.coaching.services.errors import DuplicateRegistration, NotParticipating
from tremplin.coaching.services.roles import require_programme_team, require_team_or_programme
from tremplin.submissions.services import submit_once

EVENT_FIELDS = (
    "kind",
    "title",
    "date",
    "duration",
    "period",
    "start_time",
    "end_time",
    "place",
    "place_confirmed",
    "agenda",
    "note",
)

# A change of one of these is a new version of the event for calendars (iCalendar SEQUENCE).
SCHEDULE_FIELDS = ("date", "start_time", "end_time", "place")


@transaction.atomic
def seed_reference_calendar(call, *, by=None) -> list[Event]:
    """Create the reference edition's nine events for ``call``; idempotent.

    For the 2019 reference call itself (the demonstration, tests): its own dates, places and notes. Any
    other edition gets its calendar from an edition template
    (:func:`tremplin.coaching.services.editions.apply_template`), which never copies them.

    An event that already exists (one per kind) is left as it is: its dates stay editable and a second
    run never overwrites what the programme team changed.
    """
    events, created = [], []
    for reference in REFERENCE_CALENDAR:
        start, end = DEFAULT_HOURS[reference.period]
        event, _created = Event.objects.get_or_create(
            call=call,
            kind=reference.kind,
            defaults={
                "date": reference.date,
                "duration": reference.duration,
                "period": reference.period,
                "start_time": start,
                "end_time": end,
                "place": reference.place,
                "place_confirmed": reference.place_confirmed,
                "agenda": reference.agenda,
                "note": reference.note,
            },
        )
        events.append(event)
        if _created:
            created.append(event.kind)
    if created:
        log_coaching(by, "calendar.prefilled", call, call=call, created=created)
    return events


@transaction.atomic
def prefill_reference_calendar(call, *, by) -> list[Event]:
    """The programme team fills the 2019 reference call with its own dates (no page offers it: the
    calendar page applies edition templates)."""
    require_programme_team(by, call)
    return seed_reference_calendar(call, by=by)


@transaction.atomic
def save_event(event: Event, *, by, submission_key: str | None = None) -> Event:
    """Create or update an event (programme team only); hours default to those of the time of day.

    A creation from a form passes its ``submission_key``: posting the form twice creates one event."""
    require_programme_team(by, event.call)
    if event.start_time is None or event.end_time is None:
        start, end = DEFAULT_HOURS[event.period]
        event.start_time = event.start_time or start
        event.end_time = event.end_time or end
    event.full_clean()
    if event.pk is None:

        def create():
            event.save()
            log_coaching(
                by, "event.created", event, call=event.call, kind=event.kind, date=event.date.isoformat()
            )
            return event

        return submit_once(submission_key, by=by, create=create)
    before = Event.objects.select_for_update().get(pk=event.pk)
    if any(getattr(before, name) != getattr(event, name) for name in SCHEDULE_FIELDS):
        event.sequence = before.sequence + 1
    event.save()
    changes = changed_fields(before, event, EVENT_FIELDS)
    if changes:
        log_coaching(by, "event.updated", event, call=event.call, kind=event.kind, changes=changes)
    return event


@transaction.atomic
def delete_event(event: Event, *, by) -> None:
    require_programme_team(by, event.call)
    log_coaching(
        by,
        "event.deleted",
        event,
        call=event.call,
        kind=event.kind,
        date=event.date.isoformat(),
        registrations=event.registrations.count(),
    )
    event.delete()


@transaction.atomic
def register_person(
    event: Event,
    participation,
    *,
    person_name,
    function,
    email="",
    by,
    submission_key: str | None = None,
) -> Registration:
    """A territory registers one of its people (its elected official, its officer) to an event."""
    require_team_or_programme(by, participation)
    if participation.call_id != event.call_id:
        raise NotParticipating

    def create():
        registration = Registration(
            event=event,
            participation=participation,
            person_name=person_name,
            function=function,
            email=email,
            registered_by=by,
        )
        if event.registrations.filter(person_key=person_key(person_name, email)).exists():
            raise DuplicateRegistration
        registration.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:  # the same person registered by someone else at the same moment
            raise DuplicateRegistration from None
        log_coaching(
            by,
            "registration.created",
            registration,
            participation=participation,
            event_id=event.pk,
            event_kind=event.kind,
            function=function,
        )
        return registration

    return submit_once(submission_key, by=by, create=create)


@transaction.atomic
def cancel_registration(registration: Registration, *, by) -> None:
    require_team_or_programme(by, registration.participation)
    log_coaching(
        by,
        "registration.cancelled",
        registration,
        participation=registration.participation,
        event_id=registration.event_id,
        function=registration.function,
    )
    registration.delete()


@transaction.atomic
def record_attendance(registration: Registration, attendance: str, *, by) -> Registration:
    """The programme team records who came."""
    require_programme_team(by, registration.event.call)
    if attendance not in Attendance.values:
        raise ValueError(attendance)
    previous = registration.attendance
    registration.attendance = attendance
    registration.save(update_fields=["attendance"])
    if previous != attendance:
        log_coaching(
            by,
            "attendance.recorded",
            registration,
            participation=registration.participation,
            event_id=registration.event_id,
            attendance=[previous, attendance],
        )
    return registration
