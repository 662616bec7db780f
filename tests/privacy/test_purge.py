"""``tremplin purge``: expired invitations, expired sessions, old form keys and audit entries past their
retention go; everything else stays; a second run purges nothing."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.log import log_action
from tremplin.audit.models import AuditEntry
from tremplin.cli import main
from tremplin.questionnaire.models import Invitation
from tremplin.submissions.models import Submission
from tremplin.submissions.services import submit_once

pytestmark = pytest.mark.django_db


def _days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE))


def test_purge_deletes_what_outlived_its_retention_and_only_that(site, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 365
    settings.PURGE_INVITATIONS_AFTER_DAYS = 90
    settings.SUBMISSION_RETENTION_DAYS = 2
    factories.invitation(site, email="old@example.org", expires_at=_days_ago(91))
    factories.invitation(site, email="recent@example.org", expires_at=_days_ago(10))  # expired, kept a while
    factories.invitation(site, email="valid@example.org")
    old = log_action(None, "flow.created", territory=site.territory, at=_days_ago(400))
    kept = log_action(None, "flow.created", territory=site.territory, at=_days_ago(300))
    officer = factories.territory_officer(site.territory)
    contact = submit_once("k", by=officer, create=lambda: factories.establishment_contact(site))
    Submission.objects.update(created_at=_days_ago(3))
    submit_once("k2", by=officer, create=lambda: factories.establishment_contact(site))
    expired = SessionStore()
    expired["x"] = 1
    expired.set_expiry(-10)
    expired.create()
    alive = SessionStore()
    alive.create()

    assert main(["purge"]) == 0
    assert "invitations: 1, sessions: 1, form submissions: 1, audit entries: 1" in capsys.readouterr().out
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "recent@example.org",
        "valid@example.org",
    }
    assert (
        not AuditEntry.objects.filter(pk=old.pk).exists() and AuditEntry.objects.filter(pk=kept.pk).exists()
    )
    assert Submission.objects.count() == 1 and contact.pk  # the contact itself stays
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]
    purged = AuditEntry.objects.get(action="privacy.purged")
    assert (purged.data["invitations"], purged.data["audit_entries"]) == (1, 1)

    assert main(["purge"]) == 0  # idempotent
    assert "invitations: 0, sessions: 0, form submissions: 0, audit entries: 0" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="privacy.purged").count() == 1


def test_the_retention_periods_have_documented_defaults():
    from django.conf import settings

    assert settings.AUDIT_RETENTION_DAYS == 5 * 365
    assert settings.PURGE_INVITATIONS_AFTER_DAYS == 90
    assert settings.SUBMISSION_RETENTION_DAYS == 2
    assert settings.AGGREGATE_MIN_COMPANIES == 3


def test_purge_deletes_accounts_whose_address_was_never_confirmed_once_their_link_expired(settings, capsys):
    from tremplin.accounts.models import User
    from tremplin.accounts.signup import sign_up

    settings.ACCOUNT_CONFIRMATION_HOURS = 48
    now = timezone.now()
    stale = sign_up(email="jamais@epci.example", first_name="Jamais", last_name="Venu", now=_days_ago(3))
    fresh = sign_up(email="bientot@epci.example", first_name="Bientôt", last_name="Là", now=_days_ago(1))
    # Asked for a new link yesterday: its new link is still valid.
    renewed = sign_up(email="relance@epci.example", first_name="Re", last_name="Lancé", now=_days_ago(10))
    User.objects.filter(pk=renewed.pk).update(confirmation_sent_at=now - datetime.timedelta(hours=20))
    confirmed = factories.user(email="confirme@epci.example")
    User.objects.filter(pk=confirmed.pk).update(date_joined=_days_ago(30))

    assert main(["purge"]) == 0
    assert "unconfirmed accounts: 1" in capsys.readouterr().out
    assert set(User.objects.values_list("email", flat=True)) == {
        fresh.email,
        renewed.email,
        confirmed.email,
    }
    assert not User.objects.filter(pk=stale.pk).exists()
    # The journal keeps that someone signed up, without the address.
    signed_up = AuditEntry.objects.filter(action="account.signed_up", target_id=str(stale.pk)).get()
    assert "jamais@epci.example" not in str(signed_up.data)
    assert AuditEntry.objects.get(action="privacy.purged").data["unconfirmed_accounts"] == 1


def test_purge_deletes_sign_in_attempt_records_past_their_retention_but_never_a_running_lockout(
    settings, capsys
):
    from axes.models import AccessAttempt, AccessFailureLog

    settings.LOGIN_ATTEMPTS_RETENTION_DAYS = 30
    common = {
        "user_agent": "Mozilla/5.0",
        "get_data": "",
        "post_data": "",
        "path_info": "/comptes/connexion/",
    }
    old = AccessAttempt.objects.create(
        username="vieux@example.org", ip_address="192.0.2.1", failures_since_start=3, **common
    )
    recent = AccessAttempt.objects.create(
        username="recent@example.org", ip_address="192.0.2.2", failures_since_start=5, **common
    )
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=_days_ago(31))
    AccessAttempt.objects.filter(pk=recent.pk).update(attempt_time=_days_ago(29))
    old_log = AccessFailureLog.objects.create(
        username="vieux@example.org", ip_address="192.0.2.1", user_agent="x", path_info="/"
    )
    AccessFailureLog.objects.filter(pk=old_log.pk).update(attempt_time=_days_ago(40))
    AccessFailureLog.objects.create(
        username="recent@example.org", ip_address="192.0.2.2", user_agent="x", path_info="/"
    )

    assert main(["purge"]) == 0
    assert "sign-in attempts: 2" in capsys.readouterr().out
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent@example.org"]
    assert list(AccessFailureLog.objects.values_list("username", flat=True)) == ["recent@example.org"]

    # A retention shorter than the lockout never lifts one: a lockout of a minute ago stays.
    settings.LOGIN_ATTEMPTS_RETENTION_DAYS = 0
    AccessAttempt.objects.filter(pk=recent.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=1)
    )
    main(["purge"])
    assert AccessAttempt.objects.filter(pk=recent.pk).exists()
    assert not AccessFailureLog.objects.filter(attempt_time__lt=_days_ago(1)).exists()


def test_the_login_attempts_retention_has_a_documented_default():
    from django.conf import settings

    assert settings.LOGIN_ATTEMPTS_RETENTION_DAYS == 30
