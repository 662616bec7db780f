"""Background tasks of the programme (django-tasks; the worker is ``tremplin db-worker``)."""

from django_tasks import task

from tremplin.programme.services.extracts import run_extract


@task()
def run_register_extract_task(extract_pk: int) -> dict:
    return run_extract(extract_pk)
