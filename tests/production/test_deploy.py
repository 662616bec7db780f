"""The example deployment files (deploy/) stay in step with the code: the environment file passes
`check --deploy` once its secret is filled in, and the systemd units run commands that exist."""

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class

from tests.test_settings import LONG_KEY, _environment

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _example_environment() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "tremplin.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_the_example_secret_must_be_replaced():
    assert len(_example_environment()["SECRET_KEY"]) < 50  # the platform refuses to start with it


def test_the_example_environment_passes_check_deploy(tmp_path):
    env = _example_environment() | {"SECRET_KEY": LONG_KEY, "TREMPLIN_DATA_DIR": str(tmp_path)}
    assert env["TREMPLIN_ENV"] == "production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environment(**env),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def _exec_lines(unit: str) -> list[list[str]]:
    text = (DEPLOY / "systemd" / unit).read_text()
    return [shlex.split(line.partition("=")[2]) for line in text.splitlines() if line.startswith("ExecStart")]


@pytest.mark.parametrize(
    ("unit", "commands"),
    [
        ("tremplin-web.service", [["migrate", "--no-input"], ["serve", "--no-worker"]]),
        ("tremplin-worker.service", [["db-worker", "--no-reload"]]),
    ],
)
def test_the_systemd_units_run_commands_that_exist(unit, commands, settings):
    # As in production: the worker's options are checked against the database backend of tasks.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    lines = _exec_lines(unit)
    assert [line[1:] for line in lines] == commands
    for line in lines:
        assert line[0] == "/srv/tremplin/.venv/bin/tremplin"
        name = line[1].replace("-", "_")
        app = {"serve": "tremplin.www", "db_worker": "tremplin.synergies"}.get(name, "django.core")
        command = load_command_class(app, name)
        command.create_parser("tremplin", name).parse_args(line[2:])  # raises on an unknown option
