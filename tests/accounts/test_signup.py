"""Sign-up proves the e-mail address: the account is inactive, without a password, until its owner opens
the link sent to the address (signed, expiring, working once) and chooses the password there."""

import re
import time

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tremplin.accounts.models import User
from tremplin.accounts.signup import ConfirmationLinkError, account_for_token, confirmation_token, sign_up
from tremplin.audit.models import AuditEntry
from tremplin.programme.exceptions import NotAllowed

pytestmark = pytest.mark.django_db


def _sign_up(client, email="agent@caux.example", **extra):
    data = {"email": email, "first_name": "Sophie", "last_name": "Anquetil", **extra}
    return client.post(reverse("programme_signup"), data)


def _link(message) -> str:
    return re.search(r"https?://[^/]+(/\S+)", message.body).group(1)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the mail) of what the test does inside ``with on_commit():``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_sign_up_creates_an_inactive_account_without_password_and_mails_a_link(client, on_commit):
    with on_commit():
        response = _sign_up(client)
    assert response.status_code == 302
    user = User.objects.get(email="agent@caux.example")
    assert (user.is_active, user.has_usable_password(), user.awaits_confirmation) == (False, False, True)
    (message,) = mail.outbox
    assert message.to == ["agent@caux.example"]
    assert message.subject == "Tremplin : confirmez votre adresse e-mail"
    assert "valable 48 heures" in message.body
    assert _link(message).startswith("/comptes/inscription/confirmer/")
    page = client.get(response.url).content.decode()
    assert "Nous avons envoyé un lien à l'adresse indiquée" in page
    assert "INVALID_TEMPLATE_VARIABLE" not in page
    assert AuditEntry.objects.get(action="account.signed_up").target == user


def test_the_link_asks_for_a_password_then_activates_and_signs_in(client, on_commit):
    with on_commit():
        _sign_up(client)
    link = _link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200 and "Choisissez votre mot de passe" in page.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in page.content.decode()
    short = client.post(link, {"new_password1": "court-2026", "new_password2": "court-2026"})
    assert "Il doit contenir au minimum 12 caractères" in short.content.decode()
    assert not User.objects.get(email="agent@caux.example").is_active
    response = client.post(
        link, {"new_password1": factories.PASSWORD, "new_password2": factories.PASSWORD}, follow=True
    )
    assert response.context["user"].email == "agent@caux.example"
    user = User.objects.get(email="agent@caux.example")
    assert user.is_active and not user.awaits_confirmation and user.check_password(factories.PASSWORD)
    assert AuditEntry.objects.get(action="account.confirmed").actor == user


def test_the_link_works_once(client, on_commit):
    with on_commit():
        _sign_up(client)
    link = _link(mail.outbox[0])
    client.post(link, {"new_password1": factories.PASSWORD, "new_password2": factories.PASSWORD})
    client.logout()
    again = client.post(link, {"new_password1": "someone else's password", "new_password2": "x"})
    assert again.status_code == 400
    assert "Cette adresse est déjà confirmée" in again.content.decode()
    assert User.objects.get(email="agent@caux.example").check_password(factories.PASSWORD)


def test_an_unconfirmed_account_can_neither_sign_in_nor_apply(client):
    user = sign_up(email="agent@caux.example", first_name="Sophie", last_name="Anquetil")
    response = client.post(reverse("login"), {"username": user.email, "password": ""})
    assert response.status_code == 200 and not response.context["user"].is_authenticated
    assert "Vous venez de vous inscrire ?" in response.content.decode()
    with pytest.raises(NotAllowed):
        factories.draft_application(factories.call(), "200010700", applicant=user)


def test_an_expired_link_is_refused_and_a_new_one_can_be_asked(client, monkeypatch, settings, on_commit):
    settings.ACCOUNT_CONFIRMATION_HOURS = 2
    with on_commit():
        _sign_up(client)
    link = _link(mail.outbox[0])
    later = time.time() + 2 * 3600 + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(link)
    assert response.status_code == 400
    assert "Ce lien a expiré (les liens sont valables 2 heures)" in response.content.decode()
    monkeypatch.undo()
    User.objects.filter(email="agent@caux.example").update(confirmation_sent_at=None)
    with on_commit():
        client.post(reverse("signup_sent"), {"email": "agent@caux.example"})
    assert len(mail.outbox) == 2
    assert client.get(_link(mail.outbox[1])).status_code == 200


def test_a_forged_or_truncated_link_is_refused(client):
    user = sign_up(email="agent@caux.example", first_name="Sophie", last_name="Anquetil")
    token = confirmation_token(user)
    with pytest.raises(ConfirmationLinkError):
        account_for_token(token[:-3])
    with pytest.raises(ConfirmationLinkError):
        account_for_token(token.replace(token.split(":")[0], "eyJ1Ijo5OTk5LCJlIjoieEB5LnoifQ"))
    assert account_for_token(token) == user


def test_someone_who_signs_up_with_another_persons_address_never_gets_in(client, on_commit):
    """The squatter chooses no password: only the holder of the mailbox ever does."""
    with on_commit():
        _sign_up(client, email="victim@epci.example")
    squatted = User.objects.get(email="victim@epci.example")
    assert not squatted.has_usable_password()
    assert (
        client.post(reverse("login"), {"username": "victim@epci.example", "password": ""}).status_code == 200
    )
    # The real owner signs up later: the link is sent to the mailbox again, nothing else changes.
    User.objects.filter(pk=squatted.pk).update(confirmation_sent_at=None)
    with on_commit():
        response = _sign_up(client, email="victim@epci.example", first_name="Vraie")
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert User.objects.filter(email__iexact="victim@epci.example").count() == 1


def test_signing_up_again_does_not_flood_the_mailbox(client, on_commit):
    with on_commit():
        for _attempt in range(3):
            _sign_up(client)
    assert len(mail.outbox) == 1


def test_resending_answers_the_same_for_any_address(client, on_commit):
    factories.user(email="active@example.org")
    with on_commit():
        unknown = client.post(reverse("signup_sent"), {"email": "nobody@example.org"}, follow=True)
        active = client.post(reverse("signup_sent"), {"email": "active@example.org"}, follow=True)
    assert mail.outbox == []
    message = "Si cette adresse attend sa confirmation, un nouveau lien est en route"
    assert message in unknown.content.decode() and message in active.content.decode()


def test_sign_up_refuses_an_address_with_an_active_account(client):
    factories.user(email="agent@caux.example")
    response = _sign_up(client, email="AGENT@caux.example")
    assert "Un compte existe déjà avec cette adresse" in response.content.decode()
    assert mail.outbox == []


def test_no_mail_leaves_when_the_sign_up_is_rolled_back(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                sign_up(email="agent@caux.example", first_name="Sophie", last_name="Anquetil")
                raise RuntimeError
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    assert not User.objects.filter(email="agent@caux.example").exists()
