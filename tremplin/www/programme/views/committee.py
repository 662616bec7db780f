"""Committee members' pages: the calls they sit on, the applications, their scores."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tremplin.programme.exceptions import ProgrammeError
from tremplin.programme.models import Application, ApplicationStatus, Call, Score
from tremplin.programme.services.eligibility import failure_message
from tremplin.programme.services.scoring import record_scores
from tremplin.www.access import get_visible_or_404
from tremplin.www.programme.decorators import committee_required
from tremplin.www.programme.forms import ScoreForm


def _seated_calls(user):
    return Call.objects.filter(committee_seats__member=user).distinct()


@committee_required
def committee_home(request):
    calls = _seated_calls(request.user).select_related("region")
    return render(request, "programme/committee_home.html", {"calls": calls})


@committee_required
def committee_call(request, pk):
    call = get_object_or_404(_seated_calls(request.user), pk=pk)
    applications = list(
        Application.objects.visible_to(request.user).for_call(call).submitted().select_related("epci")
    )
    criteria_count = call.criteria.count()
    counts = {}
    for application_id in Score.objects.filter(member=request.user, application__call=call).values_list(
        "application_id", flat=True
    ):
        counts[application_id] = counts.get(application_id, 0) + 1
    rows = [
        {
            "application": application,
            "scored": counts.get(application.pk, 0) >= criteria_count > 0,
            "started": application.pk in counts,
            "reasons": [failure_message(code) for code in application.eligibility_failures],
        }
        for application in applications
    ]
    rows.sort(key=lambda row: (not row["application"].eligible, row["application"].epci.name))
    return render(request, "programme/committee_call.html", {"call": call, "rows": rows})


@committee_required
def score_application(request, pk):
    application = get_visible_or_404(Application, request.user, pk=pk)
    call = application.call
    if not call.committee_seats.filter(member=request.user).exists():
        # An applicant who is also a committee member elsewhere reaches its own application, not this page.
        return redirect("programme_application_detail", pk=application.pk)
    criteria = call.criteria.order_by("position", "pk")
    existing = {score.criterion_id: score for score in application.scores.filter(member=request.user)}
    can_score = application.status == ApplicationStatus.ELIGIBLE and not call.is_decided
    form = ScoreForm(request.POST or None, criteria=criteria, scores=existing)
    if request.method == "POST" and can_score and form.is_valid():
        try:
            changed = record_scores(application, form.scores(), by=request.user)
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Your scores are saved.") if changed else _("Your scores are unchanged."),
            )
            return redirect("programme_committee_call", pk=call.pk)
    return render(
        request,
        "programme/score.html",
        {
            "application": application,
            "call": call,
            "form": form,
            "can_score": can_score,
            "failure_reasons": [failure_message(code) for code in application.eligibility_failures],
        },
    )
