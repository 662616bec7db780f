"""Registering every selected territory's elected official and officer to a call's events in one step.

The people are those each territory declared in its application (``official_*`` and ``officer_*``).
The same plan serves the preview and the operation: what the page shows is what is created.
"""

from dataclasses import dataclass, field

from django.db import transaction

from tremplin.accounts.models import TerritoryFunction
from tremplin.coaching.models import Event, Registration, person_key
from tremplin.coaching.services.audit import log_coaching
from tremplin.coaching.services.roles import require_programme_team
from tremplin.programme.models import Application, ApplicationStatus, Call, Participation


@dataclass(frozen=True)
class DeclaredPerson:
    name: str
    function: str  # TerritoryFunction
    email: str

    @property
    def key(self) -> str:
        return person_key(self.name, self.email)


@dataclass
class TerritoryPlan:
    participation: Participation
    people: list[DeclaredPerson]
    new: list[tuple[Event, DeclaredPerson]] = field(default_factory=list)
    duplicates: int = 0

    @property
    def has_application(self) -> bool:
        return bool(self.people)


@dataclass
class RegistrationPlan:
    call: Call
    events: list[Event]
    territories: list[TerritoryPlan]

    @property
    def to_create(self) -> int:
        return sum(len(t.new) for t in self.territories)

    @property
    def duplicates(self) -> int:
        return sum(t.duplicates for t in self.territories)

    @property
    def without_people(self) -> list[Participation]:
        return [t.participation for t in self.territories if not t.people]


def declared_people(application: Application | None) -> list[DeclaredPerson]:
    """The referent elected official and the officer the application names (a name is required)."""
    if application is None:
        return []
    people = []
    for prefix, function in (
        ("official", TerritoryFunction.ELECTED_OFFICIAL),
        ("officer", TerritoryFunction.OFFICER),
    ):
        name = getattr(application, f"{prefix}_name").strip()
        if name:
            people.append(DeclaredPerson(name, function, getattr(application, f"{prefix}_email").strip()))
    return people


def _applications_by_epci(call) -> dict[int, Application]:
    applications = Application.objects.for_call(call).filter(status=ApplicationStatus.SELECTED)
    return {application.epci_id: application for application in applications}


def plan_registrations(call, *, events=None, participations=None) -> RegistrationPlan:
    """What registering ``participations`` (default: every selected territory) to ``events`` (default:
    every event of the call) would create, and what it would skip as already registered."""
    events = list(Event.objects.of_call(call) if events is None else events)
    if participations is None:
        participations = call.participations.select_related("territory")
    participations = list(participations)
    applications = _applications_by_epci(call)
    existing = set(Registration.objects.filter(event__in=events).values_list("event_id", "person_key"))
    territories = []
    for participation in participations:
        plan = TerritoryPlan(
            participation, declared_people(applications.get(participation.territory.epci_id))
        )
        for event in events:
            for person in plan.people:
                key = (event.pk, person.key)
                if key in existing:
                    plan.duplicates += 1
                else:
                    existing.add(key)  # the official and the officer sharing one address: once
                    plan.new.append((event, person))
        territories.append(plan)
    return RegistrationPlan(call, events, territories)


@transaction.atomic
def register_declared_people(call, *, by, events=None, participations=None) -> RegistrationPlan:
    """The programme team registers each selected territory's official and officer to the events (all
    of the call's unless ``events`` names some). People already registered are skipped and counted."""
    require_programme_team(by, call)
    call = Call.objects.select_for_update().get(pk=call.pk)  # two bulk runs at once: one after the other
    if events is not None:
        events = [event for event in events if event.call_id == call.pk]
    if participations is not None:
        participations = [p for p in participations if p.call_id == call.pk]
    plan = plan_registrations(call, events=events, participations=participations)
    for territory in plan.territories:
        if not territory.new and not territory.duplicates:
            continue
        for event, person in territory.new:
            Registration.objects.create(
                event=event,
                participation=territory.participation,
                person_name=person.name,
                function=person.function,
                email=person.email,
                registered_by=by,
            )
        log_coaching(
            by,
            "registrations.bulk_created",
            territory.participation,
            participation=territory.participation,
            events=len(plan.events),
            created=len(territory.new),
            duplicates=territory.duplicates,
        )
    return plan
