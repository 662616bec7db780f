from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tremplin.establishments.models import Establishment
from tremplin.flows import catalogue
from tremplin.flows.estimates import estimated_flows
from tremplin.flows.models import Flow
from tremplin.flows.services import FlowConflict, FlowError, declare_flow, delete_flow, update_flow
from tremplin.submissions.services import AlreadySubmitted, was_replayed
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404
from tremplin.www.conflicts import conflict_for
from tremplin.www.flows.forms import SUGGESTED_UNITS, FlowForm
from tremplin.www.search_terms import search_term

PAGE_SIZE = 50
FORM_FIELDS = (
    "direction",
    "resource",
    "quantity",
    "unit",
    "frequency",
    "quality_notes",
    "current_route",
    "current_cost_eur_per_year",
    "confidential",
)


def next_url(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def estimate_initial(establishment, key: str) -> dict:
    """Form values pre-filled from one estimated flow (``"out:resource_code"``), computed again here
    rather than trusted from the URL."""
    direction, _sep, resource = key.partition(":")
    for estimate in estimated_flows(establishment):
        if (estimate.direction, estimate.resource) == (direction, resource):
            return {
                "direction": direction,
                "resource": resource,
                "quantity": round(estimate.quantity_per_year, 3),
                "unit": estimate.unit,
                "frequency": "year",
            }
    return {}


def replayed_message(flow) -> str:
    return _(
        "This form had already been sent: the flow %(flow)s was recorded once. To declare another flow, "
        "open a new form."
    ) % {"flow": flow.resource_label}


def form_values(flow) -> dict:
    """A flow's values as the form shows and cleans them."""
    return {name: getattr(flow, name) for name in FORM_FIELDS}


def save_flow(request, form, operation, **kwargs):
    """Run ``operation`` with the form's values (and its one-time key or version); ``None`` and the
    form keeps its errors if it fails. After a conflict, ``form.conflict`` says what differs."""
    form.conflict = None
    if not form.is_valid():
        return None
    try:
        return operation(
            by=request.user,
            **kwargs,
            **form.operation_arguments(),
            **{name: form.cleaned_data[name] for name in FORM_FIELDS},
        )
    except FlowConflict as error:
        form.conflict = conflict_for(form, error.current, form_values(error.current))
        form.add_error(None, error.message)
        form.rebase(error.current.version)
        return None
    except AlreadySubmitted as error:
        form.add_error(None, error.message)
        return None
    except FlowError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


@login_required
def flow_create(request, establishment_pk):
    establishment = get_visible_or_404(Establishment, request.user, pk=establishment_pk)
    done = next_url(request, reverse("establishment_detail", kwargs={"pk": establishment.pk}))
    initial = {"confidential": True, "frequency": "year"}
    if request.GET.get("from_estimate"):
        initial |= estimate_initial(establishment, request.GET["from_estimate"])
    elif request.GET.get("direction") in ("in", "out"):
        initial["direction"] = request.GET["direction"]
    form = FlowForm(request.POST or None, initial=initial)
    if request.method == "POST":
        flow = save_flow(request, form, declare_flow, establishment=establishment)
        if flow is not None:
            if was_replayed(flow):
                messages.info(request, replayed_message(flow))
            else:
                messages.success(request, _("Flow recorded: %(flow)s.") % {"flow": flow.resource_label})
            return redirect(done)
    return render(
        request,
        "flows/flow_form.html",
        {
            "establishment": establishment,
            "form": form,
            "flow": None,
            "next": done,
            "suggested_units": SUGGESTED_UNITS,
        },
    )


@login_required
def flow_update(request, pk):
    flow = get_visible_or_404(Flow, request.user, pk=pk)
    establishment = flow.establishment
    done = next_url(request, reverse("establishment_detail", kwargs={"pk": establishment.pk}))
    form = FlowForm(request.POST or None, initial=form_values(flow), version=flow.version)
    if request.method == "POST":
        updated = save_flow(request, form, update_flow, flow=flow)
        if updated is not None:
            messages.success(request, _("Flow updated: %(flow)s.") % {"flow": updated.resource_label})
            return redirect(done)
    return render(
        request,
        "flows/flow_form.html",
        {
            "establishment": establishment,
            "form": form,
            "flow": flow,
            "next": done,
            "suggested_units": SUGGESTED_UNITS,
            "conflict": getattr(form, "conflict", None),
        },
        status=409 if getattr(form, "conflict", None) else 200,
    )


@login_required
def flow_delete(request, pk):
    flow = get_visible_or_404(Flow, request.user, pk=pk)
    establishment = flow.establishment
    done = next_url(request, reverse("establishment_detail", kwargs={"pk": establishment.pk}))
    changed = False
    if request.method == "POST":
        # The confirmation is of the flow as the page showed it: a page without its version (or showing
        # an older one) is asked again with the flow as it is now.
        version = request.POST.get("version", "")
        try:
            delete_flow(flow, by=request.user, expected_version=int(version) if version.isdigit() else 0)
        except FlowConflict as error:
            flow, changed = error.current, True
        else:
            messages.success(request, _("Flow deleted: %(flow)s.") % {"flow": flow.resource_label})
            return redirect(done)
    return render(
        request,
        "flows/flow_confirm_delete.html",
        {"establishment": establishment, "flow": flow, "next": done, "changed": changed},
        status=409 if changed else 200,
    )


@login_required
def territory_flows(request, territory_pk):
    """The known flows of a territory, for its team."""
    territory = Territory.objects.workspace_of(request.user).filter(pk=territory_pk).first()
    if territory is None:
        raise Http404
    flows = Flow.objects.visible_to(request.user).for_territory(territory).select_related("establishment")
    direction = request.GET.get("direction")
    if direction in ("in", "out"):
        flows = flows.filter(direction=direction)
    flows = flows.order_by("establishment__name", "-direction", "resource", "pk")
    page = Paginator(flows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "flows/territory_flows.html", {"territory": territory, "page": page, "direction": direction}
    )


@login_required
@require_GET
def resource_search(request):
    """Search-as-you-type in the resource catalogue (an HTMX fragment)."""
    query = search_term(request.GET.get("q"))
    results = catalogue.search_resources(query)
    return render(
        request,
        "flows/_resource_results.html",
        {"query": query.strip(), "results": results, "picker": request.GET.get("picker", "")[:40]},
    )
