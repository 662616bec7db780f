import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.coaching.exports.pdf import strategy_pdf
from tremplin.coaching.models import (
    BudgetKind,
    Deliverable,
    DeliverableKind,
    GovernanceBody,
    Perimeter,
    PerimeterMode,
    SwotCategory,
)
from tremplin.coaching.services import deliverables as services
from tremplin.coaching.services.errors import CoachingError
from tremplin.coaching.services.keyfigures import key_figures
from tremplin.coaching.services.objectives import objectives_progress
from tremplin.coaching.services.roles import is_editor_of, is_programme_team, is_team_of
from tremplin.flows.models import Flow
from tremplin.flows.totals import known_outputs_companies, known_outputs_tonnes
from tremplin.indicators.secrecy import withheld
from tremplin.programme.models import Participation
from tremplin.submissions.services import AlreadySubmitted, was_replayed
from tremplin.synergies.enums import LeadStatus
from tremplin.synergies.models import DetectionRun, Lead
from tremplin.territories.facts import territory_facts
from tremplin.www.access import get_visible_or_404
from tremplin.www.coaching.forms import CommentForm, PerimeterForm, TransitionForm, item_form
from tremplin.www.coaching.forms_strategy import ObjectiveValueForm, SwotPullForm
from tremplin.www.downloads import download
from tremplin.www.errors import form_errors_message

PULLABLE = 15  # leads and flows offered for the SWOT


@login_required
def coaching_participation(request, pk):
    participation = get_visible_or_404(Participation, request.user, pk=pk)
    return render(
        request,
        "coaching/participation.html",
        {
            "participation": participation,
            "deliverables": services.deliverables_of(participation),
            "support_days": list(participation.support_days.all()),
            "is_team": is_team_of(request.user, participation),
        },
    )


def _deliverable_context(request, deliverable, forms=None, perimeter_form=None):
    participation = deliverable.participation
    is_team = is_team_of(request.user, participation)
    editable = is_editor_of(request.user, participation) and not deliverable.is_locked
    item_types = services.item_types_of(deliverable.kind)
    sections = []
    for item_type in item_types:
        items = item_type.model.objects.of(participation)
        form = (forms or {}).get(item_type.slug) or item_form(item_type.slug, participation)
        sections.append({"type": item_type, "items": items, "form": form})
    context = {
        "participation": participation,
        "territory": participation.territory,
        "deliverable": deliverable,
        "sections": sections,
        "editable": editable,
        "is_team": is_team,
        "is_programme_team": is_programme_team(request.user),
        "transitions": services.available_transitions(deliverable, request.user),
        "history": deliverable.transitions.select_related("by"),
        "comments": deliverable.comments.select_related("author"),
        "comment_form": CommentForm(),
        "transition_form": TransitionForm(),
    }
    if deliverable.kind == DeliverableKind.W1_DIAGNOSIS:
        context["facts"] = territory_facts(participation.territory)
        tonnes = known_outputs_tonnes(participation.territory)
        context["known_outputs_tonnes"] = tonnes
        # The programme team reads the diagnosis too: one company's gisements stay with the territory.
        context["known_outputs_secret"] = not is_team and withheld(
            tonnes, known_outputs_companies(participation.territory)
        )
        context["key_figures"] = key_figures(participation.territory, for_team=is_team)
        if editable:
            # What the team may pull into the SWOT: the latest run's leads, the biggest known flows.
            run = (
                DetectionRun.objects.for_territory(participation.territory)
                .finished()
                .order_by("-finished_at", "-id")
                .first()
            )
            context["pullable_leads"] = list(
                Lead.objects.visible_to(request.user)
                .filter(run=run)
                .exclude(status=LeadStatus.DISMISSED)
                .order_by("rank")[:PULLABLE]
            )
            context["pullable_flows"] = list(
                Flow.objects.visible_to(request.user)
                .for_territory(participation.territory)
                .known()
                .order_by("-quantity_per_year", "pk")[:PULLABLE]
            )
            context["pull_form"] = SwotPullForm()
        swot = list(sections[0]["items"])
        context["swot"] = [
            (category, [item for item in swot if item.category == category]) for category in SwotCategory
        ]
    if deliverable.kind == DeliverableKind.W2_PERIMETER:
        perimeter = Perimeter.objects.filter(participation=participation).first()
        initial = {"mode": PerimeterMode.WHOLE_EPCI}
        if perimeter:
            initial = {
                "mode": perimeter.mode,
                "communes": list(perimeter.chosen_communes()),
                "zones_geojson": perimeter.zones_geojson,
                "rationale": perimeter.rationale,
            }
        context["perimeter"] = perimeter
        context["perimeter_form"] = perimeter_form or PerimeterForm(
            initial=initial, territory=participation.territory
        )
        context["zones_json"] = (
            json.loads(perimeter.zones_geojson) if perimeter and perimeter.zones_geojson else None
        )
    if deliverable.kind == DeliverableKind.W2_OBJECTIVES:
        today = timezone.localdate()
        context["progress"] = [
            (
                progress,
                list(progress.objective.values.all()),
                ObjectiveValueForm(prefix=f"value-{progress.objective.pk}", initial={"date": today}),
            )
            for progress in objectives_progress(participation, today)
        ]
        context["progress_date"] = today
    if deliverable.kind == DeliverableKind.W4_ECONOMIC_MODEL:
        lines = list(sections[0]["items"])
        context["budget_totals"] = [
            (kind.label, sum((line.amount for line in lines if line.kind == kind), start=Decimal(0)))
            for kind in BudgetKind
        ]
    if deliverable.kind == DeliverableKind.W2_GOVERNANCE:
        context["bodies"] = GovernanceBody.objects.of(participation).prefetch_related("members")
    return context


