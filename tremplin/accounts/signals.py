"""Sign-ins in the audit log: successes, failures and lockouts (Django's and Axes' signals).

Nothing secret is kept: Django hides the password from ``user_login_failed`` already, and a failure is
recorded against the account it was aimed at, never with the address typed, so that a mistyped address
of someone without an account (personal data of a stranger) is not kept. The client IP address stays in
Axes' own table of attempts, which it clears after the cool-off period.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from tremplin.accounts.throttling import login_name
from tremplin.audit.log import log_action


def _account(name: str):
    from tremplin.accounts.models import User

    return User.objects.filter(email__iexact=name).first() if name else None


def _via(request) -> str:
    path = getattr(request, "path", "") or ""
    return "admin" if path.startswith("/admin/") else "site"


@receiver(user_logged_in, dispatch_uid="tremplin.audit.login")
def record_login(sender, request, user, **kwargs):
    log_action(user, "account.login.succeeded", user, via=_via(request))


@receiver(user_login_failed, dispatch_uid="tremplin.audit.login_failed")
def record_failed_login(sender, credentials, request=None, **kwargs):
    account = _account(login_name(request, credentials))
    log_action(None, "account.login.failed", account, via=_via(request), known_account=account is not None)


def record_lockout(sender, request, username, ip_address, **kwargs):
    """Once per lockout: when the failure that reaches the limit is recorded."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    account = _account(username or "")
    log_action(None, "account.login.locked", account, via=_via(request), failures=failures)


def connect():
    from axes.signals import user_locked_out

    user_locked_out.connect(record_lockout, dispatch_uid="tremplin.audit.lockout")
