"""Production refuses unsafe settings; checked in a fresh interpreter since settings load once."""

import json
import os
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


def test_production_redirects_http_to_https_and_sends_hsts(tmp_path):
    seen = _requests(tmp_path)
    assert seen["plain"] == [301, "https://tremplin.example.org/nowhere/"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    # Without a declared proxy header, a client cannot claim HTTPS by sending one itself.
    assert seen["proxied"] == 301


def test_behind_a_tls_proxy_the_declared_header_says_https(tmp_path):
    seen = _requests(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert seen["proxied"] == 404
    assert seen["plain"][0] == 301


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_an_error(value):
    result = _import_settings(DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
