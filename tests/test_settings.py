"""Production refuses unsafe settings; checked in a fresh interpreter since settings load once."""

import os
import subprocess
import sys

import pytest


def _import_settings(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "TREMPLIN_ENV"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import tremplin.settings"], env=environment, capture_output=True, text=True
    )


def test_production_refuses_debug():
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="true", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_refuses_the_development_secret():
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_safe_settings():
    result = _import_settings(TREMPLIN_ENV="production", DEBUG="false", SECRET_KEY="s" * 50)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_malformed_boolean_is_an_error(value):
    result = _import_settings(DEBUG=value)
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
