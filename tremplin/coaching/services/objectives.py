"""Strategic objectives: their values by date, and how far each has gone from its baseline to its target.

Progress at a date reads the latest value at or before that date (the value of the day included), and
says how much of the way from the baseline to the target it covers::

    progress % = (current − baseline) ÷ (target − baseline) × 100

so that an objective to lower a figure (waste sent to landfill from 1 000 t to 600 t) reads as plainly as
one to raise it: at 800 t it is 50 % of the way. The percentage is not capped: below the baseline it is
negative, past the target above 100.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import Deliverable, DeliverableKind, Objective, ObjectiveValue
from tremplin.coaching.services.audit import changed_fields, log_coaching
from tremplin.coaching.services.deliverables import prepare_edit
from tremplin.coaching.services.errors import CoachingError, NotAllowed
from tremplin.coaching.services.roles import require_team_of
from tremplin.submissions.services import submit_once

#: The fields an objective's edit form changes (and the conflict panel compares).
OBJECTIVE_FIELDS = (
    "label",
    "indicator",
    "unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "due_date",
)


class ObjectiveConflict(CoachingError):
    """The objective changed since the form was shown; ``current`` is the objective as it is now."""

    default_message = _(
        "Someone else changed this objective since you opened the form: your changes were not saved."
    )

    def __init__(self, current):
        self.current = current
        super().__init__()


class InvalidValue(CoachingError):
    default_message = _("This value is not valid.")


def percent_of_way(baseline: Decimal, target: Decimal, current: Decimal) -> Decimal | None:
    """How much of the way from ``baseline`` to ``target`` ``current`` stands, in %, to one decimal;
    ``None`` when baseline and target are equal (there is no way to go).

    >>> percent_of_way(Decimal(100), Decimal(500), Decimal(250))
    Decimal('37.5')
    >>> percent_of_way(Decimal(1000), Decimal(600), Decimal(800))
    Decimal('50.0')
    """
    if target == baseline:
        return None
    share = (Decimal(current) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline)) * 100
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    objective: Objective
    at: datetime.date
    current: ObjectiveValue | None  # the latest value at or before ``at``
    percent: Decimal | None  # None: no baseline, no value yet, or baseline equal to target

    def as_dict(self) -> dict:
        """As a report freezes it (numbers as text, dates in ISO)."""
        o, c = self.objective, self.current
        return {
            "label": o.label,
            "indicator": o.indicator,
            "unit": o.unit,
            "baseline_value": None if o.baseline_value is None else str(o.baseline_value),
            "baseline_date": o.baseline_date.isoformat() if o.baseline_date else None,
            "target_value": str(o.target_value),
            "due_date": o.due_date.isoformat() if o.due_date else None,
            "current_value": str(c.value) if c else None,
            "current_date": c.date.isoformat() if c else None,
            "current_basis": c.basis if c else None,
            "current_source": c.source if c else "",
            "progress_percent": None if self.percent is None else str(self.percent),
            "at": self.at.isoformat(),
        }


def progress_at(objective: Objective, at: datetime.date, values=None) -> Progress:
    """The objective's progress at ``at``. ``values``: its values, when already read (a list of them
    prefetched for many objectives); else they are read here."""
    if values is None:
        values = ObjectiveValue.objects.filter(objective=objective)
    dated = [v for v in values if v.date <= at]
    current = max(dated, key=lambda v: (v.date, v.pk)) if dated else None
    percent = None
    if current is not None and objective.baseline_value is not None:
        percent = percent_of_way(objective.baseline_value, objective.target_value, current.value)
    return Progress(objective, at, current, percent)


def objectives_progress(participation, at: datetime.date) -> list[Progress]:
    """Every objective of the participation with its progress at ``at`` (two queries)."""
    objectives = Objective.objects.filter(participation=participation).prefetch_related("values")
    return [progress_at(o, at, list(o.values.all())) for o in objectives]


def _objectives_deliverable(objective) -> Deliverable:
    return Deliverable.objects.select_related("participation__territory", "participation__call").get(
        participation_id=objective.participation_id, kind=DeliverableKind.W2_OBJECTIVES
    )


@transaction.atomic
def update_objective(objective: Objective, *, by, expected_version: int, **fields) -> Objective:
    """Change an objective (its baseline, target…); :class:`ObjectiveConflict` when it changed since the
    form was shown (``expected_version``). Like every line of W2, only while W2 is not submitted."""
    locked = Objective.objects.select_for_update().get(pk=objective.pk)
    deliverable = _objectives_deliverable(locked)
    prepare_edit(deliverable, by)
    if expected_version != locked.version:
        raise ObjectiveConflict(locked)
    before = Objective.objects.get(pk=locked.pk)
    for name in OBJECTIVE_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.full_clean()
    changes = changed_fields(before, locked, OBJECTIVE_FIELDS)
    if changes:
        locked.version += 1
        locked.save()
        log_coaching(
            by,
            "objective.updated",
            locked,
            participation=deliverable.participation,
            changes={k: v for k, v in changes.items() if k != "label"},
            fields=sorted(changes),
        )
    return locked


@transaction.atomic
def record_value(objective: Objective, value: ObjectiveValue, *, by, submission_key: str | None = None):
    """Record the value of an objective's indicator at a date (an unsaved ``ObjectiveValue``). Values are
    follow-up: they are recorded whatever the status of W2, by the territory team; one per date, never in
    the future."""
    participation = objective.participation
    require_team_of(by, participation)
    if value.date and value.date > timezone.localdate():
        raise InvalidValue(_("A value is recorded once it is known: its date cannot be in the future."))
    if ObjectiveValue.objects.filter(objective=objective, date=value.date).exists():
        raise InvalidValue(_("A value is already recorded at this date: delete it first to replace it."))
    value.objective = objective
    value.participation = participation
    value.entered_by = by
    value.full_clean()

    def create():
        value.save()
        log_coaching(
            by,
            "objective_value.recorded",
            objective,
            participation=participation,
            value_id=value.pk,
            date=value.date.isoformat(),
            value=str(value.value),
            basis=value.basis,
        )
        return value

    return submit_once(submission_key, by=by, create=create)


@transaction.atomic
def remove_value(value: ObjectiveValue, *, by) -> None:
    require_team_of(by, value.participation)
    if value.objective.participation_id != value.participation_id:
        raise NotAllowed
    log_coaching(
        by,
        "objective_value.removed",
        value.objective,
        participation=value.participation,
        date=value.date.isoformat(),
        value=str(value.value),
        basis=value.basis,
    )
    value.delete()
