"""``/imports``: files of establishments imported into a territory, as on the import page.

The same operations as the page (:mod:`tremplin.imports.services`): :func:`start_import` records the job
and runs it at once when reading the file is cheap (``IMPORT_INLINE_MAX_BYTES``), otherwise in the
background worker (answer 202: follow ``GET /imports/{id}``); :func:`confirm_import` and
:func:`cancel_import` settle a previewed import. Every import is all-or-nothing: one bad row and nothing
is written; the answer (422, or the job's ``errors`` once a background import has run) names each row
(``line``: the header is line 1) and its column (``field``), with the reason the page gives, written in
French as the importers write it for the people who prepared the file.

Layouts (``kind``): ``sirene``, the INSEE establishment file (CSV, UTF-8 or Windows-1252), and
``template``, the platform's template (CSV or XLSX, ``GET /imports/template``). Re-importing
updates the establishments matched on their SIRET and keeps the fields the territory team corrected by
hand unless told otherwise (see :mod:`tremplin.imports.services`).

With ``preview=true`` (the import page's way), a file that would change establishments already recorded
stops at a preview (status ``previewed``) listing, per establishment, the fields it would change and the
corrections by hand it would keep; ``POST /imports/{id}/confirm`` writes it (with the corrections by hand
to replace), ``POST /imports/{id}/cancel`` gives it up. Without it (the default, as the command line
does), the file is written at once, corrections by hand kept.

Only the territory's team reads its imports; only its members with edit access import.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict
from pydantic import ValidationError as PydanticValidationError

from tremplin.api.access import team_territory_or_404, visible_or_404
from tremplin.api.errors import ERRORS, ApiError, Conflict, ErrorItem, ErrorOut, Invalid
from tremplin.api.pagination import ListParams, Page, ordered, page
from tremplin.establishments.importers import IMPORTERS
from tremplin.establishments.importers.template import template_csv, template_xlsx, territory_example
from tremplin.imports.models import ImportJob, ImportStatus
from tremplin.imports.services import (
    ImportNotAllowed,
    ImportNotPending,
    UploadTooLarge,
    cancel_import,
    confirm_import,
    is_stale,
    max_upload_bytes,
    start_import,
)

router = Router(tags=["imports"])

KindCode = Literal["sirene", "template"]
OutsideCode = Literal["refuse", "commune"]
StatusCode = Literal["queued", "running", "previewed", "cancelled", "done", "failed"]
assert set(KindCode.__args__) == set(IMPORTERS)
assert set(StatusCode.__args__) == set(ImportStatus.values)

# Room for the multipart envelope around the file when the request's size is checked up front (as the
# import page does).
ENVELOPE_BYTES = 64 * 1024
MAX_TAKE = 10_000


class RowErrorItem(ErrorItem):
    """One reason the file was refused: ``line`` of the file (1 is the header; 0: the whole file),
    ``field`` the column, ``message`` the reason."""

    line: int | None = None


class ImportErrorOut(ErrorOut):
    """An error; for a refused file, ``errors`` lists the first bad rows and ``error_count`` counts them
    all, and ``job`` is the import's record."""

    errors: list[RowErrorItem] = []
    job: int | None = None
    error_count: int = 0
    errors_omitted: int = 0


class RowError(Schema):
    line: int
    field: str
    reason: str


class PreviewChange(Schema):
    field: str = Field(description="name, naf_code, headcount_band, commune, address, location or origin.")
    previous: Any
    current: Any
    kept: bool = Field(description="A correction by hand the import keeps unless `take` names it.")
    take: str | None = Field(description="What to send in `take` to replace the correction by hand.")


class PreviewUpdate(Schema):
    siret: str
    name: str
    line: int
    establishment: int
    changes: list[PreviewChange]


class PreviewCreated(Schema):
    siret: str
    name: str


