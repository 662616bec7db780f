"""Export and erase what the platform holds on a person.

Two actors may do it: a territory's team, for what its territory holds (contacts of its
establishments, invitations it sent, its coaching records, its audit entries), and the platform
operator (``by=None``, through ``tremplin export-personal-data`` / ``erase-personal-data``), for
everything, the person's account included. Both operations are audited (``privacy.exported``,
``privacy.erased``) with counts and a keyed digest of the e-mail address (``person_ref``): the journal
can later confirm that a given person was erased without holding their address.

Erasing deletes what is only about the person (contact records, invitations, login records) and
anonymises what other records need (a user account that flows, comments and audit entries point to;
an application; a registration), then blanks the person's e-mail and names wherever the audit log and
frozen reports quoted them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Role, User
from tremplin.accounts.scoping import scope_for
from tremplin.accounts.services import end_sessions, revoke_membership
from tremplin.audit.log import log_action
from tremplin.audit.models import AuditEntry
from tremplin.privacy.holders import HOLDERS, Person, plain

__all__ = [
    "ERASED",
    "Findings",
    "PrivacyError",
    "erase_person_data",
    "export_person_data",
    "find_person_data",
    "person_ref",
]

#: What a person's e-mail or name reads afterwards in the audit log and in frozen reports.
ERASED = "[effacé]"


class PrivacyError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def person_ref(person: Person) -> str:
    """A keyed digest naming the person in the journal without their address (or the contacts picked)."""
    key = person.email.strip().lower() or ",".join(str(pk) for pk in sorted(person.contact_ids))
    return salted_hmac("tremplin.privacy.person", key).hexdigest()[:16]


@dataclass
class Findings:
    """Everything held on a person within a scope (a territory, or the whole platform)."""

    person: Person
    territory: object  # a Territory, or None for the platform
    records: dict = field(default_factory=dict)  # holder key -> list of records
    audit_entries: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)  # frozen reports quoting the person

    @property
    def holders(self):
        return [(holder, self.records[holder.key]) for holder in HOLDERS if self.records.get(holder.key)]

    @property
    def users(self) -> list:
        return self.records.get("user_accounts", [])

    def counts(self) -> dict:
        counts = {key: len(records) for key, records in self.records.items() if records}
        if self.audit_entries:
            counts["audit_entries"] = len(self.audit_entries)
        if self.snapshots:
            counts["frozen_reports"] = len(self.snapshots)
        return counts

    @property
    def is_empty(self) -> bool:
        return not self.counts()


def _require(by, territory, *, edit: bool = False) -> None:
    """The operator may act everywhere; a territory's team on its territory only (an erasure needs edit
    access: read-only members export, never erase)."""
    if by is None:
        return
    scope = scope_for(by)
    if territory is None or territory.pk not in (
        scope.editor_territory_ids if edit else scope.team_territory_ids
    ):
        raise PrivacyError(_("Only the territory's team may export or erase the personal data it holds."))


def _holders_for(territory):
    return [holder for holder in HOLDERS if territory is None or holder.territory_team]


def _mentioning(queryset, person: Person, *, field_name: str = "data"):
    """Rows whose JSON ``field_name`` quotes the person (as typed, or JSON-escaped for accents)."""
    condition = Q()
    for needle in person.needles:
        condition |= Q(as_text__icontains=needle)
        escaped = json.dumps(needle)[1:-1]
        if escaped != needle:
            condition |= Q(as_text__icontains=escaped)
    if not condition:
        return queryset.none()
    return queryset.annotate(as_text=Cast(field_name, TextField())).filter(condition)


def find_person_data(person: Person, *, territory=None) -> Findings:
    """What is held on ``person`` in ``territory`` (``None``: everywhere). Reads only; the names found
    on the records are added to ``person.names`` and looked for in turn."""
    person.email = person.email.strip()
    if not person.email and not person.contact_ids:
        raise PrivacyError(_("Give an e-mail address or choose a contact."))
    holders = _holders_for(territory)
    records: dict = {}
    for _round in range(2):  # the names read in the first round find name-only records in the second
        for holder in holders:
            queryset = holder.find(person, territory)
            records[holder.key] = list(queryset) if queryset is not None else []
            for record in records[holder.key]:
                person.names |= {name.strip() for name in holder.names(record) if name and name.strip()}
    findings = Findings(person, territory, records)
    entries = AuditEntry.objects.all()
    # What the person did (declared flows, answered a questionnaire…) is theirs too, in any scope.
    users = findings.users or (list(User.objects.filter(email__iexact=person.email)) if person.email else [])
    if territory is not None:
        entries = entries.filter(territory=territory)
    mentioning = _mentioning(entries, person).values_list("pk", flat=True)
    by_the_person = entries.filter(actor__in=users).values_list("pk", flat=True) if users else []
    # Entries name people by identifier (a contact, an invitation, a committee member): they are about
    # the person too, though they quote nothing of theirs.
    contact_ids = [record.pk for record in findings.records.get("establishment_contacts", [])]
    invitation_ids = [record.pk for record in findings.records.get("invitations", [])]
    user_ids = [user.pk for user in users]
    about = entries.filter(
        Q(action__startswith="establishment.contact.", data__contact_id__in=contact_ids)
        | Q(action__startswith="invitation.", data__invitation_id__in=invitation_ids)
        | Q(action__startswith="committee.seat.", data__member_id__in=user_ids)
        | Q(data__user_id__in=user_ids)
    ).values_list("pk", flat=True)
    ids = set(mentioning) | set(by_the_person) | set(about)
    findings.audit_entries = list(AuditEntry.objects.filter(pk__in=ids).order_by("at", "pk"))
    from tremplin.reports.models import ReportSnapshot

    snapshots = ReportSnapshot.objects.all()
    if territory is not None:
        snapshots = snapshots.filter(territory=territory)
    findings.snapshots = list(_mentioning(snapshots, person))
    return findings


def _document(findings: Findings, *, by) -> dict:
    person = findings.person
    return {
        "generated_at": timezone.now().isoformat(),
        "generated_by": str(by) if by is not None else "platform operator",
        "scope": str(findings.territory) if findings.territory is not None else "whole platform",
        "platform": settings.PLATFORM_NAME,
        "person": {"email": person.email, "names": sorted(person.names)},
        "records": {
            holder.key: {"label": str(holder.label), "items": [holder.export(record) for record in items]}
            for holder, items in findings.holders
        },
        "audit_entries": [
            {
                "at": plain(entry.at),
                "action": entry.action,
                "actor": str(entry.actor or ""),
                "data": entry.data,
            }
            for entry in findings.audit_entries
        ],
        "frozen_reports": [
            {
                "title": snapshot.title,
                "territory": str(snapshot.territory),
                "frozen_at": plain(snapshot.frozen_at),
            }
            for snapshot in findings.snapshots
        ],
    }


@transaction.atomic
def export_person_data(person: Person, *, by, territory=None) -> dict:
    """Everything held on the person, as a JSON-ready document (audited, without the data itself)."""
    _require(by, territory)
    findings = find_person_data(person, territory=territory)
    document = _document(findings, by=by)
    log_action(
        by,
        "privacy.exported",
        territory=territory,
        person_ref=person_ref(person),
        counts=findings.counts(),
    )
    return document


def export_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


def _scrub(value, patterns):
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(ERASED, value)
        return value
    if isinstance(value, list):
        return [_scrub(item, patterns) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, patterns) for key, item in value.items()}
    return value


def _erase_user(user, *, by) -> None:
    """The platform operator anonymises an account: other records point to it (declared flows,
    comments, audit entries), so it stays, without a name, an address, a password or a role."""
    for membership in list(user.memberships.all()):
        revoke_membership(membership, by=None, reason="erasure", end_user_sessions=False)
    end_sessions(user)
    _delete_sessions_of(user)
    user.email = f"effacee-{user.pk}@erased.invalid"
    user.first_name, user.last_name = "Personne", "effacée"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()


def _delete_sessions_of(user) -> None:
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return  # other backends keep no session a database could reach; end_sessions made them invalid
    from django.contrib.sessions.models import Session

    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


def _revoke_contact_roles(findings: Findings, *, by) -> int:
    """The territory team removes the person's company-contact roles on its establishments (their
    account stays: only the operator erases accounts)."""
    from tremplin.accounts.models import Membership

    if not findings.person.email:
        return 0
    memberships = Membership.objects.filter(
        role=Role.COMPANY_CONTACT,
        user__email__iexact=findings.person.email,
        establishment__territory=findings.territory,
    ).select_related("establishment__territory", "user")
    count = 0
    for membership in memberships:
        revoke_membership(membership, by=by, reason="erasure")
        count += 1
    return count


@transaction.atomic
def erase_person_data(person: Person, *, by, territory=None) -> dict:
    """Erase what is held on the person in ``territory`` (``None``: everywhere, the operator only);
    returns the counts of what was erased (also in the ``privacy.erased`` audit entry)."""
    _require(by, territory, edit=True)
    findings = find_person_data(person, territory=territory)
    counts = findings.counts()
    patterns = [re.compile(re.escape(needle), re.IGNORECASE) for needle in person.needles]
    for holder, records in findings.holders:
        if holder.erase is None:
            continue
        for record in records:
            holder.erase(record, person)
    for entry in findings.audit_entries:
        scrubbed = _scrub(entry.data, patterns)
        if scrubbed != entry.data:
            AuditEntry.objects.filter(pk=entry.pk).update(data=scrubbed)
    for snapshot in findings.snapshots:
        snapshot.data = _scrub(snapshot.data, patterns)
        snapshot.save(update_fields=["data"])
    if territory is None:
        for user in findings.users:
            _erase_user(user, by=by)
    else:
        revoked = _revoke_contact_roles(findings, by=by)
        if revoked:
            counts["company_contact_roles"] = revoked
    log_action(by, "privacy.erased", territory=territory, person_ref=person_ref(person), counts=counts)
    return counts
