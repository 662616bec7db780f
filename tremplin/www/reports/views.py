"""Reports of a territory: freeze one at a meeting, read it, download its PDF; data exports.

The territory team does everything here. The programme team may list and read a territory's reports and
download their PDF, in their aggregates-only version (indicators and progress): the synergy table and
the map name or place companies and stay with the territory team. Company contacts: 403; others: 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tremplin.accounts.scoping import scope_for
from tremplin.reports import exports
from tremplin.reports.models import ReportSnapshot
from tremplin.reports.pdf import number, signed
from tremplin.reports.pdf import report_pdf as render_pdf
from tremplin.reports.snapshots import ReportError, freeze_report, previous_snapshot, progress_between
from tremplin.synergies.enums import Basis, Status, SynergyKind
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.downloads import download
from tremplin.www.reports.forms import FreezeForm


def _audience(user, territory_id) -> str:
    """ "team" for the territory team, "programme" for the programme team; 403 for anyone else."""
    scope = scope_for(user)
    if territory_id in scope.team_territory_ids:
        return "team"
    if scope.is_programme_team:
        return "programme"
    raise PermissionDenied


@login_required
@require_GET
def report_list(request, territory_pk):
    territory = get_visible_or_404(Territory, request.user, pk=territory_pk)
    audience = _audience(request.user, territory.pk)
    snapshots = (
        ReportSnapshot.objects.visible_to(request.user).for_territory(territory).select_related("created_by")
    )
    return render(
        request,
        "reports/list.html",
        {
            "territory": territory,
            "snapshots": snapshots,
            "is_team": audience == "team",
            "form": FreezeForm(),
            "sheets": exports.SHEETS,
        },
    )


@login_required
@require_POST
def report_freeze(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = FreezeForm(request.POST)
    if not form.is_valid():
        snapshots = ReportSnapshot.objects.visible_to(request.user).for_territory(territory)
        return render(
            request,
            "reports/list.html",
            {
                "territory": territory,
                "snapshots": snapshots,
                "is_team": True,
                "form": form,
                "sheets": exports.SHEETS,
            },
            status=400,
        )
    try:
        snapshot = freeze_report(
            territory,
            kind=form.cleaned_data["kind"],
            by=request.user,
            at=form.cleaned_data["at"],
            title=form.cleaned_data["title"],
        )
    except ReportError as error:
        messages.error(request, str(error))
        return redirect("report_list", territory_pk=territory.pk)
    messages.success(request, _("The report is frozen: later changes will not alter it."))
    return redirect("report_detail", pk=snapshot.pk)


def _progress_rows(snapshot, previous, *, withhold: bool = False) -> list[dict]:
    rows = []
    for row in progress_between(snapshot, previous, withhold=withhold):
        decimals = 1 if row.line.unit == "%" else 0
        rows.append(
            {
                "family": row.line.family,
                "key": row.line.key,
                "variant": row.line.variant,
                "label": row.line.label,
                "unit": row.line.unit,
                "basis": row.line.basis,
                "previous": number(row.previous, decimals),
                "current": number(row.current, decimals),
                "delta": signed(row.delta, decimals),
                "previous_secret": row.previous_secret,
                "current_secret": row.current_secret,
            }
        )
    return rows


def _synergy_rows(snapshot) -> list[dict]:
    statuses, kinds, bases = dict(Status.choices), dict(SynergyKind.choices), dict(Basis.choices)
    return [
        {
            **row,
            "status_label": statuses.get(row["status"], row["status"]),
            "kind_label": kinds.get(row["kind"], row["kind"]),
            "basis_label": bases.get(row["basis"], row["basis"]),
        }
        for row in snapshot.confidential.get("synergies", [])
    ]


@login_required
@require_GET
def report_detail(request, pk):
    snapshot = get_visible_or_404(ReportSnapshot, request.user, pk=pk)
    audience = _audience(request.user, snapshot.territory_id)
    previous = previous_snapshot(snapshot)
    return render(
        request,
        "reports/detail.html",
        {
            "territory": snapshot.territory,
            "snapshot": snapshot,
            "is_team": audience == "team",
            "previous": previous,
            # The programme team reads aggregates only, and not those of too few companies.
            "progress": _progress_rows(snapshot, previous, withhold=audience != "team"),
            "synergies": _synergy_rows(snapshot) if audience == "team" else [],
            "counts": snapshot.aggregates.get("counts", {}),
        },
    )


@login_required
@download
@require_GET
def report_pdf(request, pk):
    snapshot = get_visible_or_404(ReportSnapshot, request.user, pk=pk)
    audience = _audience(request.user, snapshot.territory_id)
    content = render_pdf(snapshot, audience=audience)
    response = HttpResponse(content, content_type="application/pdf")
    suffix = "" if audience == "team" else "-agregats"
    name = (
        f"rapport-{snapshot.territory.epci.siren}-{snapshot.frozen_at:%Y-%m-%d}-{snapshot.kind}{suffix}.pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@download
@require_GET
def export_xlsx(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    # Streamed: the first bytes leave while the flows are still read.
    response = StreamingHttpResponse(
        exports.workbook_stream(territory),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tremplin-{territory.epci.siren}.xlsx"'
    return response


@login_required
@download
@require_GET
def export_csv(request, territory_pk, sheet):
    territory = team_territory_or_404(request.user, territory_pk)
    if sheet not in {s.slug for s in exports.SHEETS}:
        raise Http404
    response = HttpResponse(exports.csv_export(territory, sheet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tremplin-{territory.epci.siren}-{sheet}.csv"'
    return response
