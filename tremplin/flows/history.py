"""What changed in an establishment's flows and invitations, and when: read from the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Membership, Role
from tremplin.audit.models import AuditEntry
from tremplin.flows import catalogue

ACTIONS = {
    "flow.created": _("declared a flow"),
    "flow.updated": _("changed a flow"),
    "flow.deleted": _("deleted a flow"),
    "invitation.created": _("invited a contact"),
    "invitation.opened": _("opened the questionnaire link"),
    "invitation.renewed": _("received a new link"),
    "invitation.revoked": _("revoked a link"),
    "questionnaire.submitted": _("sent the questionnaire"),
}

FIELD_LABELS = {
    "direction": _("direction"),
    "resource": _("resource"),
    "quantity": _("quantity"),
    "unit": _("unit"),
    "frequency": _("frequency"),
    "quantity_per_year": _("quantity per year"),
    "quality_notes": _("quality notes"),
    "current_route": _("current route"),
    "current_cost_eur_per_year": _("current cost (€ per year)"),
    "confidential": _("confidential"),
    "basis": _("basis"),
}


@dataclass
class HistoryRow:
    entry: AuditEntry
    label: str
    resource_label: str = ""
    by_contact: bool = False
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    summary: dict | None = None


def establishment_history(establishment, user, *, limit: int = 30) -> list[HistoryRow]:
    """Audit entries about the establishment's flows and questionnaire that ``user`` may read, newest
    first; ``by_contact`` tells the company's own changes from the territory team's."""
    entries = list(
        AuditEntry.objects.visible_to(user)
        .filter(action__in=list(ACTIONS), data__establishment_id=establishment.pk)
        .select_related("actor")[:limit]
    )
    contacts = set(
        Membership.objects.filter(role=Role.COMPANY_CONTACT, establishment=establishment).values_list(
            "user_id", flat=True
        )
    )
    rows = []
    for entry in entries:
        data = entry.data or {}
        row = HistoryRow(
            entry=entry,
            label=str(ACTIONS[entry.action]),
            resource_label=catalogue.resource_label(data["resource"]) if data.get("resource") else "",
            by_contact=entry.actor_id in contacts,
        )
        before, after = data.get("before"), data.get("after")
        if entry.action == "flow.updated" and before and after:
            row.changes = [
                (str(FIELD_LABELS.get(name, name)), before.get(name), after.get(name))
                for name in FIELD_LABELS
                if before.get(name) != after.get(name) and name != "quantity_per_year"
            ]
        elif entry.action in ("flow.created", "flow.deleted"):
            row.summary = after or before
        rows.append(row)
    return rows
