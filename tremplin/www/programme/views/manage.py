"""Programme-team pages: calls, criteria, committee, eligibility overrides, ranking and selection,
journal. Every one answers 403 to any other role."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.audit.display import describe_entries
from tremplin.audit.models import AuditEntry
from tremplin.imports.models import RegisterExtract
from tremplin.programme.exceptions import ProgrammeError
from tremplin.programme.models import Application, Call, CommitteeSeat, Criterion
from tremplin.programme.services.calls import (
    add_committee_member,
    create_call,
    remove_committee_member,
    save_criteria,
    update_call,
)
from tremplin.programme.services.committee_progress import remind_committee_member, scoring_progress
from tremplin.programme.services.eligibility import assess_eligibility, failure_message, override_eligibility
from tremplin.programme.services.notifications import outcome_previews
from tremplin.programme.services.permissions import calls_run_by
from tremplin.programme.services.potential import refresh_potential
from tremplin.programme.services.scoring import TIE_BREAK, rank_applications
from tremplin.programme.services.selection import check_selection, select_applications
from tremplin.www.programme.decorators import programme_team_required
from tremplin.www.programme.forms import (
    CallForm,
    CommitteeSeatForm,
    CriterionFormSet,
    OverrideForm,
    RegisterExtractForm,
    SelectionForm,
)
from tremplin.www.programme.views.extracts import extract_context


@programme_team_required
def manage_home(request):
    calls = calls_run_by(request.user).select_related("region").order_by("-deadline")
    return render(request, "programme/manage_home.html", {"calls": calls})


def _criteria_rows(formset):
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.instance.pk:
            continue
        row = {
            name: form.cleaned_data.get(name) for name in ("code", "label", "weight", "max_score", "position")
        }
        row["criterion"] = form.instance if form.instance.pk else None
        row["delete"] = bool(form.cleaned_data.get("DELETE"))
        rows.append(row)
    return rows


def _call_form_page(request, call=None):
    # ModelForm validation writes into its instance: give it a copy, the service changes ``call``.
    form = CallForm(request.POST or None, instance=Call.objects.get(pk=call.pk) if call else None)
    queryset = call.criteria.order_by("position") if call else Criterion.objects.none()
    formset = CriterionFormSet(request.POST or None, queryset=queryset, prefix="criteria")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            with transaction.atomic():
                if call is None:
                    saved = create_call(by=request.user, fields=fields)
                else:
                    saved = update_call(call, by=request.user, fields=fields)
                save_criteria(saved, _criteria_rows(formset), by=request.user)
        except ProgrammeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("programme_call_edit", pk=saved.pk)
    return render(request, "programme/call_form.html", {"form": form, "formset": formset, "call": call})


@programme_team_required
def call_create(request):
    return _call_form_page(request)


@programme_team_required
def call_edit(request, pk):
    return _call_form_page(request, get_object_or_404(calls_run_by(request.user), pk=pk))


@programme_team_required
def call_committee(request, pk):
    call = get_object_or_404(calls_run_by(request.user), pk=pk)
    form = CommitteeSeatForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            add_committee_member(
                call,
                by=request.user,
                member=form.cleaned_data["member"],
                organisation=form.cleaned_data["organisation"],
            )
        except ProgrammeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The member now sits on the committee."))
            return redirect("programme_call_committee", pk=call.pk)
    seats = call.committee_seats.select_related("member").order_by("organisation")
    return render(request, "programme/call_committee.html", {"call": call, "form": form, "seats": seats})


@programme_team_required
@require_POST
def seat_remove(request, pk):
    seat = get_object_or_404(CommitteeSeat.objects.select_related("call", "member"), pk=pk)
    try:
        remove_committee_member(seat, by=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The seat is removed."))
    return redirect("programme_call_committee", pk=seat.call_id)


@programme_team_required
def call_applications(request, pk):
    call = get_object_or_404(calls_run_by(request.user), pk=pk)
    applications = Application.objects.for_call(call).submitted().select_related("epci", "applicant")
    rows = [
        {"application": a, "reasons": [failure_message(code) for code in a.eligibility_failures]}
        for a in applications
    ]
    drafts = Application.objects.for_call(call).filter(status="draft").count()
    context = {"call": call, "rows": rows, "draft_count": drafts, "extract_form": RegisterExtractForm()}
    context.update(extract_context(request, RegisterExtract.objects.for_call(call).first()))
    return render(request, "programme/call_applications.html", context)


@programme_team_required
def application_override(request, pk):
    application = get_object_or_404(Application.objects.submitted().select_related("call", "epci"), pk=pk)
    form = OverrideForm(
        request.POST or None, initial={"eligible": "false" if application.eligible else "true"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            override_eligibility(
                application,
                eligible=form.cleaned_data["eligible"],
                justification=form.cleaned_data["justification"],
                by=request.user,
            )
        except ProgrammeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The eligibility verdict is changed and the justification recorded."))
            return redirect("programme_call_applications", pk=application.call_id)
    return render(
        request,
        "programme/override.html",
        {"application": application, "form": form, "eligibility": assess_eligibility(application)},
    )


@programme_team_required
@require_POST
def application_potential(request, pk):
    application = get_object_or_404(Application.objects.submitted(), pk=pk)
    try:
        refresh_potential(application, by=request.user)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The synergy potential is recomputed."))
    return redirect("programme_call_applications", pk=application.call_id)


@programme_team_required
def call_ranking(request, pk):
    """The ranking and the selection, in two steps: the form, then a confirmation screen saying what
    will be sent to whom (nothing is written or sent before the confirmation is posted)."""
    call = get_object_or_404(calls_run_by(request.user), pk=pk)
    ranking = rank_applications(call)
    criteria = list(call.criteria.order_by("position", "pk"))
    initial = {"chosen": [item.application.pk for item in ranking[: call.places]]}
    form = SelectionForm(request.POST or None, ranking=ranking, initial=initial)
    progress = scoring_progress(call)
    if request.method == "POST" and not call.is_decided and form.is_valid():
        chosen = list(form.cleaned_data["chosen"])
        justification = form.cleaned_data["justification"]
        try:
            if request.POST.get("confirmed") != "1":
                check_selection(call, chosen=chosen, justification=justification)
                return render(
                    request,
                    "programme/selection_confirm.html",
                    {
                        "call": call,
                        "chosen": sorted(
                            (item for item in ranking if item.application.pk in {a.pk for a in chosen}),
                            key=lambda item: item.rank,
                        ),
                        "justification": justification,
                        "outcomes": outcome_previews(
                            call, {a.pk for a in chosen}, link_for=request.build_absolute_uri
                        ),
                        "missing_scores": [item for item in progress if item.not_scored],
                    },
                )
            selected = select_applications(
                call,
                by=request.user,
                chosen=chosen,
                justification=justification,
                link_for=request.build_absolute_uri,
            )
        except ProgrammeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(count)s applications are selected; every applicant has been notified by e-mail.")
                % {"count": len(selected)},
            )
            return redirect("programme_call_ranking", pk=call.pk)
    return render(
        request,
        "programme/ranking.html",
        {
            "call": call,
            "ranking": ranking,
            "criteria": criteria,
            "form": form,
            "tie_break": TIE_BREAK,
            "progress": progress,
            "chosen_values": request.POST.getlist("chosen")
            if request.method == "POST"
            else [str(pk) for pk in initial["chosen"]],
            "decided": Application.objects.for_call(call)
            .submitted()
            .filter(status__in=["selected", "not_selected"])
            .select_related("epci")
            if call.is_decided
            else [],
        },
    )


@programme_team_required
@require_POST
def seat_remind(request, pk):
    seat = get_object_or_404(CommitteeSeat.objects.select_related("call", "member"), pk=pk)
    try:
        count = remind_committee_member(seat, by=request.user, link_for=request.build_absolute_uri)
    except ProgrammeError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A reminder of the %(count)s applications left to score is sent to %(email)s.")
            % {"count": count, "email": seat.member.email},
        )
    return redirect("programme_call_ranking", pk=seat.call_id)


@programme_team_required
def call_audit(request, pk):
    call = get_object_or_404(calls_run_by(request.user), pk=pk)
    entries = AuditEntry.objects.for_call(call).select_related("actor", "target_type")
    page = Paginator(entries, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/audit.html",
        {"call": call, "page": page, "entries": describe_entries(page.object_list)},
    )
