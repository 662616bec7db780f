"""Operations of imports: import a file of establishments (all rows or none), start an import from an
upload (at once when the file is small, in the background worker otherwise) and run a queued one.

**Re-import rule.** Establishments are matched on (territory, SIRET); a matching one is updated, never
duplicated. What the file describes is refreshed (name, activity code, headcount band, commune,
location, origin, date of import); what the territory team adds is kept (engagement, meeting date,
notes, contacts). Two exceptions keep a better value already there: a row without coordinates does not
replace a precise location in the same commune, and a row without a usable name (SIRENE gives none for
most establishments) or without an address does not erase the one recorded. Every value an import
replaces is kept in an :class:`~tremplin.imports.models.ImportChange` of its job, and in the
establishment's own history (an ``establishment.import.updated`` entry of the journal).

**Corrections by hand.** A field the territory team corrected through the establishment's form
(``Establishment.hand_corrected``, kept by :func:`tremplin.establishments.services.update_establishment`)
keeps its value unless the officer takes the file's value for it (``take_file``: "SIRET:field" strings,
or ``True`` for all of them); a field that takes the file's value is no longer counted as corrected.

**Preview, then confirmation.** From the import page, the file is first read and compared with what is
recorded (``preview``): when it would change establishments already recorded, the job waits for the
officer (status "previewed") with what it will create, change field by field and skip, and the version
of every establishment it matched. :func:`confirm_import` then imports the same stored file, refused if
any of those establishments changed since the preview (no silent overwrite); a file that changes
nothing already recorded is written at once. The command line writes at once, corrections kept.

**Location.** A point given in the file must lie in its commune (:mod:`tremplin.establishments.location`);
outside, the row is refused with the distance, or (option ``outside="commune"``) the establishment is
placed at its commune's reference point with a note. A commune without a boundary is not checked, and
the report says how many points were not.

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
from tremplin.establishments.location import NOT_CHECKED, TERRITORY_ONLY, LocationChecker
from tremplin.establishments.models import Establishment, LocationPrecision, nomenclature_of
from tremplin.imports.models import ImportChange, ImportJob, ImportStage, ImportStatus

__all__ = [
    "IMPORT_UPDATED_FIELDS",
    "OUTSIDE_CHOICES",
    "ImportConflict",
    "ImportNotAllowed",
    "ImportNotPending",
    "ImportRejected",
    "UploadTooLarge",
    "cancel_import",
    "confirm_import",
    "fail_stale_imports",
    "import_establishments",
    "import_parsed",
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
    "location_note",
    "hand_corrected",
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
#: What a preview lists of each kind (the counts are always whole; "take the file's value for all"
#: reaches the corrections beyond the list).
PREVIEW_LISTED = 500
OUTSIDE_REFUSE, OUTSIDE_COMMUNE = "refuse", "commune"
OUTSIDE_CHOICES = (OUTSIDE_REFUSE, OUTSIDE_COMMUNE)
#: The column a point outside its commune is reported on, per importer.
COORDINATES_FIELD = {"sirene": "coordonnées Lambert-93", "template": "latitude/longitude"}


class ImportRejected(Exception):
    """The file has errors: nothing was written. ``report.errors`` names the first bad rows,
    ``report.error_count`` counts them all."""

    def __init__(self, report: ImportReport):
        self.report = report
        super().__init__(f"{report.error_count} erreur(s), rien n'a été importé")


class ImportNotAllowed(Exception):
    """The actor is not on the territory's team."""


class ImportNotPending(Exception):
    """The import is not waiting for a confirmation (already confirmed, cancelled or finished)."""


class ImportConflict(ImportRejected):
    """Establishments the preview matched changed since: nothing was written. ``report.errors`` names
    them (line of the file, SIRET)."""


