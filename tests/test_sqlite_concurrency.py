"""SQLite as configured (tremplin/settings.py) makes concurrent writers wait for each other, not fail.

Twenty threads, each with its own connection to the same SQLite file, read then rewrite the same row in
one transaction each, all at once. With the platform's options (busy timeout, ``BEGIN IMMEDIATE``, WAL)
every write succeeds and none is lost; with Django's defaults (deferred transactions) the same load fails
with "database is locked", which shows the test can tell the two apart. Each run is a fresh interpreter
on a file database in a temporary directory (the test database is in memory and shared).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 20

SCRIPT = """
import json, sys, threading, time
import django
django.setup()
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone

if sys.argv[1] == "django-defaults":
    for option in ("transaction_mode", "timeout", "init_command"):
        connections["default"].settings_dict["OPTIONS"].pop(option, None)
call_command("migrate", "sessions", verbosity=0)
Session.objects.create(session_key="shared", session_data="", expire_date=timezone.now() + timedelta(days=1))
connections.close_all()
writers = int(sys.argv[2])
start = threading.Barrier(writers)
failures = []

def write(index):
    try:
        start.wait()
        with transaction.atomic():
            row = Session.objects.get(session_key="shared")  # read, then write in the same transaction
            time.sleep(0.02)
            row.session_data += f"{index},"
            row.save(update_fields=["session_data"])
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
data = Session.objects.get(session_key="shared").session_data
journal = connections["default"].cursor().execute("PRAGMA journal_mode").fetchone()[0]
print(json.dumps({
    "failures": failures,
    "written": sorted(int(part) for part in data.split(",") if part),
    "journal_mode": journal,
}))
"""


def _writers(tmp_path, mode):
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "TREMPLIN_ENV"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="tremplin.settings",
        TREMPLIN_ENV="test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'writers.sqlite3'}",
        TREMPLIN_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, str(WRITERS)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_twenty_concurrent_writers_to_the_same_row_all_succeed(tmp_path):
    seen = _writers(tmp_path, "platform")
    assert seen["failures"] == []
    assert seen["written"] == list(range(WRITERS))  # no write lost either
    assert seen["journal_mode"] == "wal"


def test_with_django_defaults_the_same_writers_fail_with_database_is_locked(tmp_path):
    seen = _writers(tmp_path, "django-defaults")
    assert seen["failures"]
    assert all("database is locked" in failure for failure in seen["failures"])
    assert len(seen["written"]) == WRITERS - len(seen["failures"])
