"""One history of a synergy, in plain language: its status changes, the participants' consent, its actions
and its measured figures, each with who and when.

Status changes come from ``StatusChange`` (the pipeline's own record, which indicators and reports read);
the rest from the audit entries the operations write (``tremplin.synergies.pipeline``), told in the
journal's own sentences (``tremplin.audit.display``), as the establishment's flow history is.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from tremplin.accounts.models import Membership, Role
from tremplin.audit.display import DisplayedEntry, describe_entries
from tremplin.audit.models import AuditEntry
from tremplin.synergies.enums import AbandonReason, Status

__all__ = ["HistoryItem", "synergy_history"]

EVENT_ACTIONS = (
    "synergy.consent.recorded",
    "synergy.action.added",
    "synergy.action.done",
    "synergy.action.reopened",
    "synergy.measurement.recorded",
)


@dataclass
class HistoryItem:
    at: datetime
    by: object  # a User or the journal's name for the actor; None: the platform
    kind: str  # status, consent, action, measurement
    text: str
    details: list[str] = field(default_factory=list)
    by_contact: bool = False  # the establishment's own contact, as opposed to the territory team


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _status_item(change) -> HistoryItem:
    if not change.from_status:
        text = _("Taken into the pipeline, at status “%(to)s”.") % {"to": _status_label(change.to_status)}
    elif change.to_status == Status.ABANDONED:
        text = _("Abandoned (it was “%(from)s”).") % {"from": _status_label(change.from_status)}
    elif change.to_status == Status.PAUSED:
        text = _("Paused (it was “%(from)s”).") % {"from": _status_label(change.from_status)}
    elif change.from_status == Status.PAUSED:
        text = _("Resumed, at status “%(to)s”.") % {"to": _status_label(change.to_status)}
    else:
        text = _("Status changed from “%(from)s” to “%(to)s”.") % {
            "from": _status_label(change.from_status),
            "to": _status_label(change.to_status),
        }
    details = []
    if change.reason:
        reason = (
            AbandonReason(change.reason).label if change.reason in AbandonReason.values else change.reason
        )
        details.append(_("Reason: %(reason)s") % {"reason": reason})
    if change.note:
        details.append(change.note)
    return HistoryItem(at=change.at, by=change.by, kind="status", text=text, details=details)


def _event_item(shown: DisplayedEntry, contacts: set[int]) -> HistoryItem:
    """An audit entry about the synergy, in the journal's own sentence and details (one vocabulary)."""
    entry = shown.entry
    return HistoryItem(
        at=shown.at,
        by=shown.actor,
        kind=entry.action.split(".")[1],
        text=shown.sentence,
        details=[f"{label} : {value}" for label, value in shown.details],
        by_contact=entry.actor_id in contacts,
    )


def synergy_history(synergy) -> list[HistoryItem]:
    """Everything that happened to ``synergy``, oldest first. For its territory team's page."""
    items = [_status_item(change) for change in synergy.history.select_related("by")]
    participants = list(synergy.participants.all())
    contacts = set(
        Membership.objects.filter(
            role=Role.COMPANY_CONTACT, establishment_id__in=[p.establishment_id for p in participants]
        ).values_list("user_id", flat=True)
    )
    entries = AuditEntry.objects.about(synergy).filter(action__in=EVENT_ACTIONS).select_related("actor")
    items.extend(_event_item(shown, contacts) for shown in describe_entries(entries))
    items.sort(key=lambda item: item.at)
    return items