class UploadTooLarge(Exception):
    """The uploaded file is larger than ``IMPORT_MAX_UPLOAD_BYTES``."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _inline_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", DEFAULT_INLINE_MAX_BYTES))


def stale_after() -> timedelta:
    """How long a running job (an import, a register extract) may report nothing before it counts as
    interrupted (``IMPORT_STALE_AFTER_MINUTES``)."""
    minutes = getattr(settings, "IMPORT_STALE_AFTER_MINUTES", None)
    return timedelta(minutes=int(minutes)) if minutes is not None else DEFAULT_STALE_AFTER


_stale_after = stale_after


def _check_actor(territory, by) -> None:
    """``by`` is a member of the territory's team, or ``None`` for the command line."""
    if by is not None and territory.pk not in scope_for(by).editor_territory_ids:
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
    outside: str = OUTSIDE_REFUSE,
    take_file=(),
    preview: bool = False,
    baseline: dict[str, int] | None = None,
) -> ImportReport:
    """Import a file of establishments into ``territory``: all rows, or none.

    ``outside``: what to do with a point outside its commune (refuse the file, or place it at the
    commune). ``take_file``: the fields corrected by hand that take the file's value ("SIRET:field", or
    True for all). ``preview`` (with ``job``): when the file would change establishments already
    recorded, record what it would do on the job (status "previewed") and write nothing
    (``report.awaiting_confirmation``). ``baseline``: the versions of the establishments a preview
    matched; :class:`ImportConflict` when any changed since.

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
    if outside not in OUTSIDE_CHOICES:
        raise ValueError(f"outside must be one of {OUTSIDE_CHOICES}")
    communes = territory_communes(territory)
    reading = None
    if progress is not None:

        def reading(fraction):
            progress(fraction * READ_SHARE, "Lecture du fichier")

    try:
        result = importer.read(stream, set(communes), limits=limits, progress=reading)
    except FileFormatError as error:
        report.set_errors(error.errors)
        raise ImportRejected(report) from None
    report.rows, report.encoding = result.rows, result.encoding
    report.skipped_inactive, report.skipped_outside = result.skipped_inactive, result.skipped_outside
    return import_parsed(
        territory,
        result,
        report,
        kind=kind,
        by=by,
        communes=communes,
        progress=progress,
        job=job,
        outside=outside,
        take_file=take_file,
        preview=preview,
        baseline=baseline,
    )


def territory_communes(territory) -> dict[str, tuple[int, float | None, float | None]]:
    """The communes of ``territory`` by INSEE code: (pk, reference latitude, reference longitude)."""
    rows = territory.epci.communes.only("pk", "insee_code", "name", "centroid_lat", "centroid_lon")
    return {c.insee_code: (c.pk, c.centroid_lat, c.centroid_lon) for c in rows}


def import_parsed(
    territory,
    result,
    report: ImportReport,
    *,
    kind: str,
    by,
    communes=None,
    progress=None,
    job: ImportJob | None = None,
    outside: str = OUTSIDE_REFUSE,
    take_file=(),
    preview: bool = False,
    baseline: dict[str, int] | None = None,
) -> ImportReport:
    """Write the rows an importer already read (``result``, a ParseResult of ``territory``'s communes)
    under the re-import rule of this module: all of them or none (:class:`ImportRejected`).

    The second half of :func:`import_establishments`, for a caller that read one file for several
    territories (``tremplin.programme.services.extracts``). It does not check the actor: its caller
    does. Validation errors are raised before anything is written, so a caller may go on checking the
    other territories of the same file inside its own transaction.
    """
    importer = get_importer(kind)
    communes = communes if communes is not None else territory_communes(territory)
    errors: ErrorLog = result.errors
    moved = _check_locations(territory, result.records, report, errors, outside, kind)
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
        existing = _existing(territory, [record.siret for record in result.records])
        if baseline is not None:
            _check_baseline(baseline, existing, result.records, report)
        rows, updates = _plan(
            territory, result.records, communes, importer, report, existing, moved, take_file
        )
        if preview and job is not None and any(update["changes"] or update["kept"] for update in updates):
            _record_preview(job, rows, updates, existing, report)
            report.awaiting_confirmation, report.job_id = True, job.pk
            return report
        job = _write(territory, rows, updates, report, by=by, job=job)
    report.job_id = job.pk
    return report


def _check_locations(territory, records, report: ImportReport, errors: ErrorLog, outside: str, kind: str):
    """Check every point given against its commune; return the notes of the points moved to it."""
    checker = LocationChecker(territory)
    field_name = COORDINATES_FIELD.get(kind, "latitude/longitude")
    moved: dict[str, str] = {}
    for record in records:
        if record.latitude is None or record.longitude is None:
            continue
        check = checker.check(record.commune_code, record.latitude, record.longitude)
        if check.status in (NOT_CHECKED, TERRITORY_ONLY):
            report.not_checked += 1
        elif check.refused:
            if outside == OUTSIDE_COMMUNE:
                point = f"{record.latitude:.5f}, {record.longitude:.5f}"
                moved[record.siret] = (
                    f"Point du fichier ({point}) à {check.check.distance_text()} hors de la commune : "
                    "placé au point de référence de la commune."
                )
                record.latitude = record.longitude = None
                report.moved_to_commune += 1
            else:
                errors.add(RowError(record.line, field_name, check.reason()))
    return moved


_EXISTING_FIELDS = (
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
    "location_note",
    "origin",
    "version",
    "hand_corrected",
)


def _existing(territory, sirets: list[str]) -> dict[str, dict]:
    """The establishments of ``territory`` the file matches, locked until the end of the transaction."""
    found: dict[str, dict] = {}
    query = Establishment.objects.select_for_update().filter(territory=territory)
    for start in range(0, len(sirets), _BATCH * 2):
        chunk = sirets[start : start + _BATCH * 2]
        for values in query.filter(siret__in=chunk).values(*_EXISTING_FIELDS):
            found[values["siret"]] = values
    return found


def _check_baseline(baseline: dict[str, int], existing: dict[str, dict], records, report: ImportReport):
    """Refuse the confirmation when an establishment the preview matched, or one it was to create,
    changed (or appeared) since."""
    lines = {record.siret: record.line for record in records}
    errors = ErrorLog()
    for siret in sorted(set(baseline) | set(existing), key=lambda siret: lines.get(siret, 0)):
        if baseline.get(siret) == (existing[siret]["version"] if siret in existing else None):
            continue
        if siret not in existing:
            reason = f"l'établissement {siret} a été supprimé depuis l'aperçu"
        elif siret not in baseline:
            reason = f"l'établissement {siret} a été créé depuis l'aperçu"
        else:
            reason = f"l'établissement {siret} ({existing[siret]['name']}) a été modifié depuis l'aperçu"
        errors.add(RowError(lines.get(siret, 0), "siret", reason + " : importez le fichier à nouveau"))
    if errors:
        report.set_errors(errors)
        raise ImportConflict(report)


def _takes_file(take_file, siret: str, field: str) -> bool:
    return take_file is True or f"{siret}:{field}" in take_file


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


def _plan(territory, records, communes, importer, report, existing, moved, take_file):
    """The rows to write and, for each establishment already recorded, what changes and what is kept."""
    now = timezone.now()
    commune_codes = {pk: code for code, (pk, _lat, _lon) in communes.items()}
    take_file = take_file if take_file is True else set(take_file or ())
    rows, updates = [], []
    for record in records:
        commune_id, commune_lat, commune_lon = communes[record.commune_code]
        previous = existing.get(record.siret)
        latitude, longitude, precision = record.latitude, record.longitude, LocationPrecision.ADDRESS
        note = ""
        if latitude is None:
            if (
                previous
                and previous["location_precision"] == LocationPrecision.ADDRESS
                and previous["commune_id"] == commune_id
            ):
                latitude, longitude = previous["latitude"], previous["longitude"]
                note = previous["location_note"]
            else:
                latitude, longitude, precision = commune_lat, commune_lon, LocationPrecision.COMMUNE
                note = moved.get(record.siret, "")
                report.located_in_commune += 1
        name = record.name
        if previous and name == f"Établissement {record.siret}":
            name = previous["name"]
        address = record.address or (previous["address"] if previous else "")
        after = {
            "name": name,
            "naf_code": record.naf_code,
            "headcount_band": record.headcount_band,
            "commune": record.commune_code,
            "address": address,
            "location": [latitude, longitude, str(precision)],
            "origin": str(importer.origin),
        }
        hand_corrected: list[str] = []
        if previous is None:
            report.created += 1
        else:
            report.updated += 1
            before = _tracked(previous, commune_codes)
            changes, kept = {}, {}
            hand_corrected = list(previous["hand_corrected"] or [])
            for name_ in TRACKED_FIELDS:
                if before[name_] == after[name_]:
                    continue
                if name_ in hand_corrected and not _takes_file(take_file, record.siret, name_):
                    kept[name_] = [before[name_], after[name_]]
                    after[name_] = before[name_]
                else:
                    changes[name_] = [before[name_], after[name_]]
                    if name_ in hand_corrected:
                        hand_corrected.remove(name_)
            if "location" in kept:
                latitude, longitude, precision = before["location"]
                note = previous["location_note"]
            if "commune" in kept:
                commune_id = previous["commune_id"]
            report.kept_by_hand += len(kept)
            updates.append(
                {
                    "pk": previous["pk"],
                    "siret": record.siret,
                    "line": record.line,
                    "name": after["name"],
                    "version": previous["version"],
                    "changes": changes,
                    "kept": kept,
                }
            )
        rows.append(
            Establishment(
                territory=territory,
                siret=record.siret,
                name=after["name"],
                naf_code=after["naf_code"],
                naf_nomenclature=nomenclature_of(after["naf_code"]),
                headcount_band=after["headcount_band"],
                commune_id=commune_id,
                address=after["address"],
                latitude=latitude,
                longitude=longitude,
                location_precision=precision,
                location_note=note[:300],
                hand_corrected=hand_corrected,
                origin=importer.origin,
                imported_at=now,
                is_demo=False,
            )
        )
    report.changed = sum(1 for update in updates if update["changes"])
    return rows, updates


def _counts(report: ImportReport) -> dict:
    return {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "changed": report.changed,
        "skipped_inactive": report.skipped_inactive,
        "skipped_outside": report.skipped_outside,
        "located_in_commune": report.located_in_commune,
        "moved_to_commune": report.moved_to_commune,
        "not_checked": report.not_checked,
        "kept_by_hand": report.kept_by_hand,
    }


def _record_preview(job: ImportJob, rows, updates, existing, report: ImportReport) -> None:
    created = [
        {"siret": row.siret, "name": row.name, "commune": row.commune_id}
        for row in rows
        if row.siret not in existing
    ]
    listed = [update for update in updates if update["changes"] or update["kept"]]
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.PREVIEWED,
        progress=1.0,
        message="",
        heartbeat_at=timezone.now(),
        encoding=report.encoding,
        preview={
            "created": created[:PREVIEW_LISTED],
            "updates": listed[:PREVIEW_LISTED],
            "listed_updates": len(listed),
            "baseline": {siret: values["version"] for siret, values in existing.items()},
        },
        **_counts(report),
    )


def _write(territory, rows, updates, report: ImportReport, *, by, job) -> ImportJob:
    now = timezone.now()
    changes = [
        ImportChange(
            establishment_id=update["pk"],
            siret=update["siret"],
            name=update["name"][:200],
            previous={field: values[0] for field, values in update["changes"].items()},
            current={field: values[1] for field, values in update["changes"].items()},
            kept=update["kept"],
        )
        for update in updates
        if update["changes"] or update["kept"]
    ]
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
    counts = _counts(report)
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
            encoding=report.encoding,
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
            encoding=report.encoding,
            **counts,
        )
    for change in changes:
        change.job_id = job.pk
    ImportChange.objects.bulk_create(changes, batch_size=_BATCH)
    _log_in_histories(by, territory, job, updates, now)
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


def _log_in_histories(by, territory, job, updates, at) -> None:
    """One entry in the journal of each establishment the import changed, or whose hand corrections it
    kept (the same shape as an edit's ``changes``, so the history reads the same way)."""
    from django.contrib.contenttypes.models import ContentType

    from tremplin.audit.models import AuditEntry

    by_person = by is not None and by.is_authenticated
    target_type = ContentType.objects.get_for_model(Establishment)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=by if by_person else None,
                by_person=by_person,
                action="establishment.import.updated",
                territory=territory,
                at=at,
                target_type=target_type,
                target_id=str(update["pk"]),
                data={
                    "changes": update["changes"],
                    "kept": sorted(update["kept"]),
                    "job_id": job.pk,
                    "kind": job.kind,
                },
            )
            for update in updates
            if update["changes"] or update["kept"]
        ],
        batch_size=_BATCH,
    )


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


