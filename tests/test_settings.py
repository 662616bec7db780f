"""Production refuses unsafe settings; checked in a fresh interpreter since settings load once."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A key as `python -c "import secrets; print(secrets.token_urlsafe(50))"` makes one.
LONG_KEY = "q3N9v-7xTz_KpL2mWc8RbY5sHd1JfUe4AoGi6ZnQyXw0VtMkEr"
# Left out of the subprocesses' environment: what each test sets itself, and the variable the browser
# journeys set in this process (check --deploy rightly refuses it).
_OWN = {
    "DEBUG",
    "SECRET_KEY",
    "TREMPLIN_ENV",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
_OWN_PREFIXES = ("SECURE_",)


def _environment(**env):
    environment = {k: v for k, v in os.environ.items() if k not in _OWN and not k.startswith(_OWN_PREFIXES)}
    environment.update(env)
    return environment


def _import_settings(**env):
    return subprocess.run(
        [sys.executable, "-c", "import tremplin.settings"],
        env=_environment(**env),
        capture_output=True,
        text=True,
    )


def _production(tmp_path, **env):
    return {
        "TREMPLIN_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": LONG_KEY,
        "ALLOWED_HOSTS": "tremplin.example.org",
        "TREMPLIN_DATA_DIR": str(tmp_path),
        **env,
    }


def test_production_refuses_debug():
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="true", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_refuses_the_development_secret():
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_safe_settings():
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="false", SECRET_KEY=LONG_KEY)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("key", ["s" * 60, "short-but-varied-key-0123456789"], ids=["repetitive", "short"])
def test_production_refuses_a_weak_secret(key):
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environment(**_production(tmp_path)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


REQUESTS = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
plain = client.get("/nowhere/", HTTP_HOST="tremplin.example.org")
secure = client.get("/nowhere/", HTTP_HOST="tremplin.example.org", secure=True)
proxied = client.get("/nowhere/", HTTP_HOST="tremplin.example.org", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "hsts": secure.get("Strict-Transport-Security", ""),
    "proxied": proxied.status_code,
}))
"""


def _requests(tmp_path, **env):
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS],
        cwd=ROOT,
        env=_environment(DJANGO_SETTINGS_MODULE="tremplin.settings", **_production(tmp_path, **env)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A data directory whose static files are collected as in production (hashed names, manifest):
    without them a production page cannot name its style sheets, as `tremplin serve` always collects."""
    data_dir = tmp_path_factory.mktemp("production")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=_environment(**_production(data_dir)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return data_dir


def test_production_redirects_http_to_https_and_sends_hsts(collected):
    seen = _requests(collected)
    assert seen["plain"] == [301, "https://tremplin.example.org/nowhere/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    # Without a declared proxy header, a client cannot claim HTTPS by sending one itself.
    assert seen["proxied"] == 301


def test_behind_a_tls_proxy_the_declared_header_says_https(collected):
    seen = _requests(collected, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert seen["proxied"] == 404
    assert seen["plain"][0] == 301


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_an_error(value):
    result = _import_settings(DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


STATIC = """
import django, json
django.setup()
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
hashed = static("css/tremplin.css")
client = Client()
served = client.get(hashed, HTTP_HOST="tremplin.example.org", secure=True, HTTP_ACCEPT_ENCODING="gzip")
plain = client.get("/static/css/tremplin.css", HTTP_HOST="tremplin.example.org", secure=True)
print(json.dumps({
    "middleware": settings.MIDDLEWARE[:2],
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "sqlite_options": settings.DATABASES["default"]["OPTIONS"],
    "hashed": hashed,
    "served": [served.status_code, served.get("Cache-Control", ""), served.get("Content-Encoding", "")],
    "plain": [plain.status_code, plain.get("Cache-Control", "")],
}))
"""


def test_production_serves_hashed_static_files_through_whitenoise(collected):
    result = subprocess.run(
        [sys.executable, "-c", STATIC],
        cwd=ROOT,
        env=_environment(DJANGO_SETTINGS_MODULE="tremplin.settings", **_production(collected)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["middleware"] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert seen["storage"] == "tremplin.www.staticfiles.ManifestStaticFilesStorage"
    assert seen["conn_max_age"] == 60
    # The name carries the first 12 hexadecimal digits of the MD5 of the content.
    assert re.fullmatch(r"/static/css/tremplin\.[0-9a-f]{12}\.css", seen["hashed"]), seen["hashed"]
    assert (collected / "static" / seen["hashed"].removeprefix("/static/")).exists()
    assert (collected / "static" / "staticfiles.json").exists()
    status, cache, encoding = seen["served"]
    assert status == 200
    assert "immutable" in cache and "max-age=315360000" in cache
    assert encoding == "gzip"
    # The unhashed name still answers (links from old pages), for a minute only.
    assert seen["plain"] == [200, "max-age=60, public"]


def test_sqlite_writers_wait_twenty_seconds_in_immediate_transactions(tmp_path):
    code = "import django, json; django.setup(); from django.conf import settings; "
    code += "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_environment(
            DJANGO_SETTINGS_MODULE="tremplin.settings",
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
