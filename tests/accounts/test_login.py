"""Signing in: throttled per address and IP address (site and admin), audited without secrets; passwords
of at least 12 characters; sessions that end after a time without activity."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tremplin.audit.models import AuditEntry
from tremplin.demo.services import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = django_settings.AXES_FAILURE_LIMIT


def _log_in(client, email, password, *, url=None, ip="192.0.2.10"):
    return client.post(url or reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return client.get(reverse("home")).context["user"].is_authenticated


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused(client):
    factories.user(email="agent@caux.example")
    for _attempt in range(LIMIT - 1):
        assert _log_in(client, "agent@caux.example", "wrong password").status_code == 200
    locked = _log_in(client, "agent@caux.example", "wrong password")
    assert locked.status_code == 429
    response = _log_in(client, "agent@caux.example", factories.PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de tentatives" in html
    assert f"Après {LIMIT} mots de passe erronés" in html
    assert f"Réessayez dans {django_settings.LOGIN_LOCKOUT_MINUTES} minutes" in html
    assert not _signed_in(client)


def test_the_count_ignores_the_case_of_the_address(client):
    factories.user(email="agent@caux.example")
    for attempt in range(LIMIT):
        _log_in(client, "Agent@Caux.example" if attempt % 2 else "agent@caux.example", "wrong")
    assert _log_in(client, "agent@caux.example", factories.PASSWORD).status_code == 429


def test_the_admin_login_is_throttled_too(client):
    factories.user(email="admin@tremplin.example", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _attempt in range(LIMIT):
        _log_in(client, "admin@tremplin.example", "wrong", url=admin_login)
    response = _log_in(client, "admin@tremplin.example", factories.PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_lockout_holds_one_address_from_one_ip_address_only(client):
    factories.user(email="agent@caux.example")
    factories.user(email="colleague@caux.example")
    for _attempt in range(LIMIT):
        _log_in(client, "agent@caux.example", "wrong", ip="203.0.113.66")
    assert _log_in(client, "agent@caux.example", factories.PASSWORD, ip="203.0.113.66").status_code == 429
    assert _log_in(client, "colleague@caux.example", factories.PASSWORD, ip="203.0.113.66").status_code == 302
    client.logout()
    assert _log_in(client, "agent@caux.example", factories.PASSWORD, ip="192.0.2.99").status_code == 302


def test_a_success_clears_the_count(client):
    factories.user(email="agent@caux.example")
    for _attempt in range(LIMIT - 1):
        _log_in(client, "agent@caux.example", "wrong")
    assert _log_in(client, "agent@caux.example", factories.PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(LIMIT - 1):
        _log_in(client, "agent@caux.example", "wrong")
    assert _log_in(client, "agent@caux.example", factories.PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client):
    from axes.models import AccessAttempt

    factories.user(email="agent@caux.example")
    for _attempt in range(LIMIT):
        _log_in(client, "agent@caux.example", "wrong")
    assert _log_in(client, "agent@caux.example", factories.PASSWORD).status_code == 429
    # As if the cool-off had passed since the last attempt.
    cool_off = dt.timedelta(minutes=django_settings.LOGIN_LOCKOUT_MINUTES, seconds=5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off)
    assert _log_in(client, "agent@caux.example", factories.PASSWORD).status_code == 302


def test_sign_ins_failures_and_lockouts_are_audited_without_secrets(client):
    person = factories.user(email="agent@caux.example")
    _log_in(client, "agent@caux.example", factories.PASSWORD)
    client.logout()
    for _attempt in range(LIMIT):
        _log_in(client, "agent@caux.example", "my secret guess")
    _log_in(client, "stranger@nowhere.example", "another secret")
    succeeded = AuditEntry.objects.get(action="account.login.succeeded")
    assert (succeeded.actor, succeeded.target, succeeded.data) == (person, person, {"via": "site"})
    failures = AuditEntry.objects.filter(action="account.login.failed")
    assert failures.filter(target_id=str(person.pk)).count() == LIMIT
    unknown = failures.get(target_id="")
    assert unknown.data == {"via": "site", "known_account": False}
    locked = AuditEntry.objects.get(action="account.login.locked")
    assert locked.target == person and locked.data["failures"] == LIMIT
    everything = str(list(AuditEntry.objects.values_list("data", flat=True)))
    for secret in ("my secret guess", "another secret", "stranger@nowhere.example", factories.PASSWORD):
        assert secret not in everything


def test_a_password_needs_at_least_twelve_characters():
    with pytest.raises(ValidationError) as error:
        validate_password("Tr3mpl1n!26")
    assert "au minimum 12 caractères" in " ".join(error.value.messages)
    for accepted in (DEMO_PASSWORD, factories.PASSWORD, "Une-phrase-secrete-2026"):
        validate_password(accepted)
    with pytest.raises(ValidationError):
        validate_password("123456789012345")  # long but numeric
    with pytest.raises(ValidationError):
        validate_password("qwerty123456")  # long but common


def test_an_idle_session_ends_and_activity_keeps_it_alive(client, monkeypatch):
    person = factories.territory_officer(factories.territory("200010700"))
    client.force_login(person)
    start = timezone.now()
    idle = dt.timedelta(minutes=django_settings.SESSION_IDLE_TIMEOUT_MINUTES)

    def at(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    at(start + idle - dt.timedelta(minutes=5))
    assert _signed_in(client)  # active just before the limit: the session moves on
    at(start + 2 * idle - dt.timedelta(minutes=10))
    assert _signed_in(client)  # well past the first limit, but never idle for that long
    at(start + 3 * idle)
    assert not _signed_in(client)  # idle for longer than the limit: signed out


def test_the_idle_timeout_is_two_hours_by_default():
    assert django_settings.SESSION_IDLE_TIMEOUT_MINUTES == 120
    assert django_settings.SESSION_COOKIE_AGE == 7200 and django_settings.SESSION_SAVE_EVERY_REQUEST
