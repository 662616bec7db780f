"""Test harness: Normandy's real geography is loaded once per test session, then every test runs in
a transaction rolled back at its end."""

import pytest
from django.conf import settings

NORMANDY = "28"
CAUX_SEINE = "200010700"
LE_HAVRE = "200084952"


_GEOGRAPHY: list = []  # (model, rows) as loaded once per session


def _geography_models():
    from tremplin.geo.models import Commune, Department, Epci, Region

    return [Region, Department, Epci, Commune]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (the browser journeys) flushes every table when it ends; put the
    session's geography back for the tests that follow, from the rows kept in memory."""
    yield
    marker = item.get_closest_marker("django_db")
    if nextitem is None or marker is None or not marker.kwargs.get("transaction") or not _GEOGRAPHY:
        return
    from django.core.management.color import no_style
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        if _GEOGRAPHY[0][0].objects.exists():
            return
        for model, rows in _GEOGRAPHY:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), _geography_models()):
                cursor.execute(statement)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tremplin.geo.loading import load_geography

    with django_db_blocker.unblock():
        load_geography(NORMANDY)
        _GEOGRAPHY.extend((model, list(model.objects.values())) for model in _geography_models())
    yield
    from django.db import connection

    # Playwright's sync API runs the test code in greenlets, each with its own context; Django keeps
    # one connection per context, and those are never closed. PostgreSQL refuses to drop a database
    # with open sessions, so end them before pytest-django drops the test database.
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


class _ConnectionsKeptOpen:
    """``django.db.connections`` as management commands see it in tests: closing is a no-op."""

    def __getattr__(self, name):
        from django.db import connections

        return getattr(connections, name)

    def close_all(self):
        pass


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Commands run through the ``tremplin`` entry point close every database connection when they
    end; inside a test that would close the connection holding the test's transaction (PostgreSQL).
    Only the management module's view of the connections is patched: the live server must still
    close its own."""
    monkeypatch.setattr("django.core.management.base.connections", _ConnectionsKeptOpen())


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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits (questionnaire links, password resets) count in Django's cache, which outlives a
    test: every test starts at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
