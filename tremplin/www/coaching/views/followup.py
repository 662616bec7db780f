from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tremplin.coaching.models import DeliverableKind, Event, ProgressReport
from tremplin.coaching.services import followup as services
from tremplin.coaching.services.errors import CoachingError
from tremplin.coaching.services.figures import (
    BASIS_LABELS,
    FIGURES,
    LEGACY_FIGURES,
    SECTION_TITLES,
    figure_for,
)
from tremplin.coaching.services.roles import is_team_of
from tremplin.programme.models import Call, Participation
from tremplin.reports.tables import table_pdf, table_xlsx
from tremplin.www.access import get_visible_or_404
from tremplin.www.coaching.forms import LessonsForm, ReportForm
from tremplin.www.coaching.permissions import programme_team_only
from tremplin.www.downloads import download

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figure_rows(figures: dict, *, withhold: bool) -> list[dict]:
    """The report's figures, current and older shapes alike, each with its basis, unit and source;
    ``withhold``: for a reader outside the territory, figures of too few companies are secret."""
    rows = []
    # In the registry's order (a JSON column need not keep the order of its keys), older keys after.
    known = [*FIGURES, *LEGACY_FIGURES]
    for key in sorted(figures, key=lambda k: known.index(k) if k in known else len(known)):
        stored = figures[key]
        figure = figure_for(key)
        secret = withhold and (figure.is_withheld(stored) if figure else True)
        basis = figure.basis if figure else stored.get("basis", "")
        rows.append(
            {
                "key": key,
                "label": figure.label if figure else key,
                "source": figure.source if figure else stored.get("source", ""),
                "basis": BASIS_LABELS.get(basis, basis),
                "unit": figure.unit if figure else stored.get("unit", ""),
                "section": figure.section if figure else "",
                "value": None if secret else stored.get("value"),
                "secret": secret,
            }
        )
    return rows


def _figure_sections(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    order = list(SECTION_TITLES)
    groups: dict[str, list] = {}
    for row in sorted(rows, key=lambda r: order.index(r["section"]) if r["section"] in order else len(order)):
        groups.setdefault(row["section"], []).append(row)
    return [(SECTION_TITLES.get(section, ""), rows) for section, rows in groups.items()]


@login_required
def coaching_report(request, event_pk, participation_pk):
    """A territory's report for a reporting meeting: frozen once submitted."""
    event = get_visible_or_404(Event, request.user, pk=event_pk)
    participation = get_visible_or_404(
        Participation, request.user, pk=participation_pk, call_id=event.call_id
    )
    if not event.is_reporting:
        raise Http404
    report = ProgressReport.objects.filter(event=event, participation=participation).first()
    form = ReportForm(request.POST or None)
    if request.method == "POST" and report is None and form.is_valid():
        try:
            services.submit_report(
                event,
                participation,
                progress_statement=form.cleaned_data["progress_statement"],
                by=request.user,
            )
        except CoachingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Report frozen: later changes will not alter it."))
        return redirect("coaching_report", event_pk=event.pk, participation_pk=participation.pk)
    deliverable_labels = dict(DeliverableKind.choices)
    return render(
        request,
        "coaching/report.html",
        {
            "event": event,
            "participation": participation,
            "report": report,
            "form": form,
            "figure_sections": _figure_sections(
                _figure_rows(report.figures, withhold=not is_team_of(request.user, participation))
            )
            if report
            else [],
            "deliverables": [
                (deliverable_labels.get(kind, kind), status)
                for kind, status in (report.details.get("deliverables", {}).items() if report else [])
            ],
        },
    )


def _comparison_of(request, event_pk):
    event = get_visible_or_404(Event, request.user, pk=event_pk)
    if not event.is_reporting:
        raise Http404
    return event, services.compare_territories(event, by=request.user)


@programme_team_only
def coaching_comparison(request, event_pk):
    event, comparison = _comparison_of(request, event_pk)
    return render(request, "coaching/comparison.html", {"event": event, "comparison": comparison})


def _export_rows(sections):
    return [(title, row) for title, rows in sections for row in rows]


@programme_team_only
@download
@require_GET
def coaching_comparison_export(request, event_pk, fmt):
    """The comparison as PDF or XLSX, with the figures of the page."""
    event, comparison = _comparison_of(request, event_pk)
    title = _("Territories side by side")
    subtitle = f"{event.call.title} — {event.name} — {formats.date_format(event.date)}"
    names = [p.territory.name for p in comparison.participations]
    rows = _export_rows(comparison.sections())
    return _file(
        fmt, title, subtitle, names, rows, f"comparaison-{slugify(event.name)}-{event.date:%Y-%m-%d}"
    )


def _file(fmt, title, subtitle, names, rows, stem):
    if fmt == "pdf":
        response = HttpResponse(table_pdf(title, subtitle, names, rows), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(table_xlsx(title, subtitle, names, rows), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@programme_team_only
@download
@require_GET
def coaching_closing_review_export(request, call_pk, fmt):
    call = get_object_or_404(Call, pk=call_pk)
    summary = services.closing_summary(call, by=request.user)
    names = [c.participation.territory.name for c in summary.columns]
    rows = _export_rows(summary.sections())
    return _file(fmt, _("Closing review"), call.title, names, rows, f"bilan-{slugify(call.title)}")


@programme_team_only
def coaching_closing_review(request, call_pk):
    call = get_object_or_404(Call, pk=call_pk)
    summary = services.closing_summary(call, by=request.user)
    form = LessonsForm(request.POST or None, initial={"lessons": summary.review.lessons})
    if request.method == "POST" and form.is_valid():
        services.save_lessons(call, form.cleaned_data["lessons"], by=request.user)
        messages.success(request, _("Lessons saved."))
        return redirect("coaching_closing_review", call_pk=call.pk)
    return render(request, "coaching/closing_review.html", {"call": call, "summary": summary, "form": form})
