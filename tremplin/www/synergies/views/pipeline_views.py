"""The pipeline: board and table of a territory's synergies, a synergy's page and its operations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.engine.knowledge import REGULATORY_FLAGS
from tremplin.synergies import workflow
from tremplin.synergies.enums import EXITS, PIPELINE, Status
from tremplin.synergies.exceptions import SynergyError, TransitionNotAllowed
from tremplin.synergies.history import synergy_history
from tremplin.synergies.models import Synergy, SynergyAction, SynergyParticipant
from tremplin.synergies.pipeline import (
    MEASURED_FIELDS,
    add_action,
    mark_action_done,
    measurement_refusal,
    record_consent,
    record_measurement,
)
from tremplin.www.access import get_visible_or_404, is_team_of, team_territory_or_404
from tremplin.www.errors import form_errors_message
from tremplin.www.synergies.forms import ActionForm, MeasurementForm, SynergyFilterForm, TransitionForm

#: Forward moves offered on a board card (the exits need a reason or a note: on the synergy's page).
_FORWARD = ("qualify", "study", "implement", "make_operational", "monitor", "resume")


#: Cards shown in each column of the board; the rest of a column is one link to the table, filtered by
#: that status (a territory of thousands of companies has hundreds of synergies).
BOARD_CARDS_PER_COLUMN = 25
#: Rows of one page of the synergy table.
TABLE_PAGE_SIZE = 50


def _synergies(request, territory):
    return Synergy.objects.visible_to(request.user).for_territory(territory)


@login_required
def synergy_board(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    synergies = _synergies(request, territory)
    counts = dict(synergies.order_by().values_list("status").annotate(n=Count("pk")))
    columns = []
    for status in (*PIPELINE, *EXITS):
        cards = list(
            workflow.with_transition_data(
                synergies.filter(status=status).order_by("-status_changed_at", "-id")
            )[:BOARD_CARDS_PER_COLUMN]
        )
        for card in cards:
            card.forward = [o for o in workflow.transition_options(card) if o.name in _FORWARD]
        count = counts.get(status, 0)
        columns.append(
            {
                "status": status,
                "label": Status(status).label,
                "cards": cards,
                "count": count,
                "more": count - len(cards),
            }
        )
    return render(
        request,
        "synergies/board.html",
        {"territory": territory, "columns": columns, "count": sum(counts.values())},
    )


@login_required
def synergy_table(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = SynergyFilterForm(request.GET or None)
    synergies = _synergies(request, territory).order_by("-gain_eur_per_year", "-id")
    if form.is_valid():
        if form.cleaned_data["status"]:
            synergies = synergies.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            synergies = synergies.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["resource"]:
            text = form.cleaned_data["resource"]
            synergies = synergies.filter(Q(resource_label__icontains=text) | Q(resource=text))
    page = Paginator(synergies, TABLE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    prefetch_related_objects(
        page.object_list,
        Prefetch(
            "participants",
            queryset=SynergyParticipant.objects.select_related("establishment").only(
                "pk", "synergy_id", "role", "establishment__id", "establishment__name"
            ),
        ),
    )
    return render(
        request,
        "synergies/table.html",
        {"territory": territory, "form": form, "page": page, "synergies": page.object_list},
    )


@login_required
def synergy_detail(request, pk):
    synergy = get_visible_or_404(Synergy, request.user, pk=pk)
    if not is_team_of(request.user, synergy.territory_id):
        return redirect("contact_opportunities")  # a participant's contact: its anonymised view
    measurements = list(synergy.measurements.select_related("entered_by"))
    latest = measurements[0] if measurements else None
    measured = {name: getattr(latest, name) if latest else None for name in MEASURED_FIELDS}
    breakdown = {
        "explanation": "",
        "assumptions": [],
        "factors": {},
        "sources": [],
        **(synergy.breakdown or {}),
    }
    return render(
        request,
        "synergies/detail.html",
        {
            "synergy": synergy,
            "territory": synergy.territory,
            "participants": synergy.participants.select_related("establishment__commune", "consent_by"),
            "transitions": workflow.transition_options(synergy),
            "history": synergy_history(synergy),
            "actions": synergy.actions.select_related("owner"),
            "measurements": measurements,
            "latest_measurement": latest,
            "measured": measured,
            "measure_refusal": measurement_refusal(synergy),
            "this_year": timezone.localdate().year,
            "transition_form": TransitionForm(),
            "action_form": ActionForm(),
            "measurement_form": MeasurementForm(),
            "breakdown": breakdown,
            "flag_texts": [REGULATORY_FLAGS.get(f, f) for f in breakdown.get("regulatory_flags") or []],
        },
    )


def _team_synergy_or_404(request, pk) -> Synergy:
    synergy = get_visible_or_404(Synergy, request.user, pk=pk)
    if not is_team_of(request.user, synergy.territory_id):
        raise PermissionDenied
    return synergy


def _back(request, default):
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def synergy_transition(request, pk):
    synergy = _team_synergy_or_404(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form, _("This move could not be read.")))
        return redirect(synergy_detail_url(synergy))
    name = form.cleaned_data["transition"]
    try:
        workflow.apply_transition(
            synergy, name, by=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
    except TransitionNotAllowed:
        messages.error(request, _("This move is not allowed from the synergy's current status."))
    except SynergyError as error:  # a missing condition (the participants' consent) says which
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(label)s” is now: %(status)s.")
            % {"label": synergy.resource_label, "status": synergy.get_status_display()},
        )
    return _back(request, synergy_detail_url(synergy))


def synergy_detail_url(synergy) -> str:
    return reverse("synergy_detail", kwargs={"pk": synergy.pk})


@login_required
@require_POST
def synergy_action_add(request, pk):
    synergy = _team_synergy_or_404(request, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        try:
            add_action(synergy, by=request.user, **form.cleaned_data)
        except SynergyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Action added."))
    else:
        messages.error(request, form_errors_message(form))
    return redirect(synergy_detail_url(synergy) + "#actions")


@login_required
@require_POST
def synergy_action_done(request, pk):
    action = get_visible_or_404(SynergyAction, request.user, pk=pk)
    try:
        mark_action_done(action, by=request.user, done=request.POST.get("done") != "0")
    except SynergyError as error:
        messages.error(request, str(error))
    return redirect(synergy_detail_url(action.synergy) + "#actions")


@login_required
@require_POST
def synergy_measurement(request, pk):
    synergy = _team_synergy_or_404(request, pk)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        try:
            record_measurement(synergy, by=request.user, **values)
        except SynergyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Measured figures of %(year)s recorded.") % {"year": values["year"]})
    else:
        messages.error(
            request,
            form_errors_message(
                form,
                _("The measured figures are not valid: numbers of zero or more, and a year that has begun."),
            ),
        )
    return redirect(synergy_detail_url(synergy) + "#figures")


@login_required
@require_POST
def participant_consent(request, pk):
    participant = get_visible_or_404(SynergyParticipant, request.user, pk=pk)
    accepted = request.POST.get("answer") == "accept"
    try:
        record_consent(participant, by=request.user, accepted=accepted)
    except SynergyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Answer recorded: you accept to be introduced.")
            if accepted
            else _("Answer recorded: you decline."),
        )
    if is_team_of(request.user, participant.synergy.territory_id):
        return redirect(synergy_detail_url(participant.synergy) + "#participants")
    return redirect("contact_opportunities")
