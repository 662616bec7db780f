"""Purge what has outlived its use (``tremplin purge``); idempotent: a second run purges nothing.

- invitations expired more than ``PURGE_INVITATIONS_AFTER_DAYS`` ago (they hold an e-mail address);
- sessions past their expiry date (the session backend's own ``clear_expired``);
- one-time form submissions older than ``SUBMISSION_RETENTION_DAYS``;
- audit entries older than ``AUDIT_RETENTION_DAYS``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tremplin.audit.log import log_action


@dataclass(frozen=True)
class PurgeReport:
    invitations: int
    sessions: int
    submissions: int
    audit_entries: int

    @property
    def total(self) -> int:
        return self.invitations + self.sessions + self.submissions + self.audit_entries


def _expired_sessions() -> int:
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        from django.contrib.sessions.models import Session

        count = Session.objects.filter(expire_date__lt=timezone.now()).count()
    else:
        count = 0  # cookies or a cache expire by themselves; nothing to count
    engine.SessionStore.clear_expired()
    return count


def _older_than(days: int, now) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


@transaction.atomic
def purge(*, now=None) -> PurgeReport:
    from tremplin.audit.models import AuditEntry
    from tremplin.questionnaire.models import Invitation
    from tremplin.submissions.models import Submission

    now = now or timezone.now()
    invitations, _ = Invitation.objects.filter(
        expires_at__lt=_older_than(settings.PURGE_INVITATIONS_AFTER_DAYS, now)
    ).delete()
    submissions, _ = Submission.objects.filter(
        created_at__lt=_older_than(settings.SUBMISSION_RETENTION_DAYS, now)
    ).delete()
    audit_entries, _ = AuditEntry.objects.filter(
        at__lt=_older_than(settings.AUDIT_RETENTION_DAYS, now)
    ).delete()
    report = PurgeReport(
        invitations=invitations,
        sessions=_expired_sessions(),
        submissions=submissions,
        audit_entries=audit_entries,
    )
    if report.total:
        log_action(
            None,
            "privacy.purged",
            invitations=report.invitations,
            sessions=report.sessions,
            submissions=report.submissions,
            audit_entries=report.audit_entries,
            audit_retention_days=settings.AUDIT_RETENTION_DAYS,
        )
    return report
