"""``tremplin db-worker``: django_tasks_db's worker, which first marks the runs a stopped worker left behind.

A worker killed during a detection run (``kill -9``, a crash, a machine that stops) leaves its run
"running". When a worker starts again, such runs are marked failed before any task is taken (see
``tremplin.synergies.runs.recover_runs_at_worker_start``), so that the team sees what happened and can
run them again, and a new run is never blocked by them.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from tremplin.synergies.runs import recover_runs_at_worker_start


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (detection runs and other tasks); detection runs that a stopped "
        "worker left behind are marked as failed first."
    )

    def handle(self, *args, **options):
        recovered = recover_runs_at_worker_start()
        if recovered and options.get("verbosity", 1):
            self.stdout.write(
                f"Detection runs left behind by a stopped worker, marked as failed: "
                f"{', '.join(str(pk) for pk in recovered)}"
            )
        return super().handle(*args, **options)