class PreviewOut(Schema):
    created: list[PreviewCreated] = Field(description="The first establishments it creates.")
    updates: list[PreviewUpdate] = Field(description="The first establishments it changes.")
    listed_updates: int = Field(description="How many establishments it changes in all.")


class ImportJobOut(Schema):
    id: int
    territory: int
    kind: KindCode
    filename: str
    size: int
    in_background: bool
    status: StatusCode
    stale: bool = Field(description="Running, but the worker stopped reporting: nothing was imported.")
    progress: float = Field(ge=0, le=1)
    message: str
    encoding: str = Field(description="How a CSV file was decoded: utf-8 or cp1252 (empty for XLSX).")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows: int
    created: int
    updated: int
    changed: int
    skipped_inactive: int
    skipped_outside: int
    located_in_commune: int
    moved_to_commune: int
    not_checked: int
    kept_by_hand: int
    errors: list[RowError]
    error_count: int
    errors_omitted: int
    failure: str = Field(description="Set when the import itself broke (not the file): import it again.")
    preview: PreviewOut | None


class ImportForm(Schema):
    """The multipart form of an upload (besides ``file``)."""

    model_config = ConfigDict(extra="ignore")

    territory: int
    kind: KindCode
    outside: OutsideCode = "refuse"
    preview: bool = False


class ConfirmIn(Schema):
    model_config = ConfigDict(extra="forbid")

    take_all: bool = Field(False, description="Every field corrected by hand takes the file's value.")
    take: list[Annotated[str, Field(max_length=100)]] = Field(
        [], max_length=MAX_TAKE, description="`SIRET:field` of the corrections by hand to replace."
    )


class ImportListParams(ListParams):
    ordering: Literal["created_at", "-created_at"] | None = Field(
        None, description="created_at or -created_at (the default: newest first)."
    )


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["territory", "kind", "file"],
                "properties": {
                    "territory": {"type": "integer", "description": "The territory to import into."},
                    "kind": {"type": "string", "enum": list(KindCode.__args__)},
                    "outside": {
                        "type": "string",
                        "enum": list(OutsideCode.__args__),
                        "default": "refuse",
                        "description": (
                            "A point outside its commune: refuse the file (naming the row and the "
                            "distance), or place the establishment at its commune's reference point."
                        ),
                    },
                    "preview": {"type": "boolean", "default": False},
                    "file": {"type": "string", "format": "binary"},
                },
            }
        }
    },
}


def _failure_text(job: ImportJob) -> str:
    if not job.failure:
        return ""
    return _(
        "The file could not be processed to the end (the background worker stopped, or an unexpected "
        "error occurred). Import it again; if it fails again, tell the platform's administrators."
    )


def _preview_out(job: ImportJob) -> dict | None:
    if job.status != ImportStatus.PREVIEWED:
        return None
    preview = job.preview or {}
    updates = []
    for update in preview.get("updates", []):
        changes = [
            {"field": name, "previous": values[0], "current": values[1], "kept": False, "take": None}
            for name, values in update.get("changes", {}).items()
        ] + [
            {
                "field": name,
                "previous": values[0],
                "current": values[1],
                "kept": True,
                "take": f"{update['siret']}:{name}",
            }
            for name, values in update.get("kept", {}).items()
        ]
        updates.append(
            {
                "siret": update["siret"],
                "name": update["name"],
                "line": update["line"],
                "establishment": update["pk"],
                "changes": changes,
            }
        )
    return {
        "created": [{"siret": row["siret"], "name": row["name"]} for row in preview.get("created", [])],
        "updates": updates,
        "listed_updates": preview.get("listed_updates", 0),
    }