def start_import(
    territory,
    upload,
    *,
    kind: str,
    by,
    limits: ImportLimits | None = None,
    preview: bool = False,
    outside: str = OUTSIDE_REFUSE,
) -> ImportJob:
    """Record an import of ``upload`` (a Django uploaded file) and run it: at once when reading it is
    cheap (``IMPORT_INLINE_MAX_BYTES``), otherwise in the background worker. Return the job, whose page
    shows the progress and the outcome. With ``preview`` (the import page), a file that would change
    establishments already recorded stops at a preview, kept with its file until :func:`confirm_import`
    or :func:`cancel_import`."""
    if by is None:
        raise ImportNotAllowed(_("Only the territory's team may import establishments."))
    _check_actor(territory, by)
    get_importer(kind)
    if outside not in OUTSIDE_CHOICES:
        raise ValueError(f"outside must be one of {OUTSIDE_CHOICES}")
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
        stage=ImportStage.PREVIEW if preview else ImportStage.APPLY,
        options={"outside": outside},
    )
    try:
        with transaction.atomic():
            fail_stale_imports(territory)
            if at_once:
                job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
                job.heartbeat_at = job.started_at
            if preview or not at_once:  # a preview keeps its file for the confirmation
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
        _discard_file_unless_waiting(job)
    job.refresh_from_db()
    return job


