"""Test harness: Normandy's real geography is loaded once per test session, then every test runs in
a transaction rolled back at its end."""

import pytest
from django.conf import settings

NORMANDY = "28"
CAUX_SEINE = "200010700"
LE_HAVRE = "200084952"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tremplin.geo.loading import load_geography

    with django_db_blocker.unblock():
        load_geography(NORMANDY)


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Commands run through the ``tremplin`` entry point close every database connection when they
    end; inside a test that would close the connection holding the test's transaction (PostgreSQL)."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


@pytest.fixture(autouse=True)
def _fast_and_strict(request):
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "fr"


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("django"):
        return  # engine-only runs (-p no:django) need no settings
    # An undefined variable in a template is a bug: make it visible in the rendered page.
    for template in settings.TEMPLATES:
        template["OPTIONS"]["string_if_invalid"] = "INVALID_TEMPLATE_VARIABLE[%s]"
