"""Detection from the interface: start a run, follow its progress, review its leads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tremplin.engine.knowledge import REGULATORY_FLAGS
from tremplin.establishments.models import Establishment
from tremplin.geo.models import Commune
from tremplin.synergies.detection import accept_lead, dismiss_lead, start_detection
from tremplin.synergies.enums import LeadStatus
from tremplin.synergies.exceptions import SynergyError
from tremplin.synergies.leads import dismiss_leads, filter_leads
from tremplin.synergies.models import DetectionRun, Dismissal, Lead
from tremplin.synergies.runs import mark_run_failed, restart_detection
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.errors import form_errors_message
from tremplin.www.synergies.forms import BulkDismissForm, DetectionForm, DismissForm, LeadFilterForm

LEADS_PER_PAGE = 20
#: The progress fragment is polled less and less often while a run lasts (seconds; the last one stays).
POLL_MAX_DELAY_S = 30


def poll_delay_s(polls: int) -> int:
    """Seconds before the next poll after ``polls`` polls: 1, 2, 2, 3, 5, 8, 11, 17, 26, then 30."""
    return min(POLL_MAX_DELAY_S, max(1, round(1.5 ** min(polls, 20))))


@login_required
def detection_home(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = DetectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = start_detection(
                territory,
                mode=form.cleaned_data["mode"],
                objective=form.cleaned_data["objective"],
                by=request.user,
            )
        except SynergyError as error:
            messages.error(request, str(error))
        else:
            return redirect("detection_run", pk=run.pk)
    runs = DetectionRun.objects.visible_to(request.user).for_territory(territory)[:20]
    dismissals = Dismissal.objects.visible_to(request.user).for_territory(territory).select_related("by")[:50]
    return render(
        request,
        "synergies/detection_home.html",
        {"territory": territory, "form": form, "runs": runs, "dismissals": dismissals},
    )


def _leads_for_display(leads):
    ids = {pk for lead in leads for pk in lead.establishment_ids}
    places = {
        pk: (name, commune)
        for pk, name, commune in Establishment.objects.filter(pk__in=ids).values_list(
            "pk", "name", "commune__name"
        )
    }
    for lead in leads:
        data = lead.data
        lead.participant_rows = [
            {
                "name": places.get(int(p["company_id"]), ("?", ""))[0],
                "commune": places.get(int(p["company_id"]), ("?", ""))[1],
                "role": p["role"],
                "gain_eur": p["gain_eur"],
                "items": p["items"],
            }
            for p in data.get("participants", [])
        ]
        lead.flag_texts = [REGULATORY_FLAGS.get(flag, flag) for flag in data.get("regulatory_flags", [])]
    return leads


def _lead_filter_form(run, data):
    resources = list(
        run.leads.order_by("resource_label").values_list("resource", "resource_label").distinct()
    )
    communes = list(
        Commune.objects.filter(
            establishments__in=Establishment.objects.filter(
                pk__in=Lead.establishments.through.objects.filter(lead__run=run).values("establishment_id")
            )
        )
        .order_by("name")
        .values_list("insee_code", "name")
        .distinct()
    )
    return LeadFilterForm(data, resources=dict(resources).items(), communes=communes)


@login_required
def detection_run(request, pk):
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    form = _lead_filter_form(run, request.GET or None)
    filters = form.filters()
    leads = filter_leads(run.leads.all(), filters)
    page = Paginator(leads.order_by("rank"), LEADS_PER_PAGE).get_page(request.GET.get("page"))
    _leads_for_display(page.object_list)
    return render(
        request,
        "synergies/detection_run.html",
        {
            "run": run,
            "territory": run.territory,
            "page": page,
            "show": "all" if not filters.status else "pending",
            "filter_form": form,
            "filters": filters,
            "pending_count": run.leads.filter(status=LeadStatus.PENDING).count(),
            "dismiss_form": DismissForm(),
            "bulk_form": BulkDismissForm(),
            "poll_delay": poll_delay_s(0),
            "next_poll": 1,
        },
    )


@login_required
def detection_run_progress(request, pk):
    """The progress fragment the run page polls (HTMX) while the run is queued or running, less and less
    often (``?n=`` counts the polls); the polling stops once the run is over or lost."""
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    try:
        polls = max(0, min(int(request.GET.get("n", "0")), 1000))
    except ValueError:
        polls = 0
    response = render(
        request,
        "synergies/_run_progress.html",
        {"run": run, "poll_delay": poll_delay_s(polls), "next_poll": polls + 1},
    )
    if (run.is_finished or run.lost) and request.htmx:
        response["HX-Refresh"] = "true"  # reload the whole page: the leads, or what to do, appear
    return response


@login_required
@require_POST
def detection_run_fail(request, pk):
    """The team marks a run that stopped giving news as failed."""
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    try:
        mark_run_failed(run, by=request.user)
    except SynergyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The run is marked as failed: a new run can start."))
    return redirect("detection_run", pk=run.pk)


@login_required
@require_POST
def detection_run_restart(request, pk):
    """The team runs a failed (or lost) run again, with the same settings."""
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    try:
        again = restart_detection(run, by=request.user)
    except SynergyError as error:
        messages.error(request, str(error))
        return redirect("detection_run", pk=run.pk)
    messages.success(request, _("The detection runs again with the same settings."))
    return redirect("detection_run", pk=again.pk)


@login_required
@require_POST
def leads_dismiss(request, pk):
    """Dismiss several leads of a run with one reason: those ticked, or every lead the filters show."""
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    form = BulkDismissForm(request.POST)
    back = _back_to_run(request, run.pk)
    if not form.is_valid():
        messages.error(request, form_errors_message(form, _("Say why these leads are dismissed.")))
        return back
    if form.cleaned_data["scope"] == "filtered":
        filter_form = _lead_filter_form(run, request.POST)
        if not filter_form.is_valid():  # never widen a bulk dismissal to leads nobody saw
            messages.error(request, _("The filters could not be read: no lead was dismissed."))
            return back
        leads = filter_leads(run.leads.all(), filter_form.filters()).filter(status=LeadStatus.PENDING)
        ids = list(leads.values_list("pk", flat=True))
    else:
        ids = form.selected_ids()
    try:
        count = dismiss_leads(run, ids, by=request.user, reason=form.cleaned_data["reason"])
    except SynergyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s lead dismissed; later runs will leave it out.",
                "%(n)s leads dismissed; later runs will leave them out.",
                count,
            )
            % {"n": count},
        )
    return back


def _back_to_run(request, run_pk):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return redirect(target)
    return redirect("detection_run", pk=run_pk)


@login_required
@require_POST
def lead_accept(request, pk):
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    try:
        synergy = accept_lead(lead, by=request.user)
    except SynergyError as error:
        messages.error(request, str(error))
        return _back_to_run(request, lead.run_id)
    messages.success(
        request,
        _("The lead “%(label)s” is now in the pipeline, at status Detected.")
        % {"label": lead.resource_label},
    )
    response = _back_to_run(request, lead.run_id)
    response["X-Synergy-Id"] = str(synergy.pk)
    return response


@login_required
@require_POST
def lead_dismiss(request, pk):
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    form = DismissForm(request.POST)
    if not form.is_valid():  # a reason typed and refused is not dropped silently
        messages.error(request, form_errors_message(form))
        return _back_to_run(request, lead.run_id)
    reason = form.cleaned_data["reason"]
    try:
        dismiss_lead(lead, by=request.user, reason=reason)
    except SynergyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The lead “%(label)s” is dismissed; later runs will leave it out.")
            % {"label": lead.resource_label},
        )
    return _back_to_run(request, lead.run_id)
