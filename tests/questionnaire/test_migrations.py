"""Invitations sent before links became single-use keep working under the new rules."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db

migration = importlib.import_module("tremplin.questionnaire.migrations.0002_single_use_links")


def test_the_newest_link_of_an_address_stays_current_and_holds_the_contacts_role():
    site = factories.establishment(factories.territory(CAUX_SEINE))
    contact = factories.company_contact(site, email="hse@fonderie.example")
    older, _ = factories.invitation(site, email="hse@fonderie.example", current=False)
    newer, _ = factories.invitation(site, email="hse@fonderie.example", current=False, used_at=timezone.now())
    other, _ = factories.invitation(site, email="direction@fonderie.example", current=False)
    Invitation.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))

    migration.link_existing_invitations(apps, None)

    for invitation in (older, newer, other):
        invitation.refresh_from_db()
    assert (older.current, newer.current, other.current) == (False, True, True)
    assert (newer.user, newer.membership) == (contact, contact.memberships.get())
    assert older.membership is None and other.membership is None
    assert all(i.sent_at == i.created_at for i in (older, newer, other))
