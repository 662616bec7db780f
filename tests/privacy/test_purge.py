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
