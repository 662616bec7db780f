"""A detection run survives its worker: heartbeat, lost runs marked failed (at worker start, at the next
run, from the page), failed runs run again, polling that backs off and stops."""

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command, get_commands
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.synergies import detection, runs
from tremplin.synergies.detection import run_detection, start_detection
from tremplin.synergies.exceptions import DetectionAlreadyRunning, RunNotLost, TeamOnly
from tremplin.synergies.models import DetectionRun, Lead

pytestmark = pytest.mark.django_db

TIMEOUT = timedelta(minutes=5)  # DETECTION_HEARTBEAT_TIMEOUT_S by default


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def pair(caux):
    return factories.brewery_and_farm(caux, distance_km=5.0)


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: the task stops where it is and no handler of ours runs (a task only catches
    errors and the graceful ends of a worker, Ctrl-C and shutdown)."""


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(child.stdout)


def _running_run(caux, officer, *, news_ago: timedelta, worker: str = "") -> DetectionRun:
    at = timezone.now() - news_ago
    run = DetectionRun.objects.create(territory=caux, mode="deductive", created_by=officer)
    DetectionRun.objects.filter(pk=run.pk).update(
        status="running", created_at=at, started_at=at, heartbeat_at=at, worker=worker, progress=0.42
    )
    run.refresh_from_db()
    return run


def _killed_mid_run(caux, officer, monkeypatch) -> DetectionRun:
    """A run whose worker died while the engine worked: the run says "running", and nothing more comes."""

    def dying_detect(*args, progress, **kwargs):
        progress(0.3, "Recherche des substitutions")
        raise _WorkerKilled

    monkeypatch.setattr(detection.engine, "detect", dying_detect)
    run = DetectionRun.objects.create(territory=caux, mode="deductive", created_by=officer)
    with pytest.raises(_WorkerKilled):
        run_detection(run.pk)
    monkeypatch.undo()
    run.refresh_from_db()
    return run


# Heartbeat


def test_the_task_writes_its_heartbeat_and_its_worker_as_it_progresses(caux, officer, pair, monkeypatch):
    seen = []
    real_detect = detection.engine.detect

    def spying_detect(*args, progress, **kwargs):
        def spy(fraction, message):
            progress(fraction, message)
            seen.append(DetectionRun.objects.values_list("status", "heartbeat_at", "worker").get())

        return real_detect(*args, progress=spy, **kwargs)

    monkeypatch.setattr(detection.engine, "detect", spying_detect)
    before = timezone.now()
    run = start_detection(caux, mode="deductive", by=officer)
    assert {status for status, _at, _w in seen} == {"running"}
    beats = [at for _s, at, _w in seen]
    assert beats == sorted(beats) and beats[0] >= before
    assert {worker for _s, _at, worker in seen} == {f"{socket.gethostname()}:{os.getpid()}"}
    run.refresh_from_db()
    assert run.status == "done" and run.heartbeat_at >= beats[-1]


def test_a_worker_dying_mid_run_leaves_the_run_running_with_its_last_heartbeat(
    caux, officer, pair, monkeypatch
):
    run = _killed_mid_run(caux, officer, monkeypatch)
    assert run.status == "running"
    assert run.message == "Recherche des substitutions"
    assert run.heartbeat_at is not None
    assert not run.is_lost()  # its news is recent: it may still be working, for all anyone knows
    assert not AuditEntry.objects.filter(action="synergy.detection.failed").exists()


# Lost runs never block, and are marked failed


def test_a_run_whose_heartbeat_is_old_no_longer_blocks_a_new_run(caux, officer, pair):
    lost = _running_run(caux, officer, news_ago=TIMEOUT + timedelta(minutes=1))
    new = start_detection(caux, mode="deductive", by=officer)
    assert new.status == "done"
    lost.refresh_from_db()
    assert (lost.status, lost.failure) == ("failed", "lost")
    entry = AuditEntry.objects.about(lost).get(action="synergy.detection.failed")
    assert entry.actor is None  # noticed by the platform
    assert entry.territory == caux
    assert (entry.data["failure"], entry.data["noticed"], entry.data["progress"]) == ("lost", "new_run", 0.42)


def test_a_run_with_recent_news_still_blocks_a_new_run(caux, officer, pair):
    running = _running_run(caux, officer, news_ago=TIMEOUT - timedelta(minutes=1))
    with pytest.raises(DetectionAlreadyRunning):
        start_detection(caux, mode="deductive", by=officer)
    running.refresh_from_db()
    assert running.status == "running"


def test_moving_the_clock_past_the_timeout_makes_a_killed_run_lost(caux, officer, pair, monkeypatch):
    run = _killed_mid_run(caux, officer, monkeypatch)
    later = timezone.now() + TIMEOUT + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert run.is_lost()
    assert list(DetectionRun.objects.lost()) == [run]
    assert start_detection(caux, mode="deductive", by=officer).status == "done"
    run.refresh_from_db()
    assert (run.status, run.failure, run.finished_at) == ("failed", "lost", later)


def test_a_starting_worker_marks_failed_the_run_of_a_dead_process_of_its_host_at_once(
    caux, officer, pair, monkeypatch
):
    run = _killed_mid_run(caux, officer, monkeypatch)
    DetectionRun.objects.filter(pk=run.pk).update(worker=f"{socket.gethostname()}:{_dead_pid()}")
    assert runs.recover_runs_at_worker_start() == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.failure) == ("failed", "lost")
    entry = AuditEntry.objects.about(run).get(action="synergy.detection.failed")
    assert (entry.actor, entry.data["noticed"], entry.data["step"]) == (None, "worker_start", run.message)
    # A new run starts at once.
    assert start_detection(caux, mode="deductive", by=officer).status == "done"


def test_a_starting_worker_leaves_alone_a_run_that_a_live_worker_is_running(caux, officer):
    alive = _running_run(caux, officer, news_ago=timedelta(seconds=5), worker=f"{socket.gethostname()}:1")
    elsewhere = _running_run(caux, officer, news_ago=timedelta(seconds=5), worker="autre-machine:4242")
    assert runs.recover_runs_at_worker_start() == []
    assert set(DetectionRun.objects.values_list("status", flat=True)) == {"running"}
    assert {alive.pk, elsewhere.pk} == set(DetectionRun.objects.values_list("pk", flat=True))


def test_a_starting_worker_marks_failed_a_queued_run_whose_task_already_ended(caux, officer, pair, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = start_detection(caux, mode="deductive", by=officer)  # queued: nobody runs the queue here
    assert run.status == "queued"
    DBTaskResult.objects.filter(id=run.task_result_id).update(status="FAILED")
    assert runs.recover_runs_at_worker_start() == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.failure) == ("failed", "error")


def test_the_worker_command_recovers_lost_runs_before_taking_tasks(caux, officer, settings, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    assert get_commands()["db_worker"] == "tremplin.synergies"  # what `tremplin db-worker` runs
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    seen_by_the_worker = []
    monkeypatch.setattr(
        db_worker.Command,
        "handle",
        lambda self, *args, **options: seen_by_the_worker.append(DetectionRun.objects.get(pk=lost.pk).status),
    )
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert seen_by_the_worker == ["failed"]


def test_a_run_marked_failed_while_it_waited_is_not_run_by_the_worker(caux, officer, pair):
    run = DetectionRun.objects.create(territory=caux, mode="deductive", created_by=officer)
    runs.fail_run(run.pk, failure="lost", by=officer, noticed="team")
    assert run_detection(run.pk) == {"run": run.pk, "skipped": True}
    run.refresh_from_db()
    assert run.status == "failed"
    assert not Lead.objects.exists()


def test_a_lost_run_that_comes_back_to_life_stores_nothing(caux, officer, pair, monkeypatch):
    real_detect = detection.engine.detect

    def slow_detect(*args, **kwargs):
        result = real_detect(*args, **kwargs)
        runs.fail_run(DetectionRun.objects.get().pk, failure="lost", noticed="team")  # meanwhile
        return result

    monkeypatch.setattr(detection.engine, "detect", slow_detect)
    run = start_detection(caux, mode="deductive", by=officer)
    run.refresh_from_db()
    assert (run.status, run.failure, run.lead_count) == ("failed", "lost", 0)
    assert not Lead.objects.exists()


def test_an_engine_error_is_a_failure_audited_with_its_error(caux, officer, pair, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("moteur en panne")

    monkeypatch.setattr(detection.engine, "detect", broken)
    run = start_detection(caux, mode="deductive", by=officer)
    run.refresh_from_db()
    assert (run.status, run.failure) == ("failed", "error")
    entry = AuditEntry.objects.about(run).get(action="synergy.detection.failed")
    assert entry.data["error"] == "RuntimeError: moteur en panne"


def test_stopping_the_worker_during_a_run_marks_it_interrupted(caux, officer, pair, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(detection.engine, "detect", interrupted)
    run = DetectionRun.objects.create(territory=caux, mode="deductive", created_by=officer)
    with pytest.raises(KeyboardInterrupt):
        run_detection(run.pk)
    run.refresh_from_db()
    assert (run.status, run.failure) == ("failed", "interrupted")


# The team's actions


def test_the_team_marks_a_lost_run_failed(caux, officer):
    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    runs.mark_run_failed(lost, by=officer)
    assert (lost.status, lost.failure) == ("failed", "lost")
    entry = AuditEntry.objects.about(lost).get(action="synergy.detection.failed")
    assert (entry.actor, entry.data["noticed"]) == (officer, "team")


def test_a_run_still_giving_news_cannot_be_marked_failed(caux, officer):
    running = _running_run(caux, officer, news_ago=timedelta(seconds=30))
    with pytest.raises(RunNotLost):
        runs.mark_run_failed(running, by=officer)
    running.refresh_from_db()
    assert running.status == "running"


def test_another_territorys_officer_cannot_mark_a_run_failed_nor_run_it_again(caux, officer):
    from tests.conftest import LE_HAVRE

    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    for operation in (runs.mark_run_failed, runs.restart_detection):
        with pytest.raises(TeamOnly):
            operation(lost, by=outsider)
    lost.refresh_from_db()
    assert lost.status == "running"


def test_a_failed_run_is_run_again_with_the_same_settings(caux, officer, pair):
    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    DetectionRun.objects.filter(pk=lost.pk).update(
        objective="co2", parameters={"max_candidates_per_source": 2}
    )
    again = runs.restart_detection(lost, by=officer)
    lost.refresh_from_db()
    assert (lost.status, lost.failure) == ("failed", "lost")
    assert (again.status, again.mode, again.objective, again.parameters) == (
        "done",
        "deductive",
        "co2",
        {"max_candidates_per_source": 2},
    )
    assert again.retry_of == lost
    started = AuditEntry.objects.about(again).get(action="synergy.detection.started")
    assert started.data["retry_of"] == lost.pk


# The run page


def _fragment(client, run, n=0, htmx=True):
    url = reverse("detection_run_progress", kwargs={"pk": run.pk})
    return client.get(url, {"n": n}, headers={"HX-Request": "true"} if htmx else {})


@pytest.mark.parametrize(("polls", "delay"), [(0, 1), (1, 2), (4, 5), (5, 8), (8, 26), (9, 30), (500, 30)])
def test_polling_backs_off_while_the_run_gives_news(client, caux, officer, polls, delay):
    running = _running_run(caux, officer, news_ago=timedelta(seconds=3))
    client.force_login(officer)
    response = _fragment(client, running, n=polls)
    html = response.content.decode()
    assert f'hx-trigger="load delay:{delay}s"' in html
    assert f"?n={polls + 1}" in html
    assert "HX-Refresh" not in response


def test_polling_stops_when_the_run_is_lost_and_the_page_offers_what_to_do(client, caux, officer):
    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    client.force_login(officer)
    response = _fragment(client, lost, n=12)
    assert response["HX-Refresh"] == "true"
    page = client.get(reverse("detection_run", kwargs={"pk": lost.pk})).content.decode()
    assert "hx-get" not in page and "htmx-2.min.js" not in page
    assert "Aucune nouvelle du processus" in page
    assert reverse("detection_run_fail", kwargs={"pk": lost.pk}) in page
    assert reverse("detection_run_restart", kwargs={"pk": lost.pk}) in page
    lost.refresh_from_db()
    assert lost.status == "running"  # reading the page wrote nothing


def test_polling_stops_when_the_run_is_over(client, caux, officer, pair):
    run = start_detection(caux, mode="deductive", by=officer)
    client.force_login(officer)
    response = _fragment(client, run)
    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in response.content.decode()


def test_the_team_runs_a_lost_run_again_from_its_page(client, caux, officer, pair):
    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    client.force_login(officer)
    response = client.post(reverse("detection_run_restart", kwargs={"pk": lost.pk}))
    again = DetectionRun.objects.get(retry_of=lost)
    assert response.status_code == 302
    assert response.url == reverse("detection_run", kwargs={"pk": again.pk})
    assert again.status == "done"
    failed_page = client.get(reverse("detection_run", kwargs={"pk": lost.pk})).content.decode()
    assert "La détection a échoué" in failed_page
    assert reverse("detection_run", kwargs={"pk": again.pk}) in failed_page


def test_the_team_marks_a_lost_run_failed_from_its_page(client, caux, officer):
    lost = _running_run(caux, officer, news_ago=TIMEOUT * 2)
    client.force_login(officer)
    response = client.post(reverse("detection_run_fail", kwargs={"pk": lost.pk}), follow=True)
    lost.refresh_from_db()
    assert (lost.status, lost.failure) == ("failed", "lost")
    html = response.content.decode()
    assert "Relancer" in html
