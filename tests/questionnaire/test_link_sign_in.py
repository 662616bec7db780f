"""A link signs in once, never silently switches a signed-in person to the contact, and GET uses nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.questionnaire.links import LINK, open_link
from tremplin.accounts.models import Membership, Role, User
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Fonderie de Lillebonne")


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory, email="officer@caux.example")


def session_user(client):
    return client.session.get("_auth_user_id")


def test_opening_the_page_of_a_link_uses_nothing(client, invite, officer, site):
    """E-mail scanners fetch every link of a message: a GET must not use up a one-time link."""
    link, _token = invite(officer, site)
    for _ in range(3):
        assert client.get(link).status_code == 200
    assert Invitation.objects.get().used_at is None
    assert not User.objects.filter(email="hse@fonderie.example").exists()
    assert session_user(client) is None


def test_a_link_signs_in_only_once(client, invite, officer, site):
    link, _token = invite(officer, site)
    open_link(client, link)
    client.logout()

    # Another browser (or the same one, signed out) with the same link gets no session.
    response = client.get(link)
    assert response.status_code == 410
    html = response.content.decode()
    assert "Ce lien a déjà été utilisé" in html and "Envoyer un nouveau lien à h…@fonderie.example" in html
    assert client.post(link, {"action": "open", "signed_in_as": ""}).status_code == 410
    assert session_user(client) is None
    assert User.objects.filter(email="hse@fonderie.example").count() == 1
    assert Membership.objects.filter(establishment=site).count() == 1


def test_the_person_the_link_signed_in_goes_straight_through_it_again(client, invite, officer, site):
    link, _token = invite(officer, site)
    open_link(client, link)
    response = client.get(link)
    assert response.status_code == 302
    assert response.url == reverse("questionnaire_home", kwargs={"establishment_pk": site.pk})


def test_a_used_link_sends_a_fresh_one_to_the_same_address_only(
    client, invite, officer, site, django_capture_on_commit_callbacks
):
    link, _token = invite(officer, site)
    open_link(client, link)
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"action": "renew", "email": "attacker@evil.example"})
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["hse@fonderie.example"], ["hse@fonderie.example"]]
    fresh = LINK.search(mail.outbox[1].body).group(0)
    # The old link is replaced: pressing again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(link, {"action": "renew"})
    assert "Ce lien a été remplacé" in again.content.decode()
    assert len(mail.outbox) == 2
    # The fresh link signs in once, as the same person, who keeps the establishment.
    open_link(client, fresh)
    contact = User.objects.get(email="hse@fonderie.example")
    assert int(session_user(client)) == contact.pk
    assert list(contact.memberships.values_list("establishment", flat=True)) == [site.pk]
    assert Invitation.objects.get(current=True).membership == contact.memberships.get()


def test_an_officer_opening_a_contacts_link_is_asked_first(client, invite, officer, site):
    link, _token = invite(officer, site)
    client.force_login(officer)
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vous êtes connecté en tant que <strong>officer@caux.example</strong>" in html
    assert "Continuer en tant que h…@fonderie.example" in html
    assert "Rester connecté en tant que officer@caux.example" in html
    # Nothing happened yet: the officer is still signed in, the link unused.
    assert int(session_user(client)) == officer.pk
    assert Invitation.objects.get().used_at is None

    # Choosing to continue signs the officer out and the contact in.
    response = open_link(client, link)
    assert response.status_code == 302
    contact = User.objects.get(email="hse@fonderie.example")
    assert int(session_user(client)) == contact.pk


def test_a_confirmation_shown_to_nobody_never_switches_a_session_signed_in_since(
    client, invite, officer, site
):
    """The anonymous landing page, submitted after the officer signed in in another tab, asks again."""
    link, _token = invite(officer, site)
    anonymous_page = client.get(link).content.decode()
    assert re.search(r'name="signed_in_as" value=""', anonymous_page)
    client.force_login(officer)
    response = client.post(link, {"action": "open", "signed_in_as": ""})
    assert response.status_code == 302 and response.url == link.replace("http://testserver", "")
    assert int(session_user(client)) == officer.pk
    assert Invitation.objects.get().used_at is None


def test_a_post_without_the_confirmation_field_never_switches_an_officers_session(
    client, invite, officer, site
):
    link, _token = invite(officer, site)
    client.force_login(officer)
    client.post(link, {"action": "open"})
    assert int(session_user(client)) == officer.pk
    assert Invitation.objects.get().used_at is None


def test_the_contact_already_signed_in_opens_a_second_establishments_link_without_a_new_session(
    client, invite, officer, site
):
    second = factories.establishment(site.territory, name="Fonderie, site 2")
    first_link, _ = invite(officer, site)
    second_link, _ = invite(officer, second)
    open_link(client, first_link)
    contact = User.objects.get(email="hse@fonderie.example")
    session_key = client.session.session_key
    html = client.get(second_link).content.decode()
    assert "Vous êtes connecté en tant que" not in html
    response = open_link(client, second_link)
    assert response.url == reverse("questionnaire_home", kwargs={"establishment_pk": second.pk})
    assert client.session.session_key == session_key
    assert set(contact.memberships.values_list("establishment", flat=True)) == {site.pk, second.pk}


def test_a_disabled_account_is_not_signed_in(client, invite, officer, site):
    link, _token = invite(officer, site)
    User.objects.create_user(email="hse@fonderie.example", is_active=False)
    response = client.get(link)
    assert response.status_code == 410
    assert "désactivé" in response.content.decode()
    assert client.post(link, {"action": "open", "signed_in_as": ""}).status_code == 410
    assert session_user(client) is None
    assert not Membership.objects.filter(role=Role.COMPANY_CONTACT).exists()
