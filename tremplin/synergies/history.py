"""One history of a synergy, in plain language: its status changes, the participants' consent, its actions
and its measured figures, each with who and when.

Status changes come from ``StatusChange`` (the pipeline's own record, which indicators and reports read);
the rest from the audit entries the operations write (``tremplin.synergies.pipeline``), as the
establishment's flow history does.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from tremplin.accounts.models import Membership, Role
from tremplin.audit.models import AuditEntry
from tremplin.synergies.enums import AbandonReason, Consent, Status

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
    by: object  # a User, or None (the platform, or a person since erased)
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


def _number(value, digits: int = 0) -> str:
    return intcomma(floatformat(value or 0, digits))


def _event_item(
    entry: AuditEntry, names: dict[int, str], contacts: dict[int, set[int]]
) -> HistoryItem | None:
    data = entry.data or {}
    item = HistoryItem(at=entry.at, by=entry.actor, kind=entry.action.split(".")[1], text="")
    if entry.action == "synergy.consent.recorded":
        establishment = data.get("establishment")
        name = names.get(establishment) or data.get("establishment_name") or _("an establishment")
        if data.get("consent") == Consent.ACCEPTED:
            item.text = _("%(name)s accepts to be introduced to the other participants.") % {"name": name}
        elif data.get("consent") == Consent.DECLINED:
            item.text = _("%(name)s declines to be introduced to the other participants.") % {"name": name}
        else:
            return None
        item.by_contact = entry.actor_id in contacts.get(establishment, set())
        on_behalf = data.get("on_behalf", not item.by_contact)
        item.details.append(
            _("Answer recorded by the territory team.") if on_behalf else _("Answer given by the company.")
        )
        if data.get("previous") in (Consent.ACCEPTED, Consent.DECLINED):
            item.details.append(
                _("It had answered: %(answer)s.") % {"answer": Consent(data["previous"]).label.lower()}
            )
    elif entry.action == "synergy.action.added":
        item.text = _("Action planned: “%(title)s”.") % {"title": data.get("title", "")}
        if data.get("owner_name"):
            item.details.append(_("Owner: %(owner)s") % {"owner": data["owner_name"]})
        if data.get("due_on"):
            item.details.append(_("Due on %(date)s") % {"date": data["due_on"]})
    elif entry.action in ("synergy.action.done", "synergy.action.reopened"):
        title = data.get("title") or _("an action")
        if entry.action == "synergy.action.done":
            item.text = _("Action done: “%(title)s”.") % {"title": title}
        else:
            item.text = _("Action reopened: “%(title)s”.") % {"title": title}
    elif entry.action == "synergy.measurement.recorded":
        year = data.get("year")
        if data.get("corrected"):
            item.text = _("Measured figures of %(year)s corrected.") % {"year": year}
        else:
            item.text = _("Measured figures of %(year)s recorded.") % {"year": year}
        item.details.append(
            _(
                "%(tonnes)s t diverted from disposal, %(co2)s t CO2e avoided, %(saved)s € saved, "
                "%(earned)s € earned, %(jobs)s FTE"
            )
            % {
                "tonnes": _number(data.get("tonnes_diverted"), 1),
                "co2": _number(data.get("co2_avoided_t"), 1),
                "saved": _number(data.get("eur_saved")),
                "earned": _number(data.get("eur_earned")),
                "jobs": _number(data.get("jobs"), 1),
            }
        )
        if data.get("note"):
            item.details.append(data["note"])
    else:
        return None
    return item


def synergy_history(synergy) -> list[HistoryItem]:
    """Everything that happened to ``synergy``, oldest first. For its territory team's page."""
    items = [_status_item(change) for change in synergy.history.select_related("by")]
    participants = list(synergy.participants.select_related("establishment"))
    names = {p.establishment_id: p.establishment.name for p in participants}
    contacts: dict[int, set[int]] = {}
    for user_id, establishment_id in Membership.objects.filter(
        role=Role.COMPANY_CONTACT, establishment_id__in=list(names)
    ).values_list("user_id", "establishment_id"):
        contacts.setdefault(establishment_id, set()).add(user_id)
    entries = AuditEntry.objects.about(synergy).filter(action__in=EVENT_ACTIONS).select_related("actor")
    for entry in entries:
        item = _event_item(entry, names, contacts)
        if item is not None:
            items.append(item)
    items.sort(key=lambda item: item.at)
    return items