def job_out(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "territory": job.territory_id,
        "kind": job.kind,
        "filename": job.filename,
        "size": job.size,
        "in_background": job.in_background,
        "status": job.status,
        "stale": is_stale(job),
        "progress": max(0.0, min(1.0, job.progress)),
        "message": job.message,
        "encoding": job.encoding,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "rows": job.rows,
        "created": job.created,
        "updated": job.updated,
        "changed": job.changed,
        "skipped_inactive": job.skipped_inactive,
        "skipped_outside": job.skipped_outside,
        "located_in_commune": job.located_in_commune,
        "moved_to_commune": job.moved_to_commune,
        "not_checked": job.not_checked,
        "kept_by_hand": job.kept_by_hand,
        "errors": [
            {"line": int(e.get("line") or 0), "field": str(e.get("field") or ""), "reason": str(e["reason"])}
            for e in job.errors or []
        ],
        "error_count": job.error_count,
        "errors_omitted": job.errors_omitted,
        "failure": _failure_text(job),
        "preview": _preview_out(job),
    }


def _refused(job: ImportJob, status: int = 422, code: str = "import_rejected"):
    """The answer for a file refused row by row: nothing was written."""
    message = ngettext(
        "%(name)s was refused: %(n)s error. Nothing was imported.",
        "%(name)s was refused: %(n)s errors. Nothing was imported.",
        job.error_count,
    ) % {"name": job.filename or _("The file"), "n": job.error_count}
    return Status(
        status,
        {
            "code": code,
            "message": message,
            "field": "form.file",
            "errors": [
                {
                    "code": "invalid_row",
                    "message": str(e["reason"]),
                    "field": str(e.get("field") or "") or None,
                    "line": int(e.get("line") or 0),
                }
                for e in job.errors or []
            ],
            "job": job.pk,
            "error_count": job.error_count,
            "errors_omitted": job.errors_omitted,
        },
    )


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large() -> ApiError:
    from django.template.defaultfilters import filesizeformat

    return ApiError(
        _("The file is too large (%(limit)s at most); use the command line.")
        % {"limit": filesizeformat(max_upload_bytes())},
        code="too_large",
        status=413,
        field="form.file",
    )


def _form(request) -> tuple[ImportForm, Any]:
    """The upload's form fields and file, validated (422 naming the field)."""
    if not (request.content_type or "").startswith("multipart/form-data"):
        raise ApiError(_("Send the file as multipart/form-data."), code="unsupported_media_type", status=415)
    try:
        data, files = request.POST, request.FILES
    except (MultiPartParserError, SuspiciousOperation):
        raise ApiError(_("The multipart body cannot be read."), field="form") from None
    values = {name: data.get(name) for name in ("territory", "kind", "outside", "preview") if name in data}
    if values.get("outside") == "":
        values.pop("outside")
    if values.get("preview") == "":
        values.pop("preview")
    try:
        form = ImportForm.model_validate(values)
    except PydanticValidationError as error:
        from ninja.errors import ValidationError

        raise ValidationError(
            [dict(e, loc=("form", *e["loc"])) for e in error.errors(include_url=False, include_input=False)]
        ) from None
    upload = files.get("file")
    if upload is None:
        raise Invalid(_("This field is required."), field="form.file")
    if not upload.size:
        raise Invalid(_("The file is empty."), field="form.file")
    return form, upload


