"""Background tasks of imports (django-tasks; the worker is ``tremplin db-worker``)."""

from django_tasks import task

from tremplin.imports.services import run_import_job


@task()
def run_import_task(job_pk: int) -> dict:
    return run_import_job(job_pk)
