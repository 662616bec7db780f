"""Background tasks of the workshops (django-tasks; the worker is ``tremplin db-worker``)."""

import time

from django.db import OperationalError
from django_tasks import task

from tremplin.workshops.matching import refresh_matches

#: SQLite refuses a write while another connection reads the same table ("database table is locked"):
#: transient while the facilitator's screen polls, so the computation is tried again a few times.
ATTEMPTS = 5


@task()
def refresh_matches_task(workshop_pk: int) -> dict:
    for attempt in range(ATTEMPTS):
        try:
            return refresh_matches(workshop_pk)
        except OperationalError:
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return {}
