"""Imports of establishment files: the form, the import's page (progress, outcome, what it replaced)
and the template to download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tremplin.establishments.importers import IMPORTERS, ImportLimits
from tremplin.establishments.importers.template import template_csv, template_xlsx, territory_example
from tremplin.establishments.models import DataOrigin, Establishment, LocationPrecision
from tremplin.imports.models import ImportJob
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
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.downloads import download
from tremplin.www.establishments.import_forms import ImportForm, too_large_message

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10
CHANGES_SHOWN = 200
# Room for the multipart envelope around the file when the request's size is checked up front.
ENVELOPE_BYTES = 64 * 1024
# Seconds before the page asks again for the progress of a running import: 1 s at first, then longer
# and longer (up to 30 s) so that a long import does not keep a browser tab polling every second.
POLL_DELAYS = (1, 1, 1, 2, 2, 2, 4, 4, 8, 8, 15, 15, 30)


def _recent_jobs(territory):
    return ImportJob.objects.for_territory(territory).select_related("created_by")[:RECENT_JOBS]


@login_required
def establishment_import(request, territory_pk):
    """The form (GET), or start an import (POST) and go to its page."""
    territory = team_territory_or_404(request.user, territory_pk)
    status, refused = 200, ""
    if request.method == "POST" and _declared_length(request) > max_upload_bytes() + ENVELOPE_BYTES:
        # Refused before Django reads the body: an oversized upload is never written to disk.
        form, refused, status = ImportForm(), too_large_message(), 413
    else:
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = start_import(
                    territory,
                    form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    by=request.user,
                    preview=True,
                    outside=form.cleaned_data["outside"],
                )
            except UploadTooLarge:
                form.add_error("file", too_large_message())
            except ImportNotAllowed as error:
                form.add_error(None, str(error))
            else:
                return redirect("establishment_import_job", pk=job.pk)
    return render(
        request,
        "establishments/import.html",
        {
            "territory": territory,
            "form": form,
            "refused": refused,
            "jobs": _recent_jobs(territory),
            "limits": {"upload": max_upload_bytes(), "rows": ImportLimits.from_settings().max_rows},
        },
        status=status,
    )


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


FIELD_LABELS = {
    "location": gettext_lazy("location"),
    "commune": gettext_lazy("commune (INSEE code)"),
}


def _field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    return Establishment._meta.get_field(name).verbose_name


def _shown(name: str, value) -> str:
    if name == "location":
        latitude, longitude, precision = value
        if latitude is None or longitude is None:
            return "—"
        label = LocationPrecision(precision).label if precision in LocationPrecision.values else precision
        return f"{latitude:.5f}, {longitude:.5f} ({label})"
    if name == "origin" and value in DataOrigin.values:
        return str(DataOrigin(value).label)
    return value if value not in (None, "") else "—"


def _changes(job: ImportJob) -> list[dict]:
    rows = []
    for change in job.changes.select_related("establishment")[:CHANGES_SHOWN]:
        if not change.previous:  # only corrections by hand kept: nothing replaced
            continue
        rows.append(
            {
                "change": change,
                "fields": [
                    {
                        "label": _field_label(name),
                        "previous": _shown(name, change.previous.get(name)),
                        "current": _shown(name, change.current.get(name)),
                    }
                    for name in change.previous
                ],
            }
        )
    return rows


def _preview(job: ImportJob) -> dict:
    """What a previewed import will do, ready to show: creations, and per establishment the fields it
    changes (previous → file) and the corrections by hand it keeps unless the file's value is taken."""
    preview = job.preview or {}
    updates = []
    for update in preview.get("updates", []):
        fields = [
            {
                "label": _field_label(name),
                "previous": _shown(name, values[0]),
                "current": _shown(name, values[1]),
                "kept": False,
            }
            for name, values in update["changes"].items()
        ] + [
            {
                "label": _field_label(name),
                "previous": _shown(name, values[0]),
                "current": _shown(name, values[1]),
                "kept": True,
                "choice": f"{update['siret']}:{name}",
            }
            for name, values in update["kept"].items()
        ]
        updates.append({"update": update, "fields": fields})
    return {
        "created": preview.get("created", []),
        "updates": updates,
        "listed_updates": preview.get("listed_updates", 0),
    }


def _poll(request) -> int:
    try:
        return max(0, int(request.GET.get("poll", 0)))
    except ValueError:
        return 0


def _status_context(request, job: ImportJob) -> dict:
    poll = _poll(request)
    stale = is_stale(job)
    return {
        "job": job,
        "territory": job.territory,
        "kind_label": IMPORTERS[job.kind].label if job.kind in IMPORTERS else job.kind,
        "stale": stale,
        "polling": not job.is_finished and not stale and not job.awaits_confirmation,
        "preview": _preview(job) if job.awaits_confirmation else None,
        "next_poll": poll + 1,
        "delay": POLL_DELAYS[min(poll, len(POLL_DELAYS) - 1)],
        "changes": _changes(job) if job.status == "done" and job.changed else [],
        "form": ImportForm(initial={"kind": job.kind}),
    }


@require_GET
@login_required
def import_job(request, pk):
    job = get_visible_or_404(ImportJob, request.user, pk=pk)
    return render(request, "establishments/import_job.html", _status_context(request, job))


@require_GET
@login_required
def import_job_progress(request, pk):
    """The status fragment the import's page polls (HTMX) while the import is queued or running."""
    job = get_visible_or_404(ImportJob, request.user, pk=pk)
    return render(request, "establishments/_import_job_status.html", _status_context(request, job))


@require_POST
@login_required
def import_confirm(request, pk):
    """Write a previewed import, with the officer's choice of corrections by hand to replace."""
    job = get_visible_or_404(ImportJob, request.user, pk=pk)
    take_file = True if request.POST.get("take_all") else request.POST.getlist("take")
    try:
        confirm_import(job, by=request.user, take_file=take_file)
    except (ImportNotAllowed, ImportNotPending) as error:
        messages.error(request, str(error))
    return redirect("establishment_import_job", pk=job.pk)


@require_POST
@login_required
def import_cancel(request, pk):
    job = get_visible_or_404(ImportJob, request.user, pk=pk)
    try:
        cancel_import(job, by=request.user)
    except (ImportNotAllowed, ImportNotPending) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Import cancelled: nothing was written."))
    return redirect("establishment_import_job", pk=job.pk)


@login_required
@download
def import_template(request, territory_pk, fmt):
    territory = team_territory_or_404(request.user, territory_pk)
    example = territory_example(territory)
    if fmt == "xlsx":
        response = HttpResponse(template_xlsx(example), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(example), content_type="text/csv; charset=utf-8")
    filename = _("establishments-template")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