def _deliverable_of(request, participation_pk, kind):
    participation = get_visible_or_404(Participation, request.user, pk=participation_pk)
    if kind not in DeliverableKind.values:
        raise Http404
    return get_object_or_404(
        Deliverable.objects.select_related("participation__territory__epci", "participation__call"),
        participation=participation,
        kind=kind,
    )


@login_required
def coaching_deliverable(request, participation_pk, kind):
    deliverable = _deliverable_of(request, participation_pk, kind)
    return render(request, "coaching/deliverable.html", _deliverable_context(request, deliverable))


def _back(deliverable):
    return redirect(
        "coaching_deliverable", participation_pk=deliverable.participation_id, kind=deliverable.kind
    )


def _visible_deliverable(request, pk):
    return get_visible_or_404(Deliverable, request.user, pk=pk)


@require_POST
@login_required
def coaching_deliverable_item_add(request, pk, item_type):
    deliverable = _visible_deliverable(request, pk)
    kind = services.ITEM_TYPES.get(item_type)
    if kind is None or kind.deliverable != deliverable.kind:
        raise Http404
    form = item_form(item_type, deliverable.participation, request.POST)
    if not form.is_valid():
        context = _deliverable_context(request, deliverable, forms={item_type: form})
        return render(request, "coaching/deliverable.html", context, status=400)
    try:
        item = services.add_item(
            deliverable, form.save(commit=False), by=request.user, submission_key=form.submission_key
        )
    except (CoachingError, AlreadySubmitted) as error:
        messages.error(request, error.message)
    else:
        if was_replayed(item):
            messages.info(request, _("This form had already been sent: the line was recorded once."))
        else:
            messages.success(request, _("Saved."))
    return _back(deliverable)


@require_POST
@login_required
def coaching_deliverable_item_delete(request, pk, item_type, item_pk):
    deliverable = _visible_deliverable(request, pk)
    kind = services.ITEM_TYPES.get(item_type)
    if kind is None or kind.deliverable != deliverable.kind:
        raise Http404
    item = get_visible_or_404(kind.model, request.user, pk=item_pk, participation=deliverable.participation)
    try:
        services.remove_item(deliverable, item, by=request.user)
    except CoachingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deleted."))
    return _back(deliverable)


@require_POST
@login_required
def coaching_perimeter_save(request, pk):
    deliverable = _visible_deliverable(request, pk)
    if deliverable.kind != DeliverableKind.W2_PERIMETER:
        raise Http404
    form = PerimeterForm(request.POST, territory=deliverable.participation.territory)
    if form.is_valid():
        try:
            services.save_perimeter(
                deliverable,
                mode=form.cleaned_data["mode"],
                communes=form.cleaned_data["communes"],
                zones_geojson=form.cleaned_data["zones_geojson"],
                rationale=form.cleaned_data["rationale"],
                by=request.user,
            )
        except CoachingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Perimeter saved."))
            return _back(deliverable)
    context = _deliverable_context(request, deliverable, perimeter_form=form)
    return render(request, "coaching/deliverable.html", context, status=400)


@require_POST
@login_required
def coaching_deliverable_transition(request, pk):
    deliverable = _visible_deliverable(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            services.change_status(deliverable, action, by=request.user, comment=form.cleaned_data["comment"])
        except CoachingError as error:
            messages.error(request, error.message)
        else:
            deliverable.refresh_from_db()
            messages.success(
                request,
                _("Status of the deliverable: %(status)s.") % {"status": deliverable.get_status_display()},
            )
    else:
        messages.error(request, form_errors_message(form))
    return _back(deliverable)


@require_POST
@login_required
def coaching_deliverable_comment(request, pk):
    deliverable = _visible_deliverable(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_on(
                deliverable, form.cleaned_data["text"], by=request.user, submission_key=form.submission_key
            )
        except (CoachingError, AlreadySubmitted) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Comment added."))
    else:
        messages.error(request, form_errors_message(form))
    return _back(deliverable)


@login_required
@download
def coaching_strategy_pdf(request, pk):
    participation = get_visible_or_404(Participation, request.user, pk=pk)
    pdf = strategy_pdf(participation, for_team=is_team_of(request.user, participation))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"strategie-eit-{slugify(participation.territory.name)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