@router.post(
    "",
    response={
        201: ImportJobOut,
        202: ImportJobOut,
        **ERRORS,
        413: ErrorOut,
        415: ErrorOut,
        422: ImportErrorOut,
    },
    summary="Import a file of establishments into a territory",
    description=(
        "A multipart upload (`territory`, `kind`, `file`, optional `outside` and `preview`). A small "
        "file is imported at once: 201 with the counts (or its preview; status `failed` with `failure` "
        "if the import itself broke), or 422 listing the bad rows (nothing is written). A large one "
        "goes to the background worker: 202, then follow "
        "`GET /imports/{id}` until its status is `done`, `previewed` or `failed` (with its `errors`)."
    ),
    openapi_extra={"requestBody": UPLOAD_BODY},
)
def import_create(request):
    if _declared_length(request) > max_upload_bytes() + ENVELOPE_BYTES:
        # Refused before the body is read: an oversized upload is never written to disk.
        raise _too_large()
    form, upload = _form(request)
    territory = team_territory_or_404(request, form.territory)
    try:
        job = start_import(
            territory, upload, kind=form.kind, by=request.user, preview=form.preview, outside=form.outside
        )
    except UploadTooLarge:
        raise _too_large() from None
    except ImportNotAllowed as error:
        raise ApiError(str(error), code="forbidden", status=403) from None
    if job.status == ImportStatus.FAILED and job.error_count:
        return _refused(job)
    return Status(202 if job.status == ImportStatus.QUEUED else 201, job_out(job))


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_RESPONSES = {
    "200": {
        "description": "The template, with an example row in the territory's most populous commune.",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/template",
    response={**ERRORS},
    summary="The platform's template of establishments (CSV or XLSX)",
    description=(
        "The file to fill for `kind=template`: its columns (siret, nom, code_naf, tranche_effectifs, "
        "code_commune, adresse, latitude, longitude) and one example row, as the import page offers it."
    ),
    openapi_extra={"responses": TEMPLATE_RESPONSES},
)
def import_template(request, territory: int, format: Literal["csv", "xlsx"] = "csv"):
    found = team_territory_or_404(request, territory)
    example = territory_example(found)
    if format == "xlsx":
        response = HttpResponse(template_xlsx(example), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(example), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_("establishments-template")}.{format}"'
    return response


@router.get(
    "",
    response={200: Page[ImportJobOut], **ERRORS},
    summary="Imports of a territory",
    description="The imports the caller's team made, newest first; `territory` narrows them to one.",
)
def imports(request, params: Query[ImportListParams], territory: int | None = None):
    queryset = ImportJob.objects.visible_to(request.user)
    if territory is not None:
        queryset = queryset.for_territory(team_territory_or_404(request, territory))
    queryset = ordered(queryset, params.ordering, {"created_at": "created_at"}, "-created_at")
    return page(queryset, params, convert=job_out)


@router.get("/{job_id}", response={200: ImportJobOut, **ERRORS}, summary="Status and outcome of an import")
def import_detail(request, job_id: int):
    return job_out(visible_or_404(ImportJob, request, pk=job_id))


@router.post(
    "/{job_id}/confirm",
    response={200: ImportJobOut, 202: ImportJobOut, **ERRORS, 409: ImportErrorOut, 415: ErrorOut},
    summary="Write a previewed import",
    description=(
        "Writes the previewed file; `take` (or `take_all`) names the corrections by hand that take the "
        "file's value. 409 when the import is not waiting for a confirmation, or when an establishment "
        "it matched changed since the preview (nothing is written then: import the file again)."
    ),
)
def import_confirm(request, job_id: int, body: ConfirmIn):
    job = visible_or_404(ImportJob, request, pk=job_id)
    take_file = True if body.take_all else body.take
    try:
        job = confirm_import(job, by=request.user, take_file=take_file)
    except ImportNotAllowed as error:
        raise ApiError(str(error), code="forbidden", status=403) from None
    except ImportNotPending as error:
        raise Conflict(str(error)) from None
    if job.status == ImportStatus.FAILED and job.error_count:
        return _refused(job, status=409, code="conflict")
    return Status(202 if job.status == ImportStatus.QUEUED else 200, job_out(job))


@router.post(
    "/{job_id}/cancel",
    response={200: ImportJobOut, **ERRORS},
    summary="Give up a previewed import",
    description="Nothing is written and the stored file is deleted; 409 when it is not waiting any more.",
)
def import_cancel(request, job_id: int):
    job = visible_or_404(ImportJob, request, pk=job_id)
    try:
        job = cancel_import(job, by=request.user)
    except ImportNotAllowed as error:
        raise ApiError(str(error), code="forbidden", status=403) from None
    except ImportNotPending as error:
        raise Conflict(str(error)) from None
    return job_out(job)
