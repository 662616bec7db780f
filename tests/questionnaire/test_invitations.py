"""The officer invites a contact; the link opens one establishment's questionnaire, until it expires."""

import datetime
import hashlib
import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.accounts.models import Membership, Role, User
from tremplin.audit.models import AuditEntry
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/questionnaire/lien/(\S+)/")


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Fonderie de Lillebonne")


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory, email="officer@caux.example")


def invite(client, officer, site, email="hse@fonderie.example"):
    client.force_login(officer)
    response = client.post(
        reverse("invitation_create", kwargs={"establishment_pk": site.pk}), {"email": email}
    )
    assert response.status_code == 302
    client.logout()
    match = LINK.search(mail.outbox[-1].body)
    return match.group(0), match.group(1)


def test_the_invitation_email_is_french_and_carries_a_personal_link(client, officer, site):
    link, _token = invite(client, officer, site)
    message = mail.outbox[0]
    assert message.to == ["hse@fonderie.example"]
    assert message.subject == "Vos flux de ressources : questionnaire de Fonderie de Lillebonne"
    assert "Bonjour" in message.body and "Fonderie de Lillebonne" in message.body
    expires = timezone.localtime(Invitation.objects.get().expires_at)
    assert f"valable jusqu'au {expires:%d/%m/%Y}" in message.body
    assert link.startswith("http://testserver/questionnaire/lien/")


def test_only_a_digest_of_the_token_is_stored(client, officer, site):
    _link, token = invite(client, officer, site)
    invitation = Invitation.objects.get()
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values_list())


def test_the_link_is_valid_for_thirty_days_by_default(client, officer, site):
    before = timezone.now()
    invite(client, officer, site)
    invitation = Invitation.objects.get()
    assert before + datetime.timedelta(days=30) <= invitation.expires_at
    assert invitation.expires_at <= timezone.now() + datetime.timedelta(days=30)
    entry = AuditEntry.objects.get(action="invitation.created")
    assert (entry.actor, entry.territory, entry.data["email"]) == (
        officer,
        site.territory,
        "hse@fonderie.example",
    )


def test_the_validity_is_a_setting(client, officer, site, settings):
    settings.QUESTIONNAIRE_INVITATION_DAYS = 7
    invite(client, officer, site)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at < datetime.timedelta(days=7, seconds=5)


def test_opening_the_link_signs_in_a_new_company_contact_of_that_establishment(client, officer, site):
    link, _token = invite(client, officer, site)
    response = client.get(link)
    assert response.status_code == 302
    assert response.url == reverse("questionnaire_home", kwargs={"establishment_pk": site.pk})
    contact = User.objects.get(email="hse@fonderie.example")
    assert not contact.has_usable_password()
    assert list(contact.memberships.values_list("role", "establishment")) == [(Role.COMPANY_CONTACT, site.pk)]
    assert int(client.session["_auth_user_id"]) == contact.pk
    assert Invitation.objects.get().used_at is not None
    home = client.get(response.url).content.decode()
    assert "Fonderie de Lillebonne" in home and "Opportunités pour votre établissement" in home


def test_the_same_link_opens_again_later_without_a_second_account(client, officer, site):
    link, _token = invite(client, officer, site)
    client.get(link)
    first_use = Invitation.objects.get().used_at
    client.logout()
    assert client.get(link).status_code == 302
    assert User.objects.filter(email="hse@fonderie.example").count() == 1
    assert Membership.objects.filter(establishment=site).count() == 1
    assert Invitation.objects.get().used_at == first_use


def test_an_expired_link_gives_no_access_and_offers_a_new_one(client, officer, site):
    link, _token = invite(client, officer, site)
    later = timezone.now() + datetime.timedelta(days=30, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(link)
    assert response.status_code == 410
    html = response.content.decode()
    assert "Ce lien a expiré" in html and "Envoyez-moi un nouveau lien" in html
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="hse@fonderie.example").exists()

    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post(link)
    assert response.status_code == 200
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["hse@fonderie.example"]
    new_link = LINK.search(mail.outbox[1].body).group(0)
    assert new_link != link
    assert AuditEntry.objects.filter(action="invitation.renewed").exists()
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(new_link).status_code == 302


def test_a_link_still_valid_one_minute_before_expiry(client, officer, site):
    link, _token = invite(client, officer, site)
    almost = Invitation.objects.get().expires_at - datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=almost):
        assert client.get(link).status_code == 302


def test_a_revoked_link_gives_no_access(client, officer, site):
    link, _token = invite(client, officer, site)
    client.force_login(officer)
    invitation = Invitation.objects.get()
    client.post(reverse("invitation_revoke", kwargs={"pk": invitation.pk}))
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "Ce lien a été retiré" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post(link).status_code == 410
    assert len(mail.outbox) == 1


def test_an_unknown_link_gives_a_clear_page(client):
    response = client.get(reverse("questionnaire_open", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas" in response.content.decode()


def test_an_address_with_other_roles_never_signs_in_by_link(client, officer, site):
    other_officer = factories.territory_officer(site.territory, email="colleague@caux.example")
    link, _token = invite(client, officer, site, email="colleague@caux.example")
    response = client.get(link)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert "mot de passe" in response.content.decode()
    assert Membership.objects.filter(
        user=other_officer, role=Role.COMPANY_CONTACT, establishment=site
    ).exists()


def test_a_wrong_address_is_refused_and_kept(client, officer, site):
    client.force_login(officer)
    response = client.post(
        reverse("invitation_create", kwargs={"establishment_pk": site.pk}), {"email": "hse@fonderie"}
    )
    assert response.status_code == 200
    assert 'value="hse@fonderie"' in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
