"""What changed in an establishment's flows and invitations, and when: read from the audit log, in the
journal's plain sentences (``tremplin.audit.display``), with the company's own changes told apart."""

from __future__ import annotations

from dataclasses import dataclass

from tremplin.accounts.models import Membership, Role
from tremplin.audit.display import DisplayedEntry, describe_entries
from tremplin.audit.models import AuditEntry

ACTIONS = (
    "flow.created",
    "flow.updated",
    "flow.deleted",
    "invitation.created",
    "invitation.opened",
    "invitation.renewed",
    "invitation.revoked",
    "invitation.expired",
    "questionnaire.submitted",
)


@dataclass
class HistoryRow:
    shown: DisplayedEntry
    by_contact: bool = False

    @property
    def entry(self) -> AuditEntry:
        return self.shown.entry


def establishment_history(establishment, user, *, limit: int = 30) -> list[HistoryRow]:
    """Audit entries about the establishment's flows and questionnaire that ``user`` may read, newest
    first; ``by_contact`` tells the company's own changes from the territory team's."""
    entries = list(
        AuditEntry.objects.visible_to(user)
        .filter(action__in=ACTIONS, data__establishment_id=establishment.pk)
        .select_related("actor")[:limit]
    )
    contacts = set(
        Membership.objects.filter(role=Role.COMPANY_CONTACT, establishment=establishment).values_list(
            "user_id", flat=True
        )
    )
    return [
        HistoryRow(shown=shown, by_contact=shown.entry.actor_id in contacts)
        for shown in describe_entries(entries)
    ]
