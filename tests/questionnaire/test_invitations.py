"""The officer invites a contact; the link opens one establishment's questionnaire, once, until it expires."""

import datetime
import hashlib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.questionnaire.links import LINK, open_link
from tremplin.accounts.models import Membership, Role, User
from tremplin.audit.models import AuditEntry
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Fonderie de Lillebonne")


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory, email="officer@caux.example")


def test_the_invitation_email_is_french_and_carries_a_personal_link(invite, officer, site):
    link, _token = invite(officer, site)
    message = mail.outbox[0]
    assert message.to == ["hse@fonderie.example"]
    assert message.subject == "Vos flux de ressources : questionnaire de Fonderie de Lillebonne"
    assert "Bonjour" in message.body and "Fonderie de Lillebonne" in message.body
    expires = timezone.localtime(Invitation.objects.get().expires_at)
    month = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    french_date = f"{expires.day} {month[expires.month - 1]} {expires.year}"
    assert f"Il fonctionne une fois, jusqu'au {french_date}" in message.body
    assert link.startswith("http://testserver/questionnaire/lien/")
    assert Invitation.objects.get().sent_at is not None


def test_only_a_digest_of_the_token_is_stored(invite, officer, site):
    _link, token = invite(officer, site)
    invitation = Invitation.objects.get()
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values_list())


def test_the_link_is_valid_for_thirty_days_by_default(invite, officer, site):
    before = timezone.now()
    invite(officer, site)
    invitation = Invitation.objects.get()
    assert before + datetime.timedelta(days=30) <= invitation.expires_at
    assert invitation.expires_at <= timezone.now() + datetime.timedelta(days=30)
    entry = AuditEntry.objects.get(action="invitation.created")
    assert (entry.actor, entry.territory, entry.data["invitation_id"]) == (
        officer,
        site.territory,
        invitation.pk,
    )
    assert "hse@fonderie.example" not in str(entry.data)  # an identifier, never the address


def test_the_validity_is_a_setting(invite, officer, site, settings):
    settings.QUESTIONNAIRE_INVITATION_DAYS = 7
    invite(officer, site)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at < datetime.timedelta(days=7, seconds=5)


def test_opening_the_link_signs_in_a_new_company_contact_of_that_establishment(client, invite, officer, site):
    link, _token = invite(officer, site)
    page = client.get(link).content.decode()
    assert "Fonderie de Lillebonne" in page and "Ouvrir le questionnaire" in page
    response = open_link(client, link)
    assert response.status_code == 302
    assert response.url == reverse("questionnaire_home", kwargs={"establishment_pk": site.pk})
    contact = User.objects.get(email="hse@fonderie.example")
    assert not contact.has_usable_password()
    assert list(contact.memberships.values_list("role", "establishment")) == [(Role.COMPANY_CONTACT, site.pk)]
    assert int(client.session["_auth_user_id"]) == contact.pk
    invitation = Invitation.objects.get()
    assert invitation.used_at is not None
    assert (invitation.user, invitation.membership) == (contact, contact.memberships.get())
    grant = AuditEntry.objects.get(action="role.granted")
    assert (grant.actor, grant.data["via"], grant.data["establishment_id"]) == (
        contact,
        "invitation",
        site.pk,
    )
    home = client.get(response.url).content.decode()
    assert "Fonderie de Lillebonne" in home and "Opportunités pour votre établissement" in home
    assert "Choisir un mot de passe" in home


def test_an_expired_link_gives_no_access_and_offers_a_new_one(
    client, invite, officer, site, django_capture_on_commit_callbacks
):
    link, _token = invite(officer, site)
    later = timezone.now() + datetime.timedelta(days=30, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(link)
        assert client.post(link, {"action": "open", "signed_in_as": ""}).status_code == 410
    assert response.status_code == 410
    html = response.content.decode()
    assert "Ce lien a expiré" in html and "Envoyez-moi un nouveau lien" in html
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="hse@fonderie.example").exists()

    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(link, {"action": "renew"})
    assert response.status_code == 200
    assert "h…@fonderie.example" in response.content.decode()
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["hse@fonderie.example"]
    new_link = LINK.search(mail.outbox[1].body).group(0)
    assert new_link != link
    assert AuditEntry.objects.filter(action="invitation.renewed").exists()
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert open_link(client, new_link).status_code == 302


