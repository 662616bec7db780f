from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tremplin.coaching.models import DeliverableKind, Event, ProgressReport
from tremplin.coaching.services import followup as services
from tremplin.coaching.services.errors import CoachingError
from tremplin.coaching.services.figures import FIGURES
from tremplin.coaching.services.roles import is_team_of
from tremplin.programme.models import Call, Participation
from tremplin.www.access import get_visible_or_404
from tremplin.www.coaching.forms import LessonsForm, ReportForm
from tremplin.www.coaching.permissions import programme_team_only


def _figure_rows(figures: dict, *, withhold: bool) -> list[dict]:
    """The report's figures; ``withhold``: for a reader outside the territory, figures of too few
    companies are secret."""
    rows = []
    for key, stored in figures.items():
        figure = FIGURES.get(key)
        secret = withhold and (figure.is_withheld(stored) if figure else True)
        rows.append(
            {
                "key": key,
                "label": figure.label if figure else key,
                "source": figure.source if figure else stored.get("source", ""),
                "value": None if secret else stored.get("value"),
                "secret": secret,
            }
        )
    return rows


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
            "figures": _figure_rows(report.figures, withhold=not is_team_of(request.user, participation))
            if report
            else [],
            "deliverables": [
                (deliverable_labels.get(kind, kind), status)
                for kind, status in (report.details.get("deliverables", {}).items() if report else [])
            ],
        },
    )


@programme_team_only
def coaching_comparison(request, event_pk):
    event = get_visible_or_404(Event, request.user, pk=event_pk)
    if not event.is_reporting:
        raise Http404
    comparison = services.compare_territories(event, by=request.user)
    return render(request, "coaching/comparison.html", {"event": event, "comparison": comparison})


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
