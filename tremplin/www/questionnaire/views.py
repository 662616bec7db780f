"""The company questionnaire: the officer's invitations, the contact's link and its guided steps."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.accounts.scoping import scope_for
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment
from tremplin.flows.estimates import estimated_flows
from tremplin.flows.models import Direction, Flow
from tremplin.flows.services import declare_flow
from tremplin.questionnaire.models import Invitation, token_digest
from tremplin.questionnaire.services import (
    InvitationError,
    invite_contact,
    open_invitation,
    renew_invitation,
    revoke_invitation,
    submit_questionnaire,
)
from tremplin.www.access import get_visible_or_404, team_establishment_or_404
from tremplin.www.flows.forms import SUGGESTED_UNITS, FlowForm
from tremplin.www.flows.views import save_flow
from tremplin.www.questionnaire.forms import InvitationForm

#: Where the synergies feature shows a contact the opportunities that concern its establishment. It is
#: rendered on the contact's home only once that template exists.
CONTACT_OPPORTUNITIES_TEMPLATE = "synergies/_contact_opportunities.html"

STEPS = {
    "outputs": {"direction": Direction.OUT, "url": "questionnaire_outputs", "number": 1},
    "inputs": {"direction": Direction.IN, "url": "questionnaire_inputs", "number": 2},
}


def _link_for(request):
    return lambda token: request.build_absolute_uri(reverse("questionnaire_open", kwargs={"token": token}))


# --- The territory team ------------------------------------------------------------------------------


@login_required
def invitation_create(request, establishment_pk):
    establishment = team_establishment_or_404(request.user, establishment_pk)
    form = InvitationForm(request.POST or None, days=settings.QUESTIONNAIRE_INVITATION_DAYS)
    if request.method == "POST" and form.is_valid():
        invitation = invite_contact(
            establishment, email=form.cleaned_data["email"], by=request.user, link_for=_link_for(request)
        )
        messages.success(
            request,
            _("Invitation sent to %(email)s; the link is valid until %(date)s.")
            % {"email": invitation.email, "date": invitation.expires_at.strftime("%d/%m/%Y")},
        )
        return redirect("establishment_detail", pk=establishment.pk)
    return render(request, "questionnaire/invite.html", {"establishment": establishment, "form": form})


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_visible_or_404(Invitation, request.user, pk=pk)
    revoke_invitation(invitation, by=request.user)
    messages.success(request, _("The link sent to %(email)s no longer works.") % {"email": invitation.email})
    return redirect("establishment_detail", pk=invitation.establishment_id)


# --- The company contact -----------------------------------------------------------------------------


def questionnaire_open(request, token):
    """Open a link from an invitation e-mail (GET), or ask for a new one when it has expired (POST)."""
    try:
        if request.method == "POST":
            invitation = renew_invitation(token, link_for=_link_for(request))
            if invitation.token_hash == token_digest(token):
                return redirect(request.path)  # still valid: nothing to renew
            return render(request, "questionnaire/link_renewed.html", {"invitation": invitation})
        opened = open_invitation(token)
    except InvitationError as error:
        status = 404 if error.reason == "unknown" else 410
        return render(
            request,
            "questionnaire/link_invalid.html",
            {"reason": error.reason, "token": token},
            status=status,
        )
    establishment = opened.invitation.establishment
    if not opened.may_sign_in:
        if request.user.is_authenticated and request.user.pk == opened.user.pk:
            return redirect("questionnaire_home", establishment_pk=establishment.pk)
        return render(
            request, "questionnaire/password_required.html", {"establishment": establishment}, status=403
        )
    if request.user.pk != opened.user.pk:
        login(request, opened.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("questionnaire_home", establishment_pk=establishment.pk)


@login_required
def questionnaire_mine(request):
    """The questionnaire of the contact's establishment (or the list when it has several)."""
    ids = sorted(scope_for(request.user).contact_establishment_ids)
    if len(ids) == 1:
        return redirect("questionnaire_home", establishment_pk=ids[0])
    establishments = Establishment.objects.filter(pk__in=ids)
    return render(request, "questionnaire/mine.html", {"establishments": establishments})


def _opportunities_template():
    try:
        get_template(CONTACT_OPPORTUNITIES_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return CONTACT_OPPORTUNITIES_TEMPLATE


def _last_submission(establishment):
    return AuditEntry.objects.filter(action="questionnaire.submitted").about(establishment).only("at").first()


@login_required
def questionnaire_home(request, establishment_pk):
    establishment = get_visible_or_404(Establishment, request.user, pk=establishment_pk)
    flows = Flow.objects.visible_to(request.user).for_establishment(establishment).known()
    return render(
        request,
        "questionnaire/home.html",
        {
            "establishment": establishment,
            "output_count": flows.outputs().count(),
            "input_count": flows.inputs().count(),
            "last_submission": _last_submission(establishment),
            "opportunities_template": _opportunities_template(),
        },
    )


@login_required
def questionnaire_outputs(request, establishment_pk):
    """Step 1: what the establishment produces or discards (gisements)."""
    return _step(request, establishment_pk, "outputs")


@login_required
def questionnaire_inputs(request, establishment_pk):
    """Step 2: what the establishment buys or needs (besoins)."""
    return _step(request, establishment_pk, "inputs")


def _step(request, establishment_pk, step):
    establishment = get_visible_or_404(Establishment, request.user, pk=establishment_pk)
    config = STEPS[step]
    direction = config["direction"]
    here = reverse(config["url"], kwargs={"establishment_pk": establishment.pk})
    flows = list(
        Flow.objects.visible_to(request.user).for_establishment(establishment).filter(direction=direction)
    )
    declared_keys = {(flow.direction, flow.resource) for flow in flows}
    suggestions = [
        e for e in estimated_flows(establishment, replaced_by=declared_keys) if e.direction == direction
    ]
    initial = {"frequency": "year", "confidential": True}
    suggestion = request.GET.get("suggestion")
    if suggestion:
        match = next((e for e in suggestions if e.resource == suggestion), None)
        if match is not None:
            initial |= {"resource": match.resource, "unit": match.unit}
    form = FlowForm(request.POST or None, initial=initial, direction=direction)
    if request.method == "POST":
        flow = save_flow(request, form, declare_flow, establishment=establishment)
        if flow is not None:
            messages.success(request, _("Recorded: %(flow)s.") % {"flow": flow.resource_label})
            return redirect(here)
    return render(
        request,
        "questionnaire/step.html",
        {
            "establishment": establishment,
            "step": step,
            "step_number": config["number"],
            "direction": direction,
            "flows": flows,
            "suggestions": suggestions,
            "form": form,
            "here": here,
            "suggested_units": SUGGESTED_UNITS,
        },
    )


@login_required
def questionnaire_review(request, establishment_pk):
    establishment = get_visible_or_404(Establishment, request.user, pk=establishment_pk)
    if request.method == "POST":
        submit_questionnaire(
            establishment,
            by=request.user,
            establishment_url=request.build_absolute_uri(
                reverse("establishment_detail", kwargs={"pk": establishment.pk})
            ),
        )
        messages.success(
            request,
            _(
                "Thank you: your answers have been sent to your territory's team. "
                "You may come back at any time."
            ),
        )
        return redirect("questionnaire_home", establishment_pk=establishment.pk)
    flows = Flow.objects.visible_to(request.user).for_establishment(establishment).known()
    return render(
        request,
        "questionnaire/review.html",
        {
            "establishment": establishment,
            "outputs": list(flows.outputs()),
            "inputs": list(flows.inputs()),
            "last_submission": _last_submission(establishment),
        },
    )
