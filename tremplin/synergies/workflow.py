"""The synergy pipeline as an explicit state machine.

detected → qualified → under study → being implemented → operational → monitored, with two exits:
paused (then resumed where it stood) and abandoned (with a coded reason). Each move is a named transition;
``apply_transition`` checks it is allowed, writes the history row and the audit entry in one transaction.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.audit.log import log_action
from tremplin.synergies.enums import PIPELINE, AbandonReason, Status
from tremplin.synergies.exceptions import ReasonRequired, TransitionNotAllowed
from tremplin.synergies.models import StatusChange, Synergy

__all__ = [
    "TRANSITIONS",
    "Transition",
    "abandon",
    "allowed_transitions",
    "apply_transition",
    "implement",
    "make_operational",
    "monitor",
    "pause",
    "qualify",
    "resume",
    "study",
]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: back to the status before the pause

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


_PAUSABLE = tuple(PIPELINE)
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("qualify", _("Qualify"), (Status.DETECTED,), Status.QUALIFIED),
        Transition("study", _("Start the study"), (Status.QUALIFIED,), Status.UNDER_STUDY),
        Transition("implement", _("Start implementation"), (Status.UNDER_STUDY,), Status.BEING_IMPLEMENTED),
        Transition(
            "make_operational", _("Mark as operational"), (Status.BEING_IMPLEMENTED,), Status.OPERATIONAL
        ),
        Transition("monitor", _("Move to monitoring"), (Status.OPERATIONAL,), Status.MONITORED),
        Transition("pause", _("Pause"), _PAUSABLE, Status.PAUSED),
        Transition("resume", _("Resume"), (Status.PAUSED,), None),
        Transition("abandon", _("Abandon"), (*_PAUSABLE, Status.PAUSED), Status.ABANDONED),
    )
}


def allowed_transitions(synergy: Synergy) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.allowed_from(synergy.status)]


def _status_before_pause(synergy: Synergy) -> str:
    last_pause = synergy.history.filter(to_status=Status.PAUSED).order_by("-at", "-id").first()
    return last_pause.from_status if last_pause and last_pause.from_status else Status.DETECTED


def apply_transition(synergy: Synergy, name: str, *, by, reason: str = "", note: str = "") -> StatusChange:
    """Move ``synergy`` along the transition ``name``; raise TransitionNotAllowed or ReasonRequired."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(synergy, name)
    with transaction.atomic():
        locked = Synergy.objects.select_for_update().get(pk=synergy.pk)
        if not transition.allowed_from(locked.status):
            raise TransitionNotAllowed(locked, name)
        if name == "abandon" and reason not in AbandonReason.values:
            raise ReasonRequired(_("Choose why the synergy is abandoned."))
        if name != "abandon":
            reason = ""
        target = transition.target or _status_before_pause(locked)
        now = timezone.now()
        change = StatusChange.objects.create(
            synergy=locked,
            from_status=locked.status,
            to_status=target,
            by=by,
            at=now,
            reason=reason,
            note=note,
        )
        locked.status = target
        locked.status_changed_at = now
        if name == "abandon":
            locked.abandon_reason, locked.abandon_note = reason, note
        elif target != Status.ABANDONED:
            locked.abandon_reason, locked.abandon_note = "", ""
        locked.save(update_fields=["status", "status_changed_at", "abandon_reason", "abandon_note"])
        log_action(
            by,
            "synergy.status.changed",
            locked,
            territory=locked.territory,
            transition=name,
            from_status=change.from_status,
            to_status=target,
            reason=reason,
            note=note,
        )
    synergy.refresh_from_db()
    return change


def qualify(synergy, *, by, note=""):
    return apply_transition(synergy, "qualify", by=by, note=note)


def study(synergy, *, by, note=""):
    return apply_transition(synergy, "study", by=by, note=note)


def implement(synergy, *, by, note=""):
    return apply_transition(synergy, "implement", by=by, note=note)


def make_operational(synergy, *, by, note=""):
    return apply_transition(synergy, "make_operational", by=by, note=note)


def monitor(synergy, *, by, note=""):
    return apply_transition(synergy, "monitor", by=by, note=note)


def pause(synergy, *, by, note=""):
    return apply_transition(synergy, "pause", by=by, note=note)


def resume(synergy, *, by, note=""):
    return apply_transition(synergy, "resume", by=by, note=note)


def abandon(synergy, reason, *, by, note=""):
    return apply_transition(synergy, "abandon", by=by, reason=reason, note=note)
