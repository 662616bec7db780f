"""Purge what has outlived its use (``tremplin purge``); idempotent: a second run purges nothing.

- invitations expired more than ``PURGE_INVITATIONS_AFTER_DAYS`` ago (they hold an e-mail address);
- sessions past their expiry date (the session backend's own ``clear_expired``);
- one-time form submissions older than ``SUBMISSION_RETENTION_DAYS``;
- audit entries older than ``AUDIT_RETENTION_DAYS``;
- accounts that never confirmed their address, once their last confirmation link has expired
  (``ACCOUNT_CONFIRMATION_HOURS``): an address, a name and nothing else, that nobody can use any more;
- import previews nobody confirmed or cancelled within ``IMPORT_PREVIEW_RETENTION_DAYS`` (cancelled,
  their stored file deleted);
- django-axes' records of sign-in attempts (address typed, IP address, browser) older than
  ``LOGIN_ATTEMPTS_RETENTION_DAYS``, and never while they still lock an address out.
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
    unconfirmed_accounts: int = 0
    login_attempts: int = 0
    import_previews: int = 0

    @property
    def total(self) -> int:
        return (
            self.invitations
            + self.sessions
            + self.submissions
            + self.audit_entries
            + self.unconfirmed_accounts
            + self.login_attempts
            + self.import_previews
        )


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


def _unconfirmed_accounts(now) -> int:
    """Accounts still awaiting the confirmation of their address after their last link expired. Their
    sign-up entries in the journal stay (they read as an erased person)."""
    from django.db.models import Q

    from tremplin.accounts.models import User

    cutoff = now - datetime.timedelta(hours=settings.ACCOUNT_CONFIRMATION_HOURS)
    stale = User.objects.filter(awaits_confirmation=True, is_active=False, last_login__isnull=True).filter(
        Q(confirmation_sent_at__lt=cutoff) | Q(confirmation_sent_at__isnull=True, date_joined__lt=cutoff)
    )
    count = 0
    for user in stale:  # one by one: each account's own relations go with it (Django's deletion)
        user.delete()
        count += 1
    return count


def _login_attempts(now) -> int:
    """django-axes' attempt records past their retention; a record still within the lockout period
    (``LOGIN_LOCKOUT_MINUTES``) is kept whatever the retention, so that purging never lifts a lockout."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = min(
        _older_than(settings.LOGIN_ATTEMPTS_RETENTION_DAYS, now),
        now - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
    )
    count = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted, _ = model.objects.filter(attempt_time__lt=cutoff).delete()
        count += deleted
    return count


@transaction.atomic
def purge(*, now=None) -> PurgeReport:
    from tremplin.audit.models import AuditEntry
    from tremplin.imports.services import expire_previews
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
        unconfirmed_accounts=_unconfirmed_accounts(now),
        login_attempts=_login_attempts(now),
        import_previews=expire_previews(now=now),
    )
    if report.total:
        log_action(
            None,
            "privacy.purged",
            invitations=report.invitations,
            sessions=report.sessions,
            submissions=report.submissions,
            audit_entries=report.audit_entries,
            unconfirmed_accounts=report.unconfirmed_accounts,
            login_attempts=report.login_attempts,
            import_previews=report.import_previews,
            audit_retention_days=settings.AUDIT_RETENTION_DAYS,
        )
    return report
