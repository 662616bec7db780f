"""Background tasks of the workshops (django-tasks; the worker is ``tremplin db-worker``)."""

from django_tasks import task

from tremplin.workshops.matching import refresh_matches


@task()
def refresh_matches_task(workshop_pk: int) -> dict:
    return refresh_matches(workshop_pk)
