"""Re-audit of sessions through the pages (issue 9): each way a person's access ends takes their open
sessions with it at their next request, in every browser; a link signs in once; signing in is throttled;
an idle session ends; nobody can flood a mailbox through the platform's public forms."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.questionnaire.links import LINK, open_link

pytestmark = pytest.mark.django_db


def _signed_in(browser) -> bool:
    return browser.get(reverse("home")).context["user"].is_authenticated


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def test_a_password_reset_through_its_link_signs_the_person_out_of_every_other_browser(client):
    person = factories.user(email="oubli@example.org")
    laptop, phone = Client(), Client()
    laptop.force_login(person)
    phone.force_login(person)
    client.post(reverse("password_reset"), {"email": "oubli@example.org"})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form, {"new_password1": "Une-phrase-secrete-2026", "new_password2": "Une-phrase-secrete-2026"}
    )
    assert not _signed_in(laptop) and not _signed_in(phone)
    # The link served once: opened again, it sets nothing.
    again = client.get(link, follow=True).content.decode()
    assert 'name="new_password1"' not in again


def test_the_reset_page_sends_one_link_per_address_every_two_minutes(client):
    factories.user(email="victime@example.org")
    for _ in range(10):
        response = client.post(reverse("password_reset"), {"email": "victime@example.org"}, follow=True)
        assert "Lien envoyé" in response.content.decode()  # the same answer every time
    assert len(mail.outbox) == 1
    later = timezone.now() + datetime.timedelta(minutes=3)
    with mock.patch("django.core.cache.backends.locmem.time.time", return_value=later.timestamp()):
        client.post(reverse("password_reset"), {"email": "victime@example.org"})
    assert len(mail.outbox) == 2


def test_signing_up_again_sends_the_confirmation_once_every_two_minutes(
    client, django_capture_on_commit_callbacks
):
    data = {"email": "nouveau@epci.example", "first_name": "Nina", "last_name": "Nouvelle"}
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("programme_signup"), data)
    assert len(mail.outbox) == 1


def test_erasing_a_contact_from_the_privacy_page_ends_its_sessions(client, caux):
    site = factories.establishment(caux)
    contact = factories.company_contact(site, email="contact@entreprise.example")
    browser = Client()
    browser.force_login(contact)
    assert browser.get(reverse("establishment_detail", kwargs={"pk": site.pk})).status_code == 200
    client.force_login(factories.territory_officer(caux))
    response = client.post(
        reverse("territory_personal_data", kwargs={"territory_pk": caux.pk}),
        {"action": "erase", "email": "contact@entreprise.example", "confirm": "on"},
    )
    assert response.status_code in (200, 302)
    assert not _signed_in(browser)


def test_a_member_removed_by_the_programme_team_is_signed_out(client, caux):
    officer = factories.territory_officer(caux)
    factories.territory_officer(caux)  # a colleague: nobody removes the territory's last editor
    browser = Client()
    browser.force_login(officer)
    from tremplin.accounts.models import Membership

    client.force_login(factories.programme_team_member())
    membership = Membership.objects.get(user=officer)
    client.post(reverse("team_member_remove", kwargs={"pk": membership.pk}), {"reason": "Départ"})
    assert not _signed_in(browser)
    officer.refresh_from_db()
    browser.force_login(officer)  # signing in again reaches nothing of the territory
    assert browser.get(reverse("territory_detail", kwargs={"pk": caux.pk})).status_code == 404


def test_a_questionnaire_link_signs_in_one_browser_once(client, caux, django_capture_on_commit_callbacks):
    from tremplin.questionnaire.services import invite_contact

    officer = factories.territory_officer(caux)
    site = factories.establishment(caux)
    with django_capture_on_commit_callbacks(execute=True):
        invite_contact(
            site,
            email="hse@usine.example",
            by=officer,
            link_for=lambda token: f"http://testserver/questionnaire/lien/{token}/",
        )
    link = LINK.search(mail.outbox[-1].body).group(0)
    first = Client()
    open_link(first, link)
    assert _signed_in(first)
    second = Client()
    assert second.get(link).status_code == 410  # used: the contact's own login, or a fresh link
    response = second.post(link, {"action": "open", "signed_in_as": ""})
    assert response.status_code == 410 and not _signed_in(second)


def test_an_idle_session_ends_after_the_timeout_whoever_opened_it(client, caux, settings):
    site = factories.establishment(caux)
    contact = factories.company_contact(site)
    client.force_login(contact)
    url = reverse("establishment_detail", kwargs={"pk": site.pk})
    assert client.get(url).status_code == 200
    later = timezone.now() + datetime.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_wrong_passwords_lock_the_login_form_and_the_admin_alike(client):
    factories.user(email="cible@example.org")
    for _ in range(5):
        client.post(reverse("login"), {"username": "cible@example.org", "password": "faux"})
    response = client.post(
        reverse("login"), {"username": "cible@example.org", "password": factories.PASSWORD}
    )
    assert not _signed_in(client)
    assert response.status_code in (403, 429)
