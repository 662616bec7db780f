"""Edition templates: the programme team shapes them (events and deliverables dated by offsets from the
edition's start), duplicates them, and applies one to a call to create its calendar.

Applying a template copies its shape only (kinds, titles, offsets turned into dates, durations, hours,
agendas, whether the place is still to be confirmed); a template's notes, where the edition it was drawn
from keeps its dates and places, are never copied. A call that already has events is filled again only
when the programme team confirms that those events are replaced, and only if none of them has
registrations or reports.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import (
    CallDeliverable,
    DeliverableKind,
    Duration,
    EditionTemplate,
    Event,
    Period,
    TemplateDeliverable,
    TemplateEvent,
)
from tremplin.coaching.reference import seed_reference_template
from tremplin.coaching.services.audit import changed_fields, log_coaching
from tremplin.coaching.services.errors import CoachingError
from tremplin.coaching.services.roles import require_programme_team
from tremplin.submissions.services import submit_once

TEMPLATE_FIELDS = ("name", "description", "support_days", "notes")
TEMPLATE_EVENT_FIELDS = (
    "kind",
    "title",
    "offset_days",
    "duration",
    "period",
    "start_time",
    "end_time",
    "place_to_be_confirmed",
    "agenda",
    "notes",
)
TEMPLATE_DELIVERABLE_FIELDS = ("kind", "due_event", "offset_days", "notes")


class CallHasEvents(CoachingError):
    default_message = _(
        "This call already has events: confirm that the template replaces them, or edit them one by one."
    )


class EventsInUse(CoachingError):
    default_message = _(
        "Some events of this call have registrations or follow-up reports: they cannot be replaced."
    )


class EmptyTemplate(CoachingError):
    default_message = _("This template has no event yet.")


class DeliverablesDueWithEvent(CoachingError):
    default_message = _("Deliverables of the template are due with this event: change or remove them first.")


def reference_template() -> EditionTemplate:
    """The reference edition's template (seeded by a migration; created again if it is missing)."""
    return seed_reference_template(EditionTemplate, TemplateEvent, TemplateDeliverable)


# --- Templates -----------------------------------------------------------------------------------------


@transaction.atomic
def save_template(template: EditionTemplate, *, by, submission_key: str | None = None) -> EditionTemplate:
    require_programme_team(by)
    template.full_clean()
    if template.pk is None:

        def create():
            template.save()
            log_coaching(by, "template.created", template)
            return template

        return submit_once(submission_key, by=by, create=create)
    before = EditionTemplate.objects.select_for_update().get(pk=template.pk)
    template.save()
    changes = changed_fields(before, template, ("name",))
    edited = [name for name in TEMPLATE_FIELDS if getattr(before, name) != getattr(template, name)]
    if edited:
        # Names of templates are not personal; descriptions and notes are free text, named only.
        log_coaching(by, "template.updated", template, fields=edited, changes=changes)
    return template


@transaction.atomic
def duplicate_template(template: EditionTemplate, *, name: str, by) -> EditionTemplate:
    """A copy of ``template`` (events and deliverables, notes included) under a new name."""
    require_programme_team(by)
    copy = EditionTemplate(name=name, description=template.description, notes=template.notes)
    copy.full_clean()
    copy.save()
    events = {}
    for item in template.events.all():
        source_pk = item.pk
        item.pk = None
        item.template = copy
        item.save()
        events[source_pk] = item
    for item in template.deliverables.all():
        item.pk = None
        item.template = copy
        item.due_event = events.get(item.due_event_id)
        item.save()
    log_coaching(by, "template.duplicated", copy, source_id=template.pk)
    return copy


@transaction.atomic
def delete_template(template: EditionTemplate, *, by) -> None:
    require_programme_team(by)
    log_coaching(by, "template.deleted", template, template_id=template.pk)
    template.deliverables.all().delete()  # before the events they are due with (protected)
    template.delete()


# --- Items ---------------------------------------------------------------------------------------------


