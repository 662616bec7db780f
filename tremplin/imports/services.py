"""Operations of imports: import a file of establishments (all rows or none), start an import from an
upload (at once when the file is small, in the background worker otherwise) and run a queued one.

**Re-import rule.** Establishments are matched on (territory, SIRET); a matching one is updated, never
duplicated. What the file describes is refreshed (name, activity code, headcount band, commune,
location, origin, date of import); what the territory team adds is kept (engagement, meeting date,
notes, contacts). Two exceptions keep a better value already there: a row without coordinates does not
replace a precise location in the same commune, and a row without a usable name (SIRENE gives none for
most establishments) or without an address does not erase the one recorded. Every value an import
replaces is kept in an :class:`~tremplin.imports.models.ImportChange` of its job.

**Cost.** A file is bounded before and while it is read (:class:`ImportLimits`: rows, errors kept, what
an XLSX may expand to); the upload itself by ``IMPORT_MAX_UPLOAD_BYTES``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.establishments.importers import (
    ErrorLog,
    FileFormatError,
    ImportLimits,
    ImportReport,
    RowError,
    get_importer,
)
from tremplin.establishments.importers.spreadsheet import XLSX_MAGIC, inspect_xlsx
from tremplin.establishments.models import Establishment, LocationPrecision, nomenclature_of
from tremplin.imports.models import ImportChange, ImportJob, ImportStatus

__all__ = [
    "IMPORT_UPDATED_FIELDS",
    "ImportNotAllowed",
    "ImportRejected",
    "UploadTooLarge",
    "fail_stale_imports",
    "import_establishments",
    "is_stale",
    "max_upload_bytes",
    "run_import_job",
    "start_import",
]

logger = logging.getLogger(__name__)

IMPORT_UPDATED_FIELDS = [
    "name",
    "naf_code",
    "naf_nomenclature",
    "headcount_band",
    "commune",
    "address",
    "latitude",
    "longitude",
    "location_precision",
    "origin",
    "imported_at",
    "is_demo",
    "updated_at",
]
#: Fields whose previous value an import keeps when it changes them ("location" groups the point and
#: its precision; "commune" is the commune's INSEE code).
TRACKED_FIELDS = ("name", "naf_code", "headcount_band", "commune", "address", "location", "origin")

DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
DEFAULT_INLINE_MAX_BYTES = 1024 * 1024
DEFAULT_STALE_AFTER = timedelta(minutes=30)
PROGRESS_MIN_INTERVAL_S = 0.5
READ_SHARE = 0.85  # of the progress bar: reading and checking; the rest is writing
_BATCH = 500


class ImportRejected(Exception):
    """The file has errors: nothing was written. ``report.errors`` names the first bad rows,
    ``report.error_count`` counts them all."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"{report.error_count} erreur(s), rien n'a été importé")


class ImportNotAllowed(Exception):
    """The actor is not on the territory's team."""


class UploadTooLarge(Exception):
    """The uploaded file is larger than ``IMPORT_MAX_UPLOAD_BYTES``."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _inline_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", DEFAULT_INLINE_MAX_BYTES))


def _stale_after() -> timedelta:
    minutes = getattr(settings, "IMPORT_STALE_AFTER_MINUTES", None)
    return timedelta(minutes=int(minutes)) if minutes is not None else DEFAULT_STALE_AFTER


def _check_actor(territory, by) -> None:
    """``by`` is a member of the territory's team, or ``None`` for the command line."""
    if by is not None and territory.pk not in scope_for(by).team_territory_ids:
        raise ImportNotAllowed(_("Only the territory's team may import establishments."))


