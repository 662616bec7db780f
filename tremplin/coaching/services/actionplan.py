"""The action plan: its actions, their lifecycle and the totals of its budget.

Lifecycle (a state machine; every change is kept in ``PlannedActionTransition`` and audited)::

    planned ──start──▶ in_progress ──complete──▶ done
       │  └──────────────complete─────────────────▲
       └──abandon──▶ abandoned ◀──abandon── in_progress
    done, abandoned ──reopen──▶ in_progress

Only the territory team writes its plan (creates, edits, deletes, moves actions); the programme team
reads it. Edits say which version of the action they were made from: an action changed since is not
overwritten (:class:`ActionConflict`).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import ActionStatus, PlannedAction, PlannedActionTransition
from tremplin.coaching.services.audit import changed_fields, log_coaching
from tremplin.coaching.services.errors import CoachingError, InvalidTransition, NotAllowed
from tremplin.coaching.services.roles import is_editor_of, require_team_of
from tremplin.submissions.services import submit_once

#: The fields an action's form sets (and the conflict panel compares).
ACTION_FIELDS = (
    "title",
    "owner_name",
    "owner_organisation",
    "start_date",
    "due_date",
    "budget_eur",
    "funding_source",
    "objective",
)
#: Fields whose value may name a person: their audit entries say that they changed, not to what.
_PERSONAL_FIELDS = ("owner_name",)


class ActionConflict(CoachingError):
    """The action changed since the form was shown; ``current`` is the action as it is now."""

    default_message = _(
        "Someone else changed this action since you opened the form: your changes were not saved."
    )

    def __init__(self, current):
        self.current = current
        super().__init__()


class InvalidAction(CoachingError):
    default_message = _("This action is not valid.")

    def __init__(self, message=None, field=None):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class ActionTransition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str


ACTION_TRANSITIONS: dict[str, ActionTransition] = {
    t.name: t
    for t in (
        ActionTransition("start", (ActionStatus.PLANNED,), ActionStatus.IN_PROGRESS, _("Start")),
        ActionTransition(
            "complete", (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS), ActionStatus.DONE, _("Mark as done")
        ),
        ActionTransition(
            "abandon", (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS), ActionStatus.ABANDONED, _("Abandon")
        ),
        ActionTransition(
            "reopen", (ActionStatus.DONE, ActionStatus.ABANDONED), ActionStatus.IN_PROGRESS, _("Reopen")
        ),
    )
}


def available_transitions(action: PlannedAction, user) -> list[ActionTransition]:
    if not is_editor_of(user, action.participation):
        return []
    return [t for t in ACTION_TRANSITIONS.values() if action.status in t.sources]


def _clean(action: PlannedAction) -> None:
    try:
        action.full_clean()
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise InvalidAction(" ".join(messages), field=name) from None


def _audited(fields: dict) -> dict:
    return {k: ([None, None] if k in _PERSONAL_FIELDS else v) for k, v in fields.items()}


@transaction.atomic
def create_action(participation, *, by, submission_key: str | None = None, **fields) -> PlannedAction:
    """Add an action to the territory's plan (planned); once per form (``submission_key``)."""
    require_team_of(by, participation)
    action = PlannedAction(
        participation=participation, **{k: v for k, v in fields.items() if k in ACTION_FIELDS}
    )
    _clean(action)

    def create():
        action.save()
        log_coaching(
            by,
            "plan_action.created",
            action,
            participation=participation,
            status=action.status,
            budget_eur=None if action.budget_eur is None else str(action.budget_eur),
            objective_id=action.objective_id,
        )
        return action

    return submit_once(submission_key, by=by, create=create)


def _locked(action: PlannedAction) -> PlannedAction:
    return (
        PlannedAction.objects.select_for_update()
        .select_related("participation__territory", "participation__call")
        .get(pk=action.pk)
    )


@transaction.atomic
def update_action(action: PlannedAction, *, by, expected_version: int, **fields) -> PlannedAction:
    """Change an action; :class:`ActionConflict` when it changed since ``expected_version``."""
    locked = _locked(action)
    require_team_of(by, locked.participation)
    if expected_version != locked.version:
        raise ActionConflict(locked)
    before = PlannedAction.objects.get(pk=locked.pk)
    for name in ACTION_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    _clean(locked)
    changes = changed_fields(before, locked, [n for n in ACTION_FIELDS if n != "objective"])
    if before.objective_id != locked.objective_id:
        changes["objective_id"] = [before.objective_id, locked.objective_id]
    if changes:
        locked.version += 1
        locked.save()
        log_coaching(
            by, "plan_action.updated", locked, participation=locked.participation, changes=_audited(changes)
        )
    return locked


@transaction.atomic
def delete_action(action: PlannedAction, *, by, expected_version: int) -> None:
    """Delete an action, as the page showed it (:class:`ActionConflict` if it changed since)."""
    locked = _locked(action)
    require_team_of(by, locked.participation)
    if expected_version != locked.version:
        raise ActionConflict(locked)
    log_coaching(
        by,
        "plan_action.deleted",
        locked,
        participation=locked.participation,
        status=locked.status,
        action_id=locked.pk,
    )
    locked.delete()


@transaction.atomic
def change_action_status(action: PlannedAction, name: str, *, by, comment: str = "") -> PlannedAction:
    """Apply one named transition (``ACTION_TRANSITIONS``) on behalf of the territory team."""
    transition = ACTION_TRANSITIONS.get(name)
    if transition is None:
        raise InvalidTransition
    locked = _locked(action)
    if not is_editor_of(by, locked.participation):
        raise NotAllowed
    if locked.status not in transition.sources:
        raise InvalidTransition(_("This status change is not possible from the action's current status."))
    previous = locked.status
    locked.status = transition.target
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    PlannedActionTransition.objects.create(
        action=locked,
        transition=name,
        from_status=previous,
        to_status=transition.target,
        comment=comment.strip(),
        by=by,
    )
    log_coaching(
        by,
        f"plan_action.{name}",
        locked,
        participation=locked.participation,
        from_status=previous,
        to_status=transition.target,
    )
    return locked


@dataclass
class PlanTotals:
    """The plan's budget: actions abandoned are left out of the total and counted apart."""

    total: Decimal = Decimal(0)
    by_funding_source: dict[str, Decimal] = field(default_factory=dict)
    by_status: dict[str, Decimal] = field(default_factory=dict)
    abandoned: Decimal = Decimal(0)
    without_budget: int = 0  # actions (not abandoned) with no budget stated


def plan_totals(actions) -> PlanTotals:
    totals = PlanTotals()
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_status: dict[str, Decimal] = dict.fromkeys(ActionStatus.values, Decimal(0))
    for action in actions:
        budget = action.budget_eur
        if action.status == ActionStatus.ABANDONED:
            totals.abandoned += budget or 0
            continue
        if budget is None:
            totals.without_budget += 1
            continue
        totals.total += budget
        by_source[action.funding_source.strip()] += budget
        by_status[action.status] += budget
    totals.by_funding_source = dict(sorted(by_source.items()))
    totals.by_status = by_status
    return totals
