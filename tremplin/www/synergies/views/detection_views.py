"""Detection from the interface: start a run, follow its progress, review its leads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.engine.knowledge import REGULATORY_FLAGS
from tremplin.establishments.models import Establishment
from tremplin.synergies.detection import accept_lead, dismiss_lead, start_detection
from tremplin.synergies.enums import LeadStatus
from tremplin.synergies.exceptions import SynergyError
from tremplin.synergies.models import DetectionRun, Dismissal, Lead
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.synergies.forms import DetectionForm, DismissForm

LEADS_PER_PAGE = 20


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
    names = dict(Establishment.objects.filter(pk__in=ids).values_list("pk", "name"))
    for lead in leads:
        data = lead.data
        lead.participant_rows = [
            {
                "name": names.get(int(p["company_id"]), "?"),
                "role": p["role"],
                "gain_eur": p["gain_eur"],
                "items": p["items"],
            }
            for p in data.get("participants", [])
        ]
        lead.flag_texts = [REGULATORY_FLAGS.get(flag, flag) for flag in data.get("regulatory_flags", [])]
    return leads


@login_required
def detection_run(request, pk):
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    show = request.GET.get("pistes", "pending")
    leads = run.leads.all() if show == "all" else run.leads.filter(status=LeadStatus.PENDING)
    page = Paginator(leads.order_by("rank"), LEADS_PER_PAGE).get_page(request.GET.get("page"))
    _leads_for_display(page.object_list)
    return render(
        request,
        "synergies/detection_run.html",
        {
            "run": run,
            "territory": run.territory,
            "page": page,
            "show": show,
            "pending_count": run.leads.filter(status=LeadStatus.PENDING).count(),
            "dismiss_form": DismissForm(),
        },
    )


@login_required
def detection_run_progress(request, pk):
    """The progress fragment the run page polls (HTMX) while the run is queued or running."""
    run = get_visible_or_404(DetectionRun, request.user, pk=pk)
    response = render(request, "synergies/_run_progress.html", {"run": run})
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"  # reload the whole page: the leads appear under the bar
    return response


def _back_to_run(request, lead):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("detection_run", pk=lead.run_id)


@login_required
@require_POST
def lead_accept(request, pk):
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    try:
        synergy = accept_lead(lead, by=request.user)
    except SynergyError as error:
        messages.error(request, str(error))
        return _back_to_run(request, lead)
    messages.success(
        request,
        _("The lead “%(label)s” is now in the pipeline, at status Detected.")
        % {"label": lead.resource_label},
    )
    response = _back_to_run(request, lead)
    response["X-Synergy-Id"] = str(synergy.pk)
    return response


@login_required
@require_POST
def lead_dismiss(request, pk):
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    form = DismissForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
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
    return _back_to_run(request, lead)