def confirm_import(job: ImportJob, *, by, take_file=(), limits: ImportLimits | None = None) -> ImportJob:
    """Write the previewed import of ``job``: the officer saw what it changes and chose which fields
    corrected by hand take the file's value (``take_file``: "SIRET:field" strings, or True for all).
    The same stored file is read again, at once or in the background as the preview was; the import
    is refused (:class:`ImportConflict`, recorded on the job) when an establishment it matched changed
    since the preview."""
    if by is None:
        raise ImportNotAllowed(_("Only the territory's team may import establishments."))
    _check_actor(job.territory, by)
    take_file = True if take_file is True else sorted(set(take_file or ()))
    options = {**job.options, "take_file": take_file, "confirmed_by": by.pk}
    now = timezone.now()
    at_once = not job.in_background
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.RUNNING if at_once else ImportStatus.QUEUED,
            stage=ImportStage.APPLY,
            options=options,
            progress=0.0,
            started_at=now,
            heartbeat_at=now,
        )
        if not claimed:
            raise ImportNotPending(_("This import is not waiting for a confirmation any more."))
        log_action(by, "establishments.import.confirmed", job, territory=job.territory, take_file=take_file)
        if not at_once:
            transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    if at_once:
        try:
            stream = job.file.open("rb")
        except (OSError, ValueError) as error:
            _fail(job.pk, failure=f"stored file unreadable: {error}")
        else:
            with stream:
                _execute(job, stream, limits or ImportLimits.from_settings())
        _discard_file(job)
        job.refresh_from_db()
    return job