def import_establishments(
    territory,
    stream,
    *,
    kind: str,
    by,
    filename: str = "",
    limits: ImportLimits | None = None,
    progress=None,
    job: ImportJob | None = None,
) -> ImportReport:
    """Import a file of establishments into ``territory``: all rows, or none.

    ``kind`` names an importer of :data:`tremplin.establishments.importers.IMPORTERS`. Raise
    :class:`ImportRejected` (with the first bad rows and their count) when any row is wrong; nothing is
    written then. On success the job (``job``, or a new one for the command line) is marked done with
    the counts, and each establishment the file changed gets an :class:`ImportChange`.
    ``progress(fraction, message)`` is told how far the import is.
    """
    _check_actor(territory, by)
    importer = get_importer(kind)
    limits = limits or ImportLimits.from_settings()
    report = ImportReport(kind=kind, filename=filename)
    communes = {
        code: (pk, lat, lon)
        for code, pk, lat, lon in territory.epci.communes.values_list(
            "insee_code", "pk", "centroid_lat", "centroid_lon"
        )
    }
    reading = None
    if progress is not None:

        def reading(fraction):
            progress(fraction * READ_SHARE, "Lecture du fichier")

    try:
        result = importer.read(stream, set(communes), limits=limits, progress=reading)
    except FileFormatError as error:
        report.set_errors(error.errors)
        raise ImportRejected(report) from None
    report.rows = result.rows
    report.skipped_inactive, report.skipped_outside = result.skipped_inactive, result.skipped_outside
    errors: ErrorLog = result.errors
    first_line: dict[str, int] = {}
    for record in result.records:
        if record.siret in first_line:
            errors.add(
                RowError(
                    record.line,
                    "siret",
                    f"SIRET {record.siret} en double (déjà ligne {first_line[record.siret]})",
                )
            )
        else:
            first_line[record.siret] = record.line
        if record.latitude is None and communes[record.commune_code][1] is None:
            errors.add(
                RowError(
                    record.line, "code_commune", "ni coordonnées ni point de référence pour cette commune"
                )
            )
    if errors:
        report.set_errors(errors)
        raise ImportRejected(report)

    if progress is not None:
        progress(READ_SHARE, "Enregistrement des établissements")
    with transaction.atomic():
        job = _write(territory, result.records, communes, importer, report, by=by, job=job)
    report.job_id = job.pk
    return report


def _tracked(values: dict, commune_codes: dict[int, str]) -> dict:
    return {
        "name": values["name"],
        "naf_code": values["naf_code"],
        "headcount_band": values["headcount_band"],
        "commune": commune_codes.get(values["commune_id"], ""),
        "address": values["address"],
        "location": [values["latitude"], values["longitude"], values["location_precision"]],
        "origin": values["origin"],
    }


