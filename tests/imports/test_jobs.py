"""An import runs as a job: at once for a small file, in the background worker for a large one, its page
showing the progress (polling less and less often, then not at all) and the outcome."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import PAPETERIE, good_sample, sirene_csv, sirene_row
from tremplin.audit.models import AuditEntry
from tremplin.imports.models import ImportJob, ImportStatus
from tremplin.imports.services import (
    ImportNotAllowed,
    UploadTooLarge,
    fail_stale_imports,
    run_import_job,
    start_import,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def in_background(settings):
    """Every file is "large": it goes to the worker."""
    settings.IMPORT_INLINE_MAX_BYTES = 10


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _upload(data=None, name="sirene.csv"):
    return SimpleUploadedFile(name, good_sample() if data is None else data)


def test_a_small_file_is_imported_at_once_and_keeps_no_file(caux, officer):
    job = start_import(caux, _upload(), kind="sirene", by=officer)
    assert (job.status, job.in_background, job.created, job.skipped, job.progress) == (
        ImportStatus.DONE,
        False,
        3,
        2,
        1.0,
    )
    assert not job.file
    assert caux.establishments.count() == 3
    entry = AuditEntry.objects.get(action="establishments.imported")
    assert (entry.target, entry.actor, entry.data["created"]) == (job, officer, 3)


def test_a_large_file_waits_for_the_worker_which_imports_it_and_deletes_the_file(
    caux, officer, in_background, database_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    # The worker closes stale connections between tasks; inside the test's transaction (PostgreSQL) that
    # would close the connection holding it.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(caux, _upload(), kind="sirene", by=officer)
    job.refresh_from_db()
    assert (job.status, job.in_background) == (ImportStatus.QUEUED, True)
    assert job.task_result_id
    stored = job.file.path
    with open(stored, "rb") as stream:
        assert stream.read() == good_sample()
    assert not caux.establishments.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    job.refresh_from_db()
    assert (job.status, job.created, job.updated, job.skipped_inactive, job.skipped_outside) == (
        ImportStatus.DONE,
        3,
        0,
        1,
        1,
    )
    assert job.started_at and job.finished_at and job.progress == 1.0
    assert caux.establishments.count() == 3
    assert not job.file
    import os

    assert not os.path.exists(stored)


def test_a_refused_file_in_the_background_records_its_first_errors_and_their_count(
    caux, officer, in_background, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ERRORS_LISTED = 2
    rows = [sirene_row(f"5001234500{n:04d}") for n in range(10, 15)]  # 5 bad Luhn keys, lines 2-6
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(caux, _upload(sirene_csv(rows), "casse.csv"), kind="sirene", by=officer)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert [(e["line"], e["field"]) for e in job.errors] == [(2, "siret"), (3, "siret")]
    assert (job.error_count, job.errors_omitted, job.rows) == (5, 3, 5)
    assert not job.failure and not job.file
    assert not caux.establishments.exists()
    assert not AuditEntry.objects.filter(action="establishments.imported").exists()


def test_a_broken_import_fails_the_job_without_writing_anything(
    caux, officer, in_background, monkeypatch, django_capture_on_commit_callbacks
):
    def explode(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr("tremplin.imports.services.ImportChange.objects.bulk_create", explode)
    factories.establishment(caux, siret=PAPETERIE, name="Ancien nom")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(caux, _upload(), kind="sirene", by=officer)
    job.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.FAILED, "RuntimeError: disque plein")
    assert list(caux.establishments.values_list("name", flat=True)) == ["Ancien nom"]


def test_a_job_runs_once_even_if_the_task_is_delivered_twice(caux, officer, in_background):
    job = start_import(caux, _upload(), kind="sirene", by=officer)  # on_commit not run: still queued
    assert run_import_job(job.pk)["status"] == ImportStatus.DONE
    assert run_import_job(job.pk) == {"job": job.pk, "status": "skipped"}
    assert ImportJob.objects.get().created == 3


def test_an_officer_who_left_the_team_before_the_job_ran_imports_nothing(caux, officer, in_background):
    job = start_import(caux, _upload(), kind="sirene", by=officer)
    officer.memberships.all().delete()
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "not allowed" in job.failure
    assert not caux.establishments.exists()


def test_only_the_territory_team_may_start_an_import(caux):
    havre_officer = factories.territory_officer(factories.territory("200084952"))
    for person in (havre_officer, factories.programme_team_member(), None):
        with pytest.raises(ImportNotAllowed):
            start_import(caux, _upload(), kind="sirene", by=person)
    assert not ImportJob.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(caux, officer, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(UploadTooLarge):
        start_import(caux, _upload(), kind="sirene", by=officer)
    assert not ImportJob.objects.exists()


def test_an_xlsx_is_small_by_what_it_expands_to_not_by_its_size_on_disk(caux, officer, settings):
    from tests.establishments.hostile_files import sheet_xml, workbook
    from tremplin.establishments.importers.template import COLUMNS

    settings.IMPORT_INLINE_MAX_BYTES = 100_000
    rows = [COLUMNS, *[[f"{n:014d}", "Atelier", "17.12Z", "", "76476", "", "", ""] for n in range(2_000)]]
    data = workbook(sheet_xml(rows))
    assert len(data) < 100_000  # small on disk, about 500 KB once uncompressed
    job = start_import(caux, _upload(data, "modele.xlsx"), kind="template", by=officer)
    assert job.in_background and job.status == ImportStatus.QUEUED


def test_a_running_job_that_stopped_reporting_is_marked_failed_by_the_next_import(caux, officer):
    job = ImportJob.objects.create(territory=caux, kind="sirene", status=ImportStatus.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=31))
    waiting = ImportJob.objects.create(territory=caux, kind="sirene", status=ImportStatus.QUEUED)
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    start_import(caux, _upload(), kind="sirene", by=officer)
    job.refresh_from_db()
    waiting.refresh_from_db()
    assert (job.status, job.failure) == (ImportStatus.FAILED, "interrupted: no progress reported")
    assert waiting.status == ImportStatus.QUEUED  # waits for a busy worker, however long
    assert fail_stale_imports(caux) == 0


# --- The job's page --------------------------------------------------------------------------------


def _poll_attributes(html: str):
    match = re.search(r'hx-get="([^"]+)" hx-trigger="load delay:(\d+)s"', html)
    return (match.group(1), int(match.group(2))) if match else None


def test_the_page_of_a_queued_job_polls_less_and_less_often_then_stops_when_finished(
    client, caux, officer, in_background
):
    job = start_import(caux, _upload(), kind="sirene", by=officer)
    client.force_login(officer)
    page = client.get(reverse("establishment_import_job", kwargs={"pk": job.pk})).content.decode()
    assert "htmx-2.min.js" in page
    assert "<script>" not in page and " onload=" not in page
    progress_url = reverse("establishment_import_job_progress", kwargs={"pk": job.pk})
    assert _poll_attributes(page) == (f"{progress_url}?poll=1", 1)
    delays = []
    for poll in range(1, 16):
        fragment = client.get(progress_url, {"poll": poll}).content.decode()
        url, delay = _poll_attributes(fragment)
        assert url == f"{progress_url}?poll={poll + 1}"
        delays.append(delay)
    assert delays == [1, 1, 2, 2, 2, 4, 4, 8, 8, 15, 15, 30, 30, 30, 30]
    assert "En attente" in fragment

    run_import_job(job.pk)
    fragment = client.get(progress_url, {"poll": 16}).content.decode()
    assert _poll_attributes(fragment) is None and "hx-get" not in fragment
    assert "3 établissements créés" in fragment
    page = client.get(reverse("establishment_import_job", kwargs={"pk": job.pk})).content.decode()
    assert "htmx-2.min.js" not in page and "hx-get" not in page


def test_a_running_job_shows_its_progress(client, caux, officer, in_background):
    job = start_import(caux, _upload(), kind="sirene", by=officer)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, progress=0.42, message="Lecture du fichier", heartbeat_at=timezone.now()
    )
    client.force_login(officer)
    html = client.get(reverse("establishment_import_job", kwargs={"pk": job.pk})).content.decode()
    assert '<progress id="import-progress-' in html and 'value="42"' in html
    assert "Lecture du fichier" in html and "42 %" in html


def test_a_stalled_job_stops_polling_and_says_so_without_writing(client, caux, officer, in_background):
    job = start_import(caux, _upload(), kind="sirene", by=officer)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=long_ago)
    client.force_login(officer)
    html = client.get(reverse("establishment_import_job", kwargs={"pk": job.pk})).content.decode()
    assert "hx-get" not in html
    assert "aucun avancement" in html
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING  # GET never writes
