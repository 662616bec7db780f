"""``tremplin serve``: the production web server (gunicorn) and the background worker, together.

Before starting, it checks that every migration is applied (``--migrate`` applies them) and collects the
static files (hashed names, served by WhiteNoise in production). Then it starts two processes:

- gunicorn on ``tremplin.wsgi``, ``--workers`` processes (default: 2 × cores + 1, at most 8), bound to
  ``--bind`` (default ``TREMPLIN_BIND``, else ``127.0.0.1:8000``);
- ``tremplin db-worker``, which runs detection runs and large imports.

SIGTERM or Ctrl-C stops both gracefully: gunicorn finishes the requests under way, the worker the task
under way, each within ``--stop-timeout`` seconds, after which they are killed. If either process stops
on its own, the other is stopped too and ``serve`` exits with an error, so that a supervisor (systemd)
restarts the whole. ``--no-worker`` runs gunicorn alone, in place of this process (for a systemd unit per
process, see deploy/systemd/).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

MAX_DEFAULT_WORKERS = 8


def default_workers(cpu_count: int | None = None) -> int:
    """Gunicorn's usual rule, 2 × cores + 1, capped so that a large machine does not exhaust the database."""
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return min(2 * max(cores, 1) + 1, MAX_DEFAULT_WORKERS)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def web_command(*, bind: str, workers: int, threads: int, timeout: int, graceful_timeout: int) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tremplin.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        str(graceful_timeout),
        # A worker process is replaced after this many requests: memory that grows is given back.
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # Gunicorn's control socket lives at one path per user: two servers on a machine would clash.
        "--no-control-socket",
    ]
    if os.path.isdir("/dev/shm"):
        # Heartbeat files in memory: a slow or full disk does not make gunicorn kill its workers.
        command += ["--worker-tmp-dir", "/dev/shm"]
    return command


def worker_command() -> list[str]:
    return [sys.executable, "-m", "tremplin.cli", "db-worker", "--no-reload"]


def unapplied_migrations(database: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[database]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Supervisor:
    """Runs a few processes; stops them all, gracefully, when one ends or when a signal comes."""

    def __init__(
        self,
        commands: dict[str, Sequence[str]],
        *,
        stop_timeout: float,
        say: Callable[[str], None] = print,
    ) -> None:
        self.commands = commands
        self.stop_timeout = stop_timeout
        self.say = say
        self.processes: dict[str, subprocess.Popen] = {}
        self.signal_received: int | None = None

    def _on_signal(self, signum, frame) -> None:
        self.signal_received = signum

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for name, command in self.commands.items():
                # Own session: Ctrl-C in the terminal reaches only this process, which stops the others
                # gracefully instead of letting the terminal interrupt them mid-request.
                self.processes[name] = subprocess.Popen(list(command), start_new_session=True)
                self.say(f"Started {name} (process {self.processes[name].pid}).")
            ended = None
            while self.signal_received is None and ended is None:
                ended = next((name for name, p in self.processes.items() if p.poll() is not None), None)
                if ended is None:
                    time.sleep(0.2)
            if ended is not None:
                self.say(
                    f"The {ended} stopped (exit code {self.processes[ended].returncode}): stopping the rest."
                )
            else:
                self.say(f"Received {signal.Signals(self.signal_received).name}: stopping gracefully.")
            self.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.stop()
        if ended is not None:
            return self.processes[ended].returncode or 1
        return 0 if all(p.returncode in (0, -signal.SIGTERM) for p in self.processes.values()) else 1

    def stop(self) -> None:
        running = {name: p for name, p in self.processes.items() if p.poll() is None}
        for process in running.values():
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for name, process in running.items():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.say(f"The {name} did not stop within {self.stop_timeout:g} s: killed.")
                process.kill()
                process.wait()


class Command(BaseCommand):
    help = (
        "Run the production web server (gunicorn, static files by WhiteNoise) and the background worker; "
        "SIGTERM or Ctrl-C stops both gracefully."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=settings.SERVER_BIND,
            help="address:port (or unix:PATH) to listen on (default: TREMPLIN_BIND, else %(default)s)",
        )
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=settings.SERVER_WORKERS or default_workers(),
            help="web processes (default: WEB_CONCURRENCY, else 2 × cores + 1, at most "
            f"{MAX_DEFAULT_WORKERS}: %(default)s here)",
        )
        parser.add_argument(
            "--threads",
            type=positive_int,
            default=settings.SERVER_THREADS,
            help="threads per web process (default: SERVER_THREADS, else %(default)s)",
        )
        parser.add_argument(
            "--timeout",
            type=positive_int,
            default=settings.SERVER_TIMEOUT_S,
            help="seconds after which a request still running is aborted and its process replaced "
            "(default: SERVER_TIMEOUT_S, else %(default)s)",
        )
        parser.add_argument(
            "--stop-timeout",
            type=positive_int,
            default=30,
            help="seconds each process has to finish its request or task on stop (default: %(default)s)",
        )
        parser.add_argument(
            "--migrate", action="store_true", help="apply the migrations not yet applied instead of refusing"
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_false",
            dest="collectstatic",
            help="do not collect the static files first (they must be already)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="run the web server alone, in place of this process (the worker runs elsewhere)",
        )

    def handle(self, *args, **options) -> None:
        if not _importable("gunicorn"):
            raise CommandError("gunicorn is not installed: pip install -r requirements/lock.txt")
        if settings.ENVIRONMENT != "production":
            self.stderr.write(
                f"Warning: TREMPLIN_ENV is {settings.ENVIRONMENT!r}, not 'production' (README, Production)."
            )
        self._check_migrations(options["migrate"])
        if options["collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write(f"Static files collected in {settings.STATIC_ROOT}.")
        # The children open their own connections; this process keeps none open while it waits.
        connections.close_all()
        web = web_command(
            bind=options["bind"],
            workers=options["workers"],
            threads=options["threads"],
            timeout=options["timeout"],
            graceful_timeout=options["stop_timeout"],
        )
        self.stdout.write(
            f"Tremplin on http://{options['bind']}/ ({options['workers']} web processes × "
            f"{options['threads']} threads{', and the background worker' if options['worker'] else ''})."
        )
        self.stdout.flush()
        if not options["worker"]:
            os.execv(web[0], web)
        supervisor = Supervisor(
            {"web server": web, "background worker": worker_command()},
            stop_timeout=options["stop_timeout"] + 5,
            say=lambda text: (self.stdout.write(text), self.stdout.flush()),
        )
        code = supervisor.run()
        if code:
            raise CommandError("Stopped because a process ended on its own.", returncode=code)

    def _check_migrations(self, apply: bool) -> None:
        missing = unapplied_migrations()
        if not missing:
            return
        if apply:
            call_command("migrate", interactive=False, verbosity=1)
            return
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise CommandError(
            f"{len(missing)} migrations are not applied ({shown}): run `tremplin migrate` first, "
            "or `tremplin serve --migrate`."
        )


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
