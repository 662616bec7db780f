"""The strategy beyond the workshop deliverables' lines: objectives' values and edits, the action plan,
and SWOT items pulled from the territory's detection leads and known flows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.coaching.models import (
    Deliverable,
    DeliverableKind,
    Objective,
    ObjectiveValue,
    PlannedAction,
)
from tremplin.coaching.services import actionplan
from tremplin.coaching.services import deliverables as deliverable_services
from tremplin.coaching.services import objectives as objective_services
from tremplin.coaching.services.errors import CoachingError
from tremplin.coaching.services.roles import is_editor_of, is_programme_team
from tremplin.flows.models import Flow
from tremplin.programme.models import Participation
from tremplin.submissions.services import AlreadySubmitted, was_replayed
from tremplin.synergies.models import Lead
from tremplin.www.access import get_visible_or_404
from tremplin.www.coaching.forms_strategy import (
    ObjectiveEditForm,
    ObjectiveValueForm,
    PlannedActionForm,
    SwotPullForm,
)
from tremplin.www.conflicts import conflict_for
from tremplin.www.errors import form_errors_message


def _back_to_objectives(objective):
    return redirect(
        "coaching_deliverable",
        participation_pk=objective.participation_id,
        kind=DeliverableKind.W2_OBJECTIVES,
    )


# Objectives


def _objective_values(objective) -> dict:
    return {name: getattr(objective, name) for name in objective_services.OBJECTIVE_FIELDS}


@login_required
def coaching_objective_edit(request, pk):
    objective = get_visible_or_404(Objective, request.user, pk=pk)
    if not is_editor_of(request.user, objective.participation):
        raise PermissionDenied
    form = ObjectiveEditForm(request.POST or None, instance=objective, version=objective.version)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            objective_services.update_objective(
                objective,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **{name: form.cleaned_data[name] for name in objective_services.OBJECTIVE_FIELDS},
            )
        except objective_services.ObjectiveConflict as error:
            conflict = conflict_for(form, error.current, _objective_values(error.current))
            form.add_error(None, error.message)
            form.rebase(error.current.version)
        except CoachingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Objective saved."))
            return _back_to_objectives(objective)
    return render(
        request,
        "coaching/objective_form.html",
        {
            "participation": objective.participation,
            "objective": objective,
            "form": form,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@require_POST
@login_required
def coaching_objective_value_add(request, pk):
    objective = get_visible_or_404(Objective, request.user, pk=pk)
    form = ObjectiveValueForm(request.POST, prefix=f"value-{objective.pk}")
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return _back_to_objectives(objective)
    try:
        value = objective_services.record_value(
            objective, form.save(commit=False), by=request.user, submission_key=form.submission_key
        )
    except (CoachingError, AlreadySubmitted) as error:
        messages.error(request, error.message)
    else:
        if was_replayed(value):
            messages.info(request, _("This form had already been sent: the value was recorded once."))
        else:
            messages.success(request, _("Value recorded."))
    return _back_to_objectives(objective)


@require_POST
@login_required
def coaching_objective_value_delete(request, pk):
    value = get_visible_or_404(ObjectiveValue, request.user, pk=pk)
    try:
        objective_services.remove_value(value, by=request.user)
    except CoachingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deleted."))
    return _back_to_objectives(value.objective)


# SWOT items pulled from the territory's data


@require_POST
@login_required
def coaching_swot_pull(request, pk):
    deliverable = get_visible_or_404(Deliverable, request.user, pk=pk, kind=DeliverableKind.W1_DIAGNOSIS)
    form = SwotPullForm(request.POST)
    lead = flow = None
    # Leads and flows are the territory team's: anybody else finds none (404).
    if request.POST.get("lead"):
        lead = get_visible_or_404(Lead, request.user, pk=request.POST["lead"])
    elif request.POST.get("flow"):
        flow = get_visible_or_404(Flow, request.user, pk=request.POST["flow"])
    else:
        raise Http404
    if form.is_valid():
        try:
            deliverable_services.pull_into_swot(
                deliverable, category=form.cleaned_data["category"], lead=lead, flow=flow, by=request.user
            )
        except CoachingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Added to the diagnosis."))
    else:
        messages.error(request, form_errors_message(form))
    return redirect(
        "coaching_deliverable",
        participation_pk=deliverable.participation_id,
        kind=DeliverableKind.W1_DIAGNOSIS,
    )


# The action plan


def _plan_context(request, participation, form=None):
    actions = list(
        PlannedAction.objects.of(participation).select_related("objective").prefetch_related("transitions")
    )
    is_team = is_editor_of(request.user, participation)
    return {
        "participation": participation,
        "territory": participation.territory,
        "actions": [(action, actionplan.available_transitions(action, request.user)) for action in actions],
        "totals": actionplan.plan_totals(actions),
        "is_team": is_team,
        "is_programme_team": is_programme_team(request.user),
        "form": form or (PlannedActionForm(participation=participation) if is_team else None),
        "today": timezone.localdate(),
    }


@login_required
def coaching_action_plan(request, pk):
    participation = get_visible_or_404(Participation, request.user, pk=pk)
    if request.method != "POST":
        return render(request, "coaching/action_plan.html", _plan_context(request, participation))
    if not is_editor_of(request.user, participation):
        raise PermissionDenied
    form = PlannedActionForm(request.POST, participation=participation)
    if form.is_valid():
        try:
            action = actionplan.create_action(
                participation,
                by=request.user,
                submission_key=form.submission_key,
                **{name: form.cleaned_data[name] for name in actionplan.ACTION_FIELDS},
            )
        except actionplan.InvalidAction as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except (CoachingError, AlreadySubmitted) as error:
            form.add_error(None, error.message)
        else:
            if was_replayed(action):
                messages.info(request, _("This form had already been sent: the action was recorded once."))
            else:
                messages.success(request, _("Action added to the plan."))
            return redirect("coaching_action_plan", pk=participation.pk)
    return render(
        request, "coaching/action_plan.html", _plan_context(request, participation, form), status=400
    )


def _action_values(action) -> dict:
    return {name: getattr(action, name) for name in actionplan.ACTION_FIELDS}


@login_required
def coaching_action_edit(request, pk):
    action = get_visible_or_404(PlannedAction, request.user, pk=pk)
    participation = action.participation
    if not is_editor_of(request.user, participation):
        raise PermissionDenied
    form = PlannedActionForm(
        request.POST or None, instance=action, participation=participation, version=action.version
    )
    conflict = None
    if request.method == "POST" and "delete" in request.POST:
        version = request.POST.get("version", "")
        try:
            actionplan.delete_action(
                action, by=request.user, expected_version=int(version) if version.isdigit() else 0
            )
        except actionplan.ActionConflict as error:
            action = error.current
            messages.error(request, error.message)
            form = PlannedActionForm(instance=action, participation=participation, version=action.version)
        else:
            messages.success(request, _("Action deleted."))
            return redirect("coaching_action_plan", pk=participation.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            actionplan.update_action(
                action,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                **{name: form.cleaned_data[name] for name in actionplan.ACTION_FIELDS},
            )
        except actionplan.ActionConflict as error:
            conflict = conflict_for(form, error.current, _action_values(error.current))
            form.add_error(None, error.message)
            form.rebase(error.current.version)
        except actionplan.InvalidAction as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except CoachingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Action saved."))
            return redirect("coaching_action_plan", pk=participation.pk)
    return render(
        request,
        "coaching/action_form.html",
        {"participation": participation, "action": action, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@require_POST
@login_required
def coaching_action_transition(request, pk):
    action = get_visible_or_404(PlannedAction, request.user, pk=pk)
    try:
        action = actionplan.change_action_status(
            action,
            request.POST.get("transition", ""),
            by=request.user,
            comment=request.POST.get("comment", ""),
        )
    except CoachingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Status of the action: %(status)s.") % {"status": action.get_status_display()}
        )
    return redirect("coaching_action_plan", pk=action.participation_id)