def _next_position(items) -> int:
    last = items.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _save_item(item, *, by, fields, kind_code, submission_key):
    require_programme_team(by)
    item.full_clean()
    model = type(item)
    if item.pk is None:

        def create():
            item.position = _next_position(model.objects.filter(template=item.template))
            item.save()
            log_coaching(by, f"template.{kind_code}.added", item.template, item_id=item.pk, kind=item.kind)
            return item

        return submit_once(submission_key, by=by, create=create)
    before = model.objects.select_for_update().get(pk=item.pk)
    item.save()
    # Agendas and notes are free text: the journal names them, without their content.
    changes = changed_fields(before, item, [name for name in fields if name not in ("agenda", "notes")])
    edited = [name for name in fields if getattr(before, name) != getattr(item, name)]
    if edited:
        log_coaching(
            by,
            f"template.{kind_code}.updated",
            item.template,
            item_id=item.pk,
            kind=item.kind,
            fields=edited,
            changes=changes,
        )
    return item


@transaction.atomic
def save_template_event(item: TemplateEvent, *, by, submission_key: str | None = None) -> TemplateEvent:
    return _save_item(
        item, by=by, fields=TEMPLATE_EVENT_FIELDS, kind_code="event", submission_key=submission_key
    )


@transaction.atomic
def save_template_deliverable(
    item: TemplateDeliverable, *, by, submission_key: str | None = None
) -> TemplateDeliverable:
    return _save_item(
        item,
        by=by,
        fields=TEMPLATE_DELIVERABLE_FIELDS,
        kind_code="deliverable",
        submission_key=submission_key,
    )


@transaction.atomic
def remove_template_event(item: TemplateEvent, *, by) -> None:
    require_programme_team(by)
    if item.deliverables.exists():
        raise DeliverablesDueWithEvent
    log_coaching(by, "template.event.removed", item.template, item_id=item.pk, kind=item.kind)
    item.delete()


@transaction.atomic
def remove_template_deliverable(item: TemplateDeliverable, *, by) -> None:
    require_programme_team(by)
    log_coaching(by, "template.deliverable.removed", item.template, item_id=item.pk, kind=item.kind)
    item.delete()


@transaction.atomic
def move_template_item(item, *, up: bool, by) -> None:
    """Swap an event or deliverable of a template with the one before (``up``) or after it."""
    require_programme_team(by)
    model = type(item)
    items = list(model.objects.select_for_update().filter(template_id=item.template_id))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(items):
        return
    items[index], items[other_index] = items[other_index], items[index]
    for position, moved in enumerate(items):
        if moved.position != position:
            moved.position = position
            moved.save(update_fields=["position"])
    code = "event" if model is TemplateEvent else "deliverable"
    log_coaching(
        by,
        f"template.{code}.moved",
        item.template,
        item_id=item.pk,
        kind=item.kind,
        position=items.index(item),
    )


# --- Applying a template to a call ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedEvent:
    kind: str
    label: str
    title: str
    date: datetime.date
    duration: str
    period: str
    start_time: datetime.time
    end_time: datetime.time
    place_confirmed: bool
    agenda: str

    @property
    def duration_label(self) -> str:
        return str(Duration(self.duration).label)

    @property
    def period_label(self) -> str:
        return str(Period(self.period).label)


@dataclass(frozen=True)
class PlannedDeliverable:
    kind: str
    label: str
    due_date: datetime.date
    event_kind: str | None


@dataclass(frozen=True)
class EditionPlan:
    """What applying ``template`` to ``call`` from ``start`` would create, and what is in the way."""

    template: EditionTemplate
    call: object
    start: datetime.date
    events: list[PlannedEvent]
    deliverables: list[PlannedDeliverable]
    existing_events: list[Event]
    events_in_use: list[Event]

    @property
    def replaces(self) -> bool:
        return bool(self.existing_events)

    @property
    def fingerprint(self) -> str:
        """What was previewed: applying checks that the form still says the same."""
        return f"{self.template.pk}:{self.start.isoformat()}"


def _existing(call):
    events = list(
        Event.objects.filter(call=call)
        .annotate(
            registration_count=Count("registrations", distinct=True),
            report_count=Count("reports", distinct=True),
        )
        .order_by("date", "start_time")
    )
    in_use = [event for event in events if event.registration_count or event.report_count]
    return events, in_use


