"""`tremplin serve`: its defaults, its arguments, its refusal of unapplied migrations, and how it stops."""

import os
import signal
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tremplin.cli import main
from tremplin.www.management.commands import serve
from tremplin.www.management.commands.serve import Command, Supervisor, default_workers, web_command


@pytest.mark.parametrize(("cores", "workers"), [(1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_web_processes_are_twice_the_cores_plus_one_at_most_eight(cores, workers):
    assert default_workers(cores) == workers


def test_help_lists_the_options(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--bind",
        "--workers",
        "--threads",
        "--timeout",
        "--stop-timeout",
        "--migrate",
        "--no-worker",
    ):
        assert option in out


def test_the_command_line_lists_serve(capsys):
    main([])
    assert "serve" in capsys.readouterr().out


def test_arguments_are_parsed_with_their_defaults(settings):
    parser = Command().create_parser("tremplin", "serve")
    defaults = vars(parser.parse_args([]))
    assert defaults["bind"] == settings.SERVER_BIND == "127.0.0.1:8000"
    assert defaults["workers"] == default_workers()
    assert (defaults["threads"], defaults["timeout"], defaults["stop_timeout"]) == (1, 120, 30)
    assert (defaults["migrate"], defaults["collectstatic"], defaults["worker"]) == (False, True, True)
    given = vars(parser.parse_args(["--bind", "0.0.0.0:9000", "--workers", "3", "--no-worker"]))
    assert (given["bind"], given["workers"], given["worker"]) == ("0.0.0.0:9000", 3, False)
    with pytest.raises(CommandError):
        parser.parse_args(["--workers", "0"])


def test_gunicorn_gets_the_address_processes_and_timeouts():
    command = web_command(bind="127.0.0.1:9000", workers=3, threads=2, timeout=120, graceful_timeout=30)
    assert command[:4] == [sys.executable, "-m", "gunicorn", "tremplin.wsgi:application"]
    pairs = dict(zip(command[4::2], command[5::2], strict=False))
    assert pairs["--bind"] == "127.0.0.1:9000"
    assert (pairs["--workers"], pairs["--threads"]) == ("3", "2")
    assert (pairs["--timeout"], pairs["--graceful-timeout"]) == ("120", "30")


@pytest.mark.django_db
def test_the_test_database_has_every_migration_applied():
    assert serve.unapplied_migrations() == []


@pytest.mark.django_db
def test_serve_refuses_to_start_with_unapplied_migrations(monkeypatch):
    started = []
    monkeypatch.setattr(serve, "unapplied_migrations", lambda: ["flows.0042_new", "geo.0007_more"])
    monkeypatch.setattr(serve.Supervisor, "run", lambda self: started.append(self) or 0)
    with pytest.raises(CommandError, match=r"2 migrations are not applied \(flows.0042_new, geo.0007_more\)"):
        call_command("serve", "--no-collectstatic")
    assert started == []


# A child that stops cleanly on SIGTERM, writing which signal it got.
GRACEFUL = """
import signal, sys, time
def stop(signum, frame):
    open(sys.argv[1], "w").write(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(0.05)
"""


def _python(code, *args):
    return [sys.executable, "-c", code, *map(str, args)]


def _later(seconds, action):
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


def test_sigterm_stops_both_processes_gracefully(tmp_path):
    web, worker = tmp_path / "web", tmp_path / "worker"
    supervisor = Supervisor(
        {"web server": _python(GRACEFUL, web), "background worker": _python(GRACEFUL, worker)},
        stop_timeout=10,
        say=lambda text: None,
    )
    timer = _later(1.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    code = supervisor.run()
    timer.cancel()  # had the run ended first, the signal must not reach pytest itself
    assert code == 0
    assert web.read_text() == "SIGTERM"
    assert worker.read_text() == "SIGTERM"


def test_ctrl_c_reaches_only_the_supervisor_which_stops_both_with_sigterm(tmp_path):
    web, worker = tmp_path / "web", tmp_path / "worker"
    supervisor = Supervisor(
        {"web server": _python(GRACEFUL, web), "background worker": _python(GRACEFUL, worker)},
        stop_timeout=10,
        say=lambda text: None,
    )
    timer = _later(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    code = supervisor.run()
    timer.cancel()
    assert code == 0
    assert (web.read_text(), worker.read_text()) == ("SIGTERM", "SIGTERM")


def test_when_one_process_dies_the_other_is_stopped_and_serve_fails(tmp_path):
    worker = tmp_path / "worker"
    said = []
    supervisor = Supervisor(
        {
            "web server": _python("import time, sys; time.sleep(0.5); sys.exit(3)"),
            "worker": _python(GRACEFUL, worker),
        },
        stop_timeout=10,
        say=said.append,
    )
    assert supervisor.run() == 3
    assert worker.read_text() == "SIGTERM"
    assert "The web server stopped (exit code 3): stopping the rest." in said


def test_a_process_that_ignores_sigterm_is_killed_after_the_stop_timeout():
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    said = []
    supervisor = Supervisor({"worker": _python(stubborn)}, stop_timeout=1, say=said.append)
    timer = _later(1.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    began = time.monotonic()
    code = supervisor.run()
    timer.cancel()
    assert code == 1
    assert time.monotonic() - began < 10
    assert supervisor.processes["worker"].returncode == -signal.SIGKILL
    assert "The worker did not stop within 1 s: killed." in said
