"""Inviting is idempotent (a double submit sends one e-mail, leaves one live link), and mail leaves only
after the transaction commits."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.questionnaire.links import open_link
from tremplin.audit.models import AuditEntry
from tremplin.questionnaire.models import Invitation
from tremplin.questionnaire.services import QuestionnaireNotAllowed, invite_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Fonderie de Lillebonne")


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory, email="officer@caux.example")


def link_for(token):
    return f"http://testserver/questionnaire/lien/{token}/"


def post_invitation(client, site, email="hse@fonderie.example"):
    return client.post(reverse("invitation_create", kwargs={"establishment_pk": site.pk}), {"email": email})


def test_a_double_submit_sends_one_email_and_leaves_one_live_link(
    client, officer, site, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        post_invitation(client, site)
    with django_capture_on_commit_callbacks(execute=True):
        second = post_invitation(client, site, email="HSE@Fonderie.example")
    assert len(mail.outbox) == 1
    assert Invitation.objects.count() == 1
    html = client.get(second.url).content.decode()
    assert "aucun second e-mail n&#x27;a été envoyé" in html
    assert AuditEntry.objects.filter(action="invitation.created").count() == 1


def test_inviting_again_later_replaces_the_previous_link(client, officer, site, invite):
    first_link, _ = invite(officer, site)
    later = timezone.now() + datetime.timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        second_link, _ = invite(officer, site)
        assert len(mail.outbox) == 2
        assert Invitation.objects.usable().count() == 1
        response = client.get(first_link)
        assert response.status_code == 410 and "Ce lien a été remplacé" in response.content.decode()
        assert open_link(client, second_link).status_code == 302
    old = Invitation.objects.get(current=False)
    assert old.status == "replaced"


def test_the_database_refuses_two_current_links_for_one_address(site):
    factories.invitation(site, email="hse@fonderie.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.invitation(site, email="hse@fonderie.example")


def test_other_addresses_and_establishments_get_their_own_link(client, officer, site, invite):
    invite(officer, site)
    invite(officer, site, email="direction@fonderie.example")
    invite(officer, factories.establishment(site.territory), email="hse@fonderie.example")
    assert len(mail.outbox) == 3
    assert Invitation.objects.usable().count() == 3


def test_the_email_leaves_only_after_the_commit(officer, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite_contact(site, email="hse@fonderie.example", by=officer, link_for=link_for)
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["hse@fonderie.example"]]
    assert Invitation.objects.get().sent_at is not None


def test_no_email_leaves_when_the_transaction_is_rolled_back(
    officer, site, django_capture_on_commit_callbacks
):
    class Later(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Later),
        transaction.atomic(),
    ):
        invite_contact(site, email="hse@fonderie.example", by=officer, link_for=link_for)
        raise Later
    assert callbacks == []
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_a_link_whose_email_failed_is_sent_by_the_next_invitation(
    officer, site, django_capture_on_commit_callbacks
):
    refused = smtplib.SMTPRecipientsRefused({"hse@fonderie.example": (550, b"no")})
    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused),
        pytest.raises(smtplib.SMTPRecipientsRefused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invite_contact(site, email="hse@fonderie.example", by=officer, link_for=link_for)
    assert Invitation.objects.get().sent_at is None
    with django_capture_on_commit_callbacks(execute=True):
        invite_contact(site, email="hse@fonderie.example", by=officer, link_for=link_for)
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(current=True).sent_at is not None
    assert Invitation.objects.count() == 2


def test_the_officer_is_told_when_the_email_could_not_leave(client, officer, site):
    client.force_login(officer)
    with mock.patch("tremplin.www.questionnaire.views.invite_contact", side_effect=ConnectionRefusedError):
        response = post_invitation(client, site)
    html = client.get(response.url).content.decode()
    assert "L&#x27;e-mail d&#x27;invitation n&#x27;a pas pu partir" in html


def test_only_the_establishments_team_may_invite(site):
    for person in (
        factories.territory_officer(factories.territory("200084952")),
        factories.company_contact(site),
        factories.programme_team_member(),
    ):
        with pytest.raises(QuestionnaireNotAllowed):
            invite_contact(site, email="x@example.org", by=person, link_for=link_for)
    assert not Invitation.objects.exists()
