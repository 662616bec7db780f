"""The web shell: header, navigation, skip links, language, login, logout and password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_home_page_has_the_shell_in_french(client):
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert 'href="#main">Aller au contenu</a>' in html
    assert 'href="#main-nav">Aller à la navigation</a>' in html
    assert "Écologie industrielle et territoriale" in html
    assert 'id="main"' in html and 'role="contentinfo"' in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


def test_assets_come_from_the_platform_never_from_a_cdn(client):
    html = client.get("/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', html)
    assert sources, "the page loads no stylesheet or script"
    assert all(source.startswith("/static/") for source in sources), sources


def test_the_language_switch_turns_the_interface_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    assert "Industrial and territorial ecology" in html


def test_login_then_logout(client):
    person = factories.territory_officer(factories.territory("200010700"), email="agent@caux.example")
    response = client.post(
        reverse("login"), {"username": "agent@caux.example", "password": factories.PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "Se déconnecter" in html
    assert "Caux Seine Agglo" in html  # the home page lists the user's territory
    assert "Équipe du territoire" in html
    client.post(reverse("logout"))
    assert "Se connecter" in client.get("/").content.decode()
    assert person.pk


def test_a_wrong_password_keeps_the_typed_address(client):
    factories.user(email="someone@example.org")
    response = client.post(reverse("login"), {"username": "someone@example.org", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="someone@example.org"' in html
    assert "Saisissez" in html  # Django's French message for wrong credentials


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    factories.user(email="forgetful@example.org")
    client.post(reverse("password_reset"), {"email": "forgetful@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Nouveau mot de passe" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "Une-phrase-secrete-2026", "new_password2": "Une-phrase-secrete-2026"},
        follow=True,
    )
    assert "Mot de passe modifié" in response.content.decode()
    assert client.login(username="forgetful@example.org", password="Une-phrase-secrete-2026")


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert len(mail.outbox) == 0
    assert "Lien envoyé" in response.content.decode()


def test_an_english_speaking_browser_still_gets_french_by_default(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in html
