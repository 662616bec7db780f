"""The life of a detection run around the engine call: claimed by a worker, heartbeat, done, failed, lost.

A run is queued by :func:`tremplin.synergies.detection.start_detection`, claimed by the background worker
(``queued → running``), then gives news (its *heartbeat*) as it progresses. A worker that is killed
(``kill -9``, a crash, a machine that stops) writes nothing more: the run is *lost*. Lost runs are marked
failed

- when a worker starts (``tremplin db-worker``, :func:`recover_runs_at_worker_start`): runs of a dead
  process of the same host at once, the others once their heartbeat is older than
  ``DETECTION_HEARTBEAT_TIMEOUT_S``;
- when someone starts a new run on the territory (a lost run never blocks it);
- from the run's page, by the territory team (:func:`mark_run_failed`), which may then run it again
  (:func:`restart_detection`).

Every failure is audited (``synergy.detection.failed``), with who noticed it (nobody: the platform).
"""

import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.synergies.enums import RunFailure, RunStatus
from tremplin.synergies.exceptions import RunNotLost, SynergyError, TeamOnly
from tremplin.synergies.models import DetectionRun

__all__ = [
    "beat",
    "claim_run",
    "fail_lost_runs",
    "fail_run",
    "lock_if_running",
    "mark_run_failed",
    "recover_runs_at_worker_start",
    "restart_detection",
    "worker_identity",
]

logger = logging.getLogger(__name__)

_IN_PROGRESS = (RunStatus.QUEUED, RunStatus.RUNNING)


def worker_identity() -> str:
    """``host:pid`` of the process running a task (the django-tasks db worker runs tasks in-process)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_run(run_pk: int) -> bool:
    """``queued → running`` for this process; False when the run is no longer queued (marked failed while
    it waited, or already run): the task then leaves it alone."""
    now = timezone.now()
    claimed = DetectionRun.objects.filter(pk=run_pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=worker_identity()[:200],
        progress=0.0,
        message="Chargement des données",
    )
    return claimed == 1


def beat(run_pk: int, **fields) -> None:
    """The run's heartbeat, with any progress fields to write at the same time."""
    DetectionRun.objects.filter(pk=run_pk, status=RunStatus.RUNNING).update(
        heartbeat_at=timezone.now(), **fields
    )


def lock_if_running(run_pk: int) -> bool:
    """Inside a transaction: lock the run and say whether it is still running (not marked failed as lost
    meanwhile), so that its results are stored only on a run that is still running."""
    return DetectionRun.objects.select_for_update().filter(pk=run_pk, status=RunStatus.RUNNING).exists()


def fail_run(run_pk: int, *, failure: str, error: str = "", by=None, noticed: str = "") -> bool:
    """Mark a run in progress as failed and audit it; False (nothing written) if it had already ended."""
    with transaction.atomic():
        run = (
            DetectionRun.objects.select_for_update()
            .select_related("territory")
            .filter(pk=run_pk, status__in=_IN_PROGRESS)
            .first()
        )
        if run is None:
            return False
        now = timezone.now()
        last_news = run.last_news_at
        DetectionRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, failure=failure, error=error[:2000], finished_at=now
        )
        log_action(
            by,
            "synergy.detection.failed",
            run,
            territory=run.territory,
            failure=failure,
            error=error[:500],
            noticed=noticed,
            last_news=last_news,
            progress=run.progress,
            step=run.message,
        )
    if failure != RunFailure.ERROR:
        logger.warning("detection run %s marked failed (%s, noticed: %s)", run_pk, failure, noticed or "-")
    return True


def fail_lost_runs(*, territory=None, by=None, noticed: str = "", now=None) -> list[int]:
    """Mark failed every run (of ``territory``, or all) that stopped giving news; their ids."""
    lost = DetectionRun.objects.lost(now)
    if territory is not None:
        lost = lost.for_territory(territory)
    return [
        pk
        for pk in lost.values_list("pk", flat=True)
        if fail_run(pk, failure=RunFailure.LOST, by=by, noticed=noticed)
    ]


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a worker that is starting runs nothing yet: the pid was reused after a restart
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _task_ended(run: DetectionRun) -> str | None:
    """The error of the run's task if the task ended (in the task backend) while the run did not."""
    if not run.task_result_id:
        return None
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from tremplin.synergies.tasks import run_detection_task

    try:
        result = run_detection_task.get_result(run.task_result_id)
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        return None
    if result.status not in (TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL):
        return None
    errors = getattr(result, "errors", None) or []
    cause = errors[-1].exception_class_path if errors else ""
    return f"task {result.status}" + (f": {cause}" if cause else "")


def recover_runs_at_worker_start(now=None) -> list[int]:
    """What a starting worker does first: mark failed the runs that a stopped worker left behind.

    - runs silent for longer than the heartbeat timeout (whatever the host);
    - running runs of a process of this host that no longer exists (a worker restarted after a kill);
    - runs whose task ended in the task backend while the run itself did not finish.
    """
    recovered = fail_lost_runs(noticed="worker_start", now=now)
    host = socket.gethostname()
    for run in DetectionRun.objects.in_progress().exclude(pk__in=recovered):
        worker_host, _sep, pid = run.worker.rpartition(":")
        if (
            run.status == RunStatus.RUNNING
            and worker_host == host
            and pid.isdigit()
            and not _process_alive(int(pid))
        ):
            if fail_run(run.pk, failure=RunFailure.LOST, noticed="worker_start"):
                recovered.append(run.pk)
            continue
        error = _task_ended(run)
        if error and fail_run(run.pk, failure=RunFailure.ERROR, error=error, noticed="worker_start"):
            recovered.append(run.pk)
    return recovered


def _check_team(by, territory) -> None:
    if territory.pk not in scope_for(by).editor_territory_ids:
        raise TeamOnly(_("Only the territory team can do this."))


def mark_run_failed(run: DetectionRun, *, by) -> DetectionRun:
    """The team marks a lost run as failed (it no longer waits for it)."""
    _check_team(by, run.territory)
    run.refresh_from_db()
    if run.is_finished:
        raise SynergyError(_("This run is already over."))
    if not run.is_lost():
        raise RunNotLost(
            _("This run still gives news: it is taken as lost only after %(minutes)s minutes without news.")
            % {"minutes": max(1, round(settings.DETECTION_HEARTBEAT_TIMEOUT_S / 60))}
        )
    fail_run(run.pk, failure=RunFailure.LOST, by=by, noticed="team")
    run.refresh_from_db()
    return run


def restart_detection(run: DetectionRun, *, by) -> DetectionRun:
    """Run a failed (or lost) run again, with the same mode, objective and parameters: a new run."""
    from tremplin.synergies.detection import start_detection

    _check_team(by, run.territory)
    run.refresh_from_db()
    if not run.is_finished and run.is_lost():
        fail_run(run.pk, failure=RunFailure.LOST, by=by, noticed="team")
        run.refresh_from_db()
    if run.status != RunStatus.FAILED:
        raise SynergyError(_("Only a failed run can be run again."))
    return start_detection(
        run.territory,
        mode=run.mode,
        objective=run.objective,
        parameters=run.parameters,
        by=by,
        retry_of=run,
    )
