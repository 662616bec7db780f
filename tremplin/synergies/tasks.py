"""Background tasks of the synergy domain (django-tasks; the worker is ``tremplin db-worker``)."""

from django_tasks import task

from tremplin.synergies.detection import run_detection


@task()
def run_detection_task(run_pk: int) -> dict:
    return run_detection(run_pk)