def test_a_link_still_valid_one_minute_before_expiry(client, invite, officer, site):
    link, _token = invite(officer, site)
    almost = Invitation.objects.get().expires_at - datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=almost):
        assert open_link(client, link).status_code == 302


def test_a_revoked_link_gives_no_access(client, invite, officer, site):
    link, _token = invite(officer, site)
    client.force_login(officer)
    invitation = Invitation.objects.get()
    client.post(reverse("invitation_revoke", kwargs={"pk": invitation.pk}))
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "Ce lien a été retiré" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.post(link, {"action": "renew"}).status_code == 410
    assert client.post(link, {"action": "open", "signed_in_as": ""}).status_code == 410
    assert len(mail.outbox) == 1


def test_an_unknown_link_gives_a_clear_page(client):
    response = client.get(reverse("questionnaire_open", kwargs={"token": "not-a-real-token"}))
    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas" in response.content.decode()


def test_an_address_with_other_roles_never_signs_in_by_link(client, invite, officer, site):
    other_officer = factories.territory_officer(site.territory, email="colleague@caux.example")
    link, _token = invite(officer, site, email="colleague@caux.example")
    response = client.get(link)
    assert response.status_code == 403
    assert "mot de passe" in response.content.decode()
    assert client.post(link, {"action": "open", "signed_in_as": ""}).status_code == 403
    assert "_auth_user_id" not in client.session
    # Neither the page nor the refused POST used the link or granted anything.
    assert Invitation.objects.get().used_at is None
    assert not Membership.objects.filter(user=other_officer, role=Role.COMPANY_CONTACT).exists()

    # Signed in with their own password, the colleague confirms and becomes a contact too.
    client.force_login(other_officer)
    response = open_link(client, link)
    assert response.url == reverse("questionnaire_home", kwargs={"establishment_pk": site.pk})
    assert int(client.session["_auth_user_id"]) == other_officer.pk
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


def test_the_contact_chooses_a_password_and_comes_back_without_a_link(client, invite, officer, site):
    link, _token = invite(officer, site)
    open_link(client, link)
    url = reverse("questionnaire_password")
    short = client.post(url, {"new_password1": "court", "new_password2": "court"})
    assert short.status_code == 200 and "trop court" in short.content.decode()
    response = client.post(
        url, {"new_password1": "un mot de passe solide 42", "new_password2": "un mot de passe solide 42"}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="hse@fonderie.example").pk
    client.logout()
    login = {"username": "hse@fonderie.example", "password": "un mot de passe solide 42"}
    assert client.post(reverse("login"), login).status_code == 302
    home = reverse("questionnaire_home", kwargs={"establishment_pk": site.pk})
    html = client.get(home).content.decode()
    assert "Fonderie de Lillebonne" in html and "Choisir un mot de passe" not in html


def test_changing_an_existing_password_asks_for_the_old_one(client, site):
    contact = factories.company_contact(site)
    client.force_login(contact)
    url = reverse("questionnaire_password")
    data = {"new_password1": "un mot de passe solide 42", "new_password2": "un mot de passe solide 42"}
    assert client.post(url, data).status_code == 200
    contact.refresh_from_db()
    assert contact.check_password(factories.PASSWORD)
    assert client.post(url, {**data, "old_password": factories.PASSWORD}).status_code == 302
    contact.refresh_from_db()
    assert contact.check_password("un mot de passe solide 42")


def test_only_company_contacts_choose_their_password_here(client, officer):
    client.force_login(officer)
    assert client.get(reverse("questionnaire_password")).status_code == 403