def plan_edition(template: EditionTemplate, call, start: datetime.date) -> EditionPlan:
    """The preview of ``apply_template`` (reads only)."""
    events = []
    dates = {}
    for item in template.events.all():
        date = start + datetime.timedelta(days=item.offset_days)
        dates[item.pk] = date
        start_time, end_time = item.hours
        events.append(
            PlannedEvent(
                kind=item.kind,
                label=str(item.get_kind_display()),
                title=item.title,
                date=date,
                duration=item.duration,
                period=item.period,
                start_time=start_time,
                end_time=end_time,
                place_confirmed=not item.place_to_be_confirmed,
                agenda=item.agenda,
            )
        )
    events.sort(key=lambda planned: (planned.date, planned.start_time))
    kinds = {item.pk: item.kind for item in template.events.all()}
    deliverables = [
        PlannedDeliverable(
            kind=item.kind,
            label=str(item.get_kind_display()),
            due_date=dates.get(item.due_event_id, start) + datetime.timedelta(days=item.offset_days),
            event_kind=kinds.get(item.due_event_id),
        )
        for item in template.deliverables.all()
    ]
    existing, in_use = _existing(call)
    return EditionPlan(template, call, start, events, deliverables, existing, in_use)


@transaction.atomic
def apply_template(template: EditionTemplate, call, start: datetime.date, *, by, replace: bool = False):
    """Create the call's events and deliverable schedule from ``template``, dated from ``start``.

    Returns the events created. A call with events is refused unless ``replace`` (and refused even then
    if an event has registrations or reports); replacing deletes the call's events and schedule first.
    """
    require_programme_team(by, call)
    type(call).objects.select_for_update().get(pk=call.pk)  # one application at a time per call
    plan = plan_edition(template, call, start)
    if not plan.events:
        raise EmptyTemplate
    schedule = CallDeliverable.objects.filter(call=call)
    replaced = len(plan.existing_events)
    if plan.existing_events or schedule.exists():
        if not replace:
            raise CallHasEvents
        if plan.events_in_use:
            names = ", ".join(event.name for event in plan.events_in_use)
            raise EventsInUse(
                _(
                    "These events of the call have registrations or follow-up reports and cannot be "
                    "replaced: %(events)s."
                )
                % {"events": names}
            )
        schedule.delete()
        Event.objects.filter(pk__in=[event.pk for event in plan.existing_events]).delete()
    created = {}
    for planned in plan.events:
        event = Event(
            call=call,
            kind=planned.kind,
            title=planned.title,
            date=planned.date,
            duration=planned.duration,
            period=planned.period,
            start_time=planned.start_time,
            end_time=planned.end_time,
            place="",
            place_confirmed=planned.place_confirmed,
            agenda=planned.agenda,
        )
        event.full_clean()
        event.save()
        created.setdefault(planned.kind, event)
    CallDeliverable.objects.bulk_create(
        [
            CallDeliverable(
                call=call,
                kind=planned.kind,
                due_date=planned.due_date,
                event=created.get(planned.event_kind) if planned.event_kind else None,
                template=template,
            )
            for planned in plan.deliverables
        ]
    )
    call.support_days = template.support_days
    call.save(update_fields=["support_days"])
    log_coaching(
        by,
        "template.applied",
        call,
        call=call,
        template_id=template.pk,
        start=start.isoformat(),
        created=[planned.kind for planned in plan.events],
        deliverables=[planned.kind for planned in plan.deliverables],
        replaced=replaced,
    )
    return list(Event.objects.filter(call=call).order_by("date", "start_time"))


def deliverable_schedule(call) -> list[CallDeliverable]:
    """The call's deliverables by due date, in the programme's order on the same day."""
    order = {kind: position for position, kind in enumerate(DeliverableKind.values)}
    schedule = CallDeliverable.objects.of_call(call).select_related("event")
    return sorted(schedule, key=lambda due: (due.due_date, order[due.kind]))


def templates_with_counts():
    return EditionTemplate.objects.annotate(
        event_count=Count("events", distinct=True),
        deliverable_count=Count("deliverables", distinct=True),
        workshop_count=Count("events", filter=Q(events__kind__startswith="workshop"), distinct=True),
        rso_count=Count("events", filter=Q(events__kind__startswith="rso"), distinct=True),
    )
