"""The synergy pipeline as an explicit state machine.

detected → qualified → under study → being implemented → operational → monitored, with two exits:
paused (then resumed where it stood) and abandoned (with a coded reason). Each move is a named transition;
``apply_transition`` checks that the actor is the territory team, that the move is allowed from the
status and that its conditions hold, then writes the history row and the audit entry in one transaction.

Condition: nothing goes past "under study" (being implemented, operational, monitored — by a move or by
resuming a paused synergy) until every participant has accepted to be introduced; the interface reads
``transition_options`` to say why a move is not available yet.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.synergies.enums import CONSENT_REQUIRED_STATUSES, PIPELINE, AbandonReason, Consent, Status
from tremplin.synergies.exceptions import ReasonRequired, TeamOnly, TransitionBlocked, TransitionNotAllowed
from tremplin.synergies.models import StatusChange, Synergy, SynergyParticipant

__all__ = [
    "TRANSITIONS",
    "Transition",
    "TransitionOption",
    "abandon",
    "allowed_transitions",
    "apply_transition",
    "consent_missing",
    "implement",
    "make_operational",
    "monitor",
    "pause",
    "qualify",
    "resume",
    "study",
    "transition_options",
    "with_transition_data",
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


@dataclass(frozen=True)
class TransitionOption:
    """A move from the synergy's status, and why it cannot be made yet ("" when it can)."""

    transition: Transition
    blocked_by: str = ""

    @property
    def available(self) -> bool:
        return not self.blocked_by

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> str:
        return self.transition.label


def consent_missing(participants) -> str:
    """Why the participants' consent does not allow going past "under study" ("" when it does)."""
    participants = list(participants)
    if not participants:
        return gettext("The synergy has no participant.")
    declined = [p for p in participants if p.consent == Consent.DECLINED]
    pending = [p for p in participants if p.consent not in (Consent.ACCEPTED, Consent.DECLINED)]
    if not declined and not pending:
        return ""
    parts = []
    if declined:
        parts.append(
            gettext("declined: %(names)s") % {"names": ", ".join(p.establishment.name for p in declined)}
        )
    if pending:
        parts.append(
            gettext("not answered yet: %(names)s")
            % {"names": ", ".join(p.establishment.name for p in pending)}
        )
    return gettext("Every participant must first accept to be introduced (%(details)s).") % {
        "details": gettext("; ").join(parts)
    }


def _target(synergy: Synergy, transition: Transition) -> str:
    return transition.target or _status_before_pause(synergy)


def _blocked_by(synergy: Synergy, transition: Transition, participants) -> str:
    if _target(synergy, transition) in CONSENT_REQUIRED_STATUSES:
        return consent_missing(participants)
    return ""


def transition_options(synergy: Synergy) -> list[TransitionOption]:
    """Every move from the synergy's status, each with why it is not available yet, if so.

    A list of synergies (the board) prefetches ``participants__establishment`` and
    ``pause_changes`` (:func:`with_transition_data`): then this reads no row."""
    if "participants" in getattr(synergy, "_prefetched_objects_cache", {}):
        participants = list(synergy.participants.all())
    else:
        participants = list(synergy.participants.select_related("establishment"))
    return [
        TransitionOption(t, _blocked_by(synergy, t, participants))
        for t in TRANSITIONS.values()
        if t.allowed_from(synergy.status)
    ]


def allowed_transitions(synergy: Synergy) -> list[Transition]:
    """The moves that can be made now."""
    return [option.transition for option in transition_options(synergy) if option.available]


def with_transition_data(synergies):
    """``synergies`` (a queryset) with what :func:`transition_options` reads, in three queries for the
    whole list instead of two per synergy."""
    return synergies.prefetch_related(
        Prefetch(
            "participants",
            queryset=SynergyParticipant.objects.select_related("establishment").only(
                "pk", "synergy_id", "role", "consent", "establishment__id", "establishment__name"
            ),
        ),
        Prefetch(
            "history",
            queryset=StatusChange.objects.filter(to_status=Status.PAUSED).order_by("-at", "-id"),
            to_attr="pause_changes",
        ),
    )


def _status_before_pause(synergy: Synergy) -> str:
    if hasattr(synergy, "pause_changes"):
        last_pause = synergy.pause_changes[0] if synergy.pause_changes else None
    else:
        last_pause = synergy.history.filter(to_status=Status.PAUSED).order_by("-at", "-id").first()
    return last_pause.from_status if last_pause and last_pause.from_status else Status.DETECTED


def apply_transition(synergy: Synergy, name: str, *, by, reason: str = "", note: str = "") -> StatusChange:
    """Move ``synergy`` along the transition ``name`` on behalf of ``by`` (its territory team).

    Raises TeamOnly, TransitionNotAllowed (no such move from the status), TransitionBlocked (a condition
    is missing: the participants' consent) or ReasonRequired.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionNotAllowed(synergy, name)
    if synergy.territory_id not in scope_for(by).editor_territory_ids:
        raise TeamOnly(_("Only the territory team moves a synergy in the pipeline."))
    with transaction.atomic():
        # The synergy's row is the lock that consent answers take too (pipeline.record_consent).
        locked = Synergy.objects.select_for_update().get(pk=synergy.pk)
        if not transition.allowed_from(locked.status):
            raise TransitionNotAllowed(locked, name)
        if name == "abandon" and reason not in AbandonReason.values:
            raise ReasonRequired(_("Choose why the synergy is abandoned."))
        if name != "abandon":
            reason = ""
        participants = SynergyParticipant.objects.filter(synergy=locked).select_related("establishment")
        blocked_by = _blocked_by(locked, transition, participants)
        if blocked_by:
            raise TransitionBlocked(blocked_by)
        target = _target(locked, transition)
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