def _write(territory, records, communes, importer, report: ImportReport, *, by, job) -> ImportJob:
    now = timezone.now()
    commune_codes = {pk: code for code, (pk, _lat, _lon) in communes.items()}
    existing = {
        values["siret"]: values
        for values in territory.establishments.values(
            "pk",
            "siret",
            "name",
            "naf_code",
            "headcount_band",
            "commune_id",
            "address",
            "latitude",
            "longitude",
            "location_precision",
            "origin",
        )
    }
    rows, changes = [], []
    for record in records:
        commune_id, commune_lat, commune_lon = communes[record.commune_code]
        previous = existing.get(record.siret)
        latitude, longitude, precision = record.latitude, record.longitude, LocationPrecision.ADDRESS
        if latitude is None:
            if (
                previous
                and previous["location_precision"] == LocationPrecision.ADDRESS
                and previous["commune_id"] == commune_id
            ):
                latitude, longitude = previous["latitude"], previous["longitude"]
            else:
                latitude, longitude, precision = commune_lat, commune_lon, LocationPrecision.COMMUNE
                report.located_in_commune += 1
        name = record.name
        if previous and name == f"Établissement {record.siret}":
            name = previous["name"]
        address = record.address or (previous["address"] if previous else "")
        establishment = Establishment(
            territory=territory,
            siret=record.siret,
            name=name,
            naf_code=record.naf_code,
            naf_nomenclature=nomenclature_of(record.naf_code),
            headcount_band=record.headcount_band,
            commune_id=commune_id,
            address=address,
            latitude=latitude,
            longitude=longitude,
            location_precision=precision,
            origin=importer.origin,
            imported_at=now,
            is_demo=False,
        )
        rows.append(establishment)
        if previous is None:
            report.created += 1
            continue
        report.updated += 1
        before = _tracked(previous, commune_codes)
        after = {
            "name": name,
            "naf_code": record.naf_code,
            "headcount_band": record.headcount_band,
            "commune": record.commune_code,
            "address": address,
            "location": [latitude, longitude, str(precision)],
            "origin": str(importer.origin),
        }
        changed = [field for field in TRACKED_FIELDS if before[field] != after[field]]
        if changed:
            changes.append(
                ImportChange(
                    establishment_id=previous["pk"],
                    siret=record.siret,
                    name=name[:200],
                    previous={field: before[field] for field in changed},
                    current={field: after[field] for field in changed},
                )
            )
    report.changed = len(changes)
    Establishment.objects.bulk_create(
        rows,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["territory", "siret"],
        update_fields=IMPORT_UPDATED_FIELDS,
    )
    # A form opened before the import must not overwrite what the file just refreshed (see the version
    # check of tremplin.establishments.services).
    Establishment.objects.filter(territory=territory, siret__in=[row.siret for row in rows]).update(
        version=F("version") + 1
    )
    counts = {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "changed": report.changed,
        "skipped_inactive": report.skipped_inactive,
        "skipped_outside": report.skipped_outside,
        "located_in_commune": report.located_in_commune,
    }
    if job is None:
        job = ImportJob.objects.create(
            territory=territory,
            kind=report.kind,
            filename=report.filename[:200],
            created_by=by,
            status=ImportStatus.DONE,
            progress=1.0,
            started_at=now,
            finished_at=now,
            **counts,
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            progress=1.0,
            message="",
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            errors=[],
            error_count=0,
            **counts,
        )
    for change in changes:
        change.job_id = job.pk
    ImportChange.objects.bulk_create(changes, batch_size=_BATCH)
    log_action(
        by,
        "establishments.imported",
        job,
        territory=territory,
        kind=report.kind,
        filename=report.filename,
        **counts,
    )
    return job


# --- From an upload: at once, or in the background worker ---------------------------------------------


def _expanded_size(upload, limits: ImportLimits) -> int:
    """What reading the file costs, in bytes: its size, or for an XLSX what it declares uncompressed."""
    upload.seek(0)
    head = upload.read(len(XLSX_MAGIC))
    upload.seek(0)
    if head != XLSX_MAGIC:
        return upload.size
    try:
        return inspect_xlsx(upload, limits)
    except FileFormatError:
        return 0  # refused as soon as it is read: no need for the worker


def is_stale(job: ImportJob, now=None) -> bool:
    """A running job the worker stopped reporting on (killed or restarted mid-run). A queued job is
    never stale: it waits for a worker, however busy."""
    now = now or timezone.now()
    return job.status == ImportStatus.RUNNING and (job.heartbeat_at or job.created_at) < now - _stale_after()


def fail_stale_imports(territory) -> int:
    """Mark failed the running jobs of ``territory`` that stopped reporting progress; return how many."""
    limit = timezone.now() - _stale_after()
    stale = (
        ImportJob.objects.for_territory(territory)
        .filter(status=ImportStatus.RUNNING)
        .exclude(heartbeat_at__gte=limit)
    )
    return stale.update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        failure="interrupted: no progress reported",
        message="",
    )