def cancel_import(job: ImportJob, *, by) -> ImportJob:
    """Give up a previewed import: nothing is written, the stored file is deleted."""
    if by is None:
        raise ImportNotAllowed(_("Only the territory's team may import establishments."))
    _check_actor(job.territory, by)
    with transaction.atomic():
        cancelled = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.CANCELLED, finished_at=timezone.now()
        )
        if not cancelled:
            raise ImportNotPending(_("This import is not waiting for a confirmation any more."))
        log_action(by, "establishments.import.cancelled", job, territory=job.territory)
    job.refresh_from_db()
    _discard_file(job)
    return job


def expire_previews(*, now=None) -> int:
    """Previews nobody confirmed or cancelled within ``IMPORT_PREVIEW_RETENTION_DAYS``: cancelled, their
    stored file deleted (it may hold a whole register of companies), each noted in the territory's
    journal. Run by ``tremplin purge``."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_PREVIEW_RETENTION_DAYS)
    expired = 0
    for job in ImportJob.objects.filter(status=ImportStatus.PREVIEWED, created_at__lt=cutoff).select_related(
        "territory"
    ):
        with transaction.atomic():
            if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
                status=ImportStatus.CANCELLED, finished_at=now
            ):
                continue  # confirmed or cancelled meanwhile
            log_action(
                None,
                "establishments.import.expired",
                job,
                territory=job.territory,
                retention_days=settings.IMPORT_PREVIEW_RETENTION_DAYS,
            )
        _discard_file(job)
        expired += 1
    return expired


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
    """Import ``stream`` for ``job`` (status running) and record the outcome on the job: its preview
    (stage "preview"), or what it wrote (stage "apply", after a preview: checked against it)."""
    options = job.options or {}
    confirming = job.stage == ImportStage.APPLY and bool(job.preview)
    actor = job.created_by
    if confirming and options.get("confirmed_by"):
        actor = type(actor)._default_manager.filter(pk=options["confirmed_by"]).first()
    try:
        if actor is None:
            raise ImportNotAllowed("the person who confirmed it no longer exists")
        import_establishments(
            job.territory,
            stream,
            kind=job.kind,
            by=actor,
            filename=job.filename,
            limits=limits,
            progress=_JobProgress(job.pk),
            job=job,
            outside=options.get("outside", OUTSIDE_REFUSE),
            take_file=options.get("take_file", ()),
            preview=job.stage == ImportStage.PREVIEW,
            baseline=job.preview.get("baseline", {}) if confirming else None,
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
    _discard_file_unless_waiting(job)
    job.refresh_from_db(fields=["status"])
    return {"job": job_pk, "status": job.status}


def _discard_file_unless_waiting(job: ImportJob) -> None:
    job.refresh_from_db(fields=["status", "file"])
    if job.status != ImportStatus.PREVIEWED:
        _discard_file(job)


def _discard_file(job: ImportJob) -> None:
    """The uploaded file is kept only until its job has run: the outcome and changes stay recorded."""
    if not job.file.name:
        return
    name, storage = job.file.name, job.file.storage
    ImportJob.objects.filter(pk=job.pk).update(file="")
    storage.delete(name)
