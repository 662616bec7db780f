"""Revoking a link, or its expiry, ends the membership it granted and the contact's sessions."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.questionnaire.links import open_link
from tremplin.accounts.models import Membership, Role, User
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Flow
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db

OUTPUT = {"resource": "wood_clean", "quantity": "3", "unit": "t", "frequency": "year"}


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Fonderie de Lillebonne")


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory, email="officer@caux.example")


def contact_browser(link) -> Client:
    browser = Client()
    open_link(browser, link)
    return browser


def revoke(officer, invitation):
    browser = Client()
    browser.force_login(officer)
    assert browser.post(reverse("invitation_revoke", kwargs={"pk": invitation.pk})).status_code == 302


def outputs_url(site):
    return reverse("questionnaire_outputs", kwargs={"establishment_pk": site.pk})


def test_revoking_a_link_signs_the_contact_out_of_every_browser(invite, officer, site):
    link, _token = invite(officer, site)
    phone = contact_browser(link)
    contact = User.objects.get(email="hse@fonderie.example")
    # The contact also chose a password and signed in on a second computer.
    contact.set_password("un mot de passe solide 42")
    contact.save()
    laptop = Client()
    laptop.force_login(contact)
    assert laptop.get(outputs_url(site)).status_code == 200

    revoke(officer, Invitation.objects.get())

    for browser in (phone, laptop):
        response = browser.get(outputs_url(site))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Membership.objects.filter(user=contact).exists()
    entry = AuditEntry.objects.get(action="role.revoked")
    assert (entry.actor, entry.data["reason"], entry.data["establishment_id"]) == (
        officer,
        "invitation revoked",
        site.pk,
    )
    # Signing in again with the password no longer reaches the establishment.
    contact.refresh_from_db()
    laptop.force_login(contact)
    assert laptop.get(outputs_url(site)).status_code == 404


def test_a_contact_mid_questionnaire_cannot_post_once_revoked(invite, officer, site):
    link, _token = invite(officer, site)
    phone = contact_browser(link)
    assert phone.get(outputs_url(site)).status_code == 200  # the form is open on the phone
    revoke(officer, Invitation.objects.get())
    response = phone.post(outputs_url(site), OUTPUT)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    review = reverse("questionnaire_review", kwargs={"establishment_pk": site.pk})
    assert phone.post(review).status_code == 302
    flow_create = reverse("flow_create", kwargs={"establishment_pk": site.pk})
    assert phone.post(flow_create, {**OUTPUT, "direction": "out"}).status_code == 302
    assert not Flow.objects.exists()
    assert not AuditEntry.objects.filter(action="questionnaire.submitted").exists()


def test_revoking_one_establishments_link_keeps_the_contacts_other_establishment(invite, officer, site):
    second = factories.establishment(site.territory, name="Fonderie, site 2")
    first_link, _ = invite(officer, site)
    second_link, _ = invite(officer, second)
    browser = contact_browser(first_link)
    open_link(browser, second_link)
    contact = User.objects.get(email="hse@fonderie.example")

    revoke(officer, Invitation.objects.get(establishment=site))

    assert list(contact.memberships.values_list("establishment", flat=True)) == [second.pk]
    contact.refresh_from_db()
    browser.force_login(contact)  # its sessions ended; it signs in again
    assert browser.get(outputs_url(site)).status_code == 404
    assert browser.get(outputs_url(second)).status_code == 200


def test_a_team_member_who_was_also_invited_keeps_their_own_sessions(client, invite, officer, site):
    colleague = factories.territory_officer(site.territory, email="colleague@caux.example")
    link, _token = invite(officer, site, email="colleague@caux.example")
    client.force_login(colleague)
    open_link(client, link)
    assert Membership.objects.filter(user=colleague, role=Role.COMPANY_CONTACT).exists()

    revoke(officer, Invitation.objects.get())

    assert not Membership.objects.filter(user=colleague, role=Role.COMPANY_CONTACT).exists()
    assert Membership.objects.filter(user=colleague, role=Role.TERRITORY_TEAM).exists()
    # Still signed in, still on the team of the territory (which reaches the establishment's page).
    territory = reverse("territory_detail", kwargs={"pk": site.territory_id})
    assert client.get(territory).status_code == 200
    assert int(client.session["_auth_user_id"]) == colleague.pk


def test_a_role_granted_otherwise_is_left_alone_by_a_revocation(invite, officer, site):
    contact = factories.company_contact(site, email="hse@fonderie.example")
    link, _token = invite(officer, site)
    browser = Client()
    browser.force_login(contact)
    open_link(browser, link)
    revoke(officer, Invitation.objects.get())
    assert Membership.objects.filter(user=contact, establishment=site).exists()


def test_an_expired_link_ends_the_access_it_granted_at_the_next_request(invite, officer, site):
    link, _token = invite(officer, site)
    phone = contact_browser(link)
    contact = User.objects.get(email="hse@fonderie.example")
    # Short-lived, so that the browser's session outlives the link.
    Invitation.objects.update(expires_at=timezone.now() + datetime.timedelta(minutes=1))
    later = timezone.now() + datetime.timedelta(minutes=2)

    with mock.patch("django.utils.timezone.now", return_value=later):
        response = phone.post(outputs_url(site), OUTPUT)
    assert response.status_code == 302
    assert not Flow.objects.exists()
    assert not Membership.objects.filter(user=contact).exists()
    assert Invitation.objects.get().membership is None
    entry = AuditEntry.objects.get(action="invitation.expired")
    assert entry.actor is None and entry.data["invitation_id"] == Invitation.objects.get().pk
    assert "hse@fonderie.example" not in str(entry.data)  # an identifier, never the address
    follow = phone.get(response.url)
    assert follow.status_code == 302 and follow.url.startswith(reverse("login"))


def test_the_command_ends_the_access_of_every_expired_link(invite, officer, site, capsys):
    expired_link, _ = invite(officer, site)
    live_link, _ = invite(officer, factories.establishment(site.territory), email="other@example.org")
    contact_browser(expired_link)
    contact_browser(live_link)
    Invitation.objects.filter(email="hse@fonderie.example").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    call_command("end_expired_invitations")
    assert "1 expired invitation(s)" in capsys.readouterr().out
    assert list(
        Membership.objects.filter(role=Role.COMPANY_CONTACT).values_list("user__email", flat=True)
    ) == ["other@example.org"]
    call_command("end_expired_invitations")
    assert AuditEntry.objects.filter(action="invitation.expired").count() == 1


def test_a_new_invitation_of_a_contact_still_using_its_link_keeps_its_access(invite, officer, site):
    link, _token = invite(officer, site)
    phone = contact_browser(link)
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + datetime.timedelta(hours=1)):
        invite(officer, site)  # the officer sends a new link later (the contact lost the e-mail)
        assert phone.get(outputs_url(site)).status_code == 200
    old, new = Invitation.objects.order_by("created_at")
    assert (old.current, old.membership, new.current) == (False, None, True)
    assert new.membership == Membership.objects.get(user__email="hse@fonderie.example")
    revoke(officer, new)
    assert phone.get(outputs_url(site)).status_code == 302