def start_import(territory, upload, *, kind: str, by, limits: ImportLimits | None = None) -> ImportJob:
    """Record an import of ``upload`` (a Django uploaded file) and run it: at once when reading it is
    cheap (``IMPORT_INLINE_MAX_BYTES``), otherwise in the background worker. Return the job, whose page
    shows the progress and the outcome."""
    if by is None:
        raise ImportNotAllowed(_("Only the territory's team may import establishments."))
    _check_actor(territory, by)
    get_importer(kind)
    if upload.size > max_upload_bytes():
        raise UploadTooLarge(upload.size)
    limits = limits or ImportLimits.from_settings()
    at_once = _expanded_size(upload, limits) <= _inline_max_bytes()
    job = ImportJob(
        territory=territory,
        kind=kind,
        filename=(upload.name or "")[:200],
        size=upload.size,
        created_by=by,
        in_background=not at_once,
    )
    try:
        with transaction.atomic():
            fail_stale_imports(territory)
            if at_once:
                job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
                job.heartbeat_at = job.started_at
            else:
                job.file.save(job.filename or "import", upload, save=False)
            job.save()
            if not at_once:
                transaction.on_commit(lambda: _enqueue(job.pk))
    except BaseException:
        if job.file.name:  # the row that would name it was not written
            job.file.storage.delete(job.file.name)
        raise
    if at_once:
        upload.seek(0)
        _execute(job, getattr(upload, "file", upload), limits)
    job.refresh_from_db()
    return job


def _enqueue(job_pk: int) -> None:
    from tremplin.imports.tasks import run_import_task

    try:
        result = run_import_task.enqueue(job_pk)
    except Exception as error:
        logger.exception("import job %s could not be queued", job_pk)
        _fail(job_pk, f"{type(error).__name__}: {error}")
        return
    ImportJob.objects.filter(pk=job_pk).update(task_result_id=str(result.id))


class _JobProgress:
    """Writes a job's progress (and heartbeat), throttled; its page reads it back."""

    def __init__(self, job_pk: int):
        self.job_pk = job_pk
        self.last_time = 0.0
        self.last_message = None

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if message == self.last_message and now - self.last_time < PROGRESS_MIN_INTERVAL_S:
            return
        self.last_time, self.last_message = now, message
        ImportJob.objects.filter(pk=self.job_pk, status=ImportStatus.RUNNING).update(
            progress=max(0.0, min(1.0, fraction)), message=message[:200], heartbeat_at=timezone.now()
        )


def _fail(job_pk: int, failure: str = "", errors: list[RowError] | None = None, error_count=0, rows=0):
    ImportJob.objects.filter(pk=job_pk).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        message="",
        failure=failure,
        errors=[{"line": e.line, "field": e.field, "reason": e.reason} for e in errors or []],
        error_count=error_count,
        rows=rows,
    )


def _execute(job: ImportJob, stream, limits: ImportLimits) -> None:
    """Import ``stream`` for ``job`` (status running) and record the outcome on the job."""
    try:
        import_establishments(
            job.territory,
            stream,
            kind=job.kind,
            by=job.created_by,
            filename=job.filename,
            limits=limits,
            progress=_JobProgress(job.pk),
            job=job,
        )
    except ImportRejected as rejected:
        report = rejected.report
        _fail(job.pk, errors=report.errors, error_count=report.error_count, rows=report.rows)
    except ImportNotAllowed:
        _fail(job.pk, failure="not allowed: the person who started it is no longer on the team")
    except Exception as error:
        logger.exception("import job %s failed", job.pk)
        _fail(job.pk, failure=f"{type(error).__name__}: {error}")


def run_import_job(job_pk: int) -> dict:
    """The body of the background task: claim the queued job, import its stored file, delete the file."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now, message="Lecture du fichier"
    )
    if not claimed:  # already run, or failed meanwhile
        return {"job": job_pk, "status": "skipped"}
    job = ImportJob.objects.select_related("territory__epci", "created_by").get(pk=job_pk)
    if job.created_by is None:
        _fail(job.pk, failure="not allowed: the person who started it no longer exists")
    else:
        try:
            stream = job.file.open("rb")
        except (OSError, ValueError) as error:
            _fail(job.pk, failure=f"stored file unreadable: {error}")
        else:
            with stream:
                _execute(job, stream, ImportLimits.from_settings())
    _discard_file(job)
    job.refresh_from_db(fields=["status"])
    return {"job": job_pk, "status": job.status}


def _discard_file(job: ImportJob) -> None:
    """The uploaded file is kept only until its job has run: the outcome and changes stay recorded."""
    if not job.file.name:
        return
    name, storage = job.file.name, job.file.storage
    ImportJob.objects.filter(pk=job.pk).update(file="")
    storage.delete(name)
