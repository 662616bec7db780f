"""The company questionnaire: the officer's invitations, the contact's link and its guided steps."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.accounts.scoping import scope_for
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment
from tremplin.flows.estimates import estimated_flows
from tremplin.flows.models import Direction, Flow
from tremplin.flows.services import declare_flow
from tremplin.questionnaire.models import Invitation
from tremplin.questionnaire.services import (
    InvitationError,
    check_link,
    invite_contact,
    open_invitation,
    request_new_link,
    revoke_invitation,
    submit_questionnaire,
)
from tremplin.www.access import get_visible_or_404, team_establishment_or_404
from tremplin.www.flows.forms import SUGGESTED_UNITS, FlowForm
from tremplin.www.flows.views import save_flow
from tremplin.www.questionnaire.forms import InvitationForm
from tremplin.www.questionnaire.throttle import check_link_lookup

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
        try:
            invited = invite_contact(
                establishment, email=form.cleaned_data["email"], by=request.user, link_for=_link_for(request)
            )
        except OSError:  # the mail server refused or is out of reach; the link is recorded as not sent
            messages.error(
                request,
                _("The invitation e-mail could not be sent. Try again in a moment."),
            )
            return redirect("establishment_detail", pk=establishment.pk)
        invitation = invited.invitation
        if invited.created:
            messages.success(
                request,
                _("Invitation sent to %(email)s; the link is valid until %(date)s.")
                % {"email": invitation.email, "date": _date(invitation.expires_at)},
            )
        else:
            messages.info(
                request,
                _(
                    "An invitation was sent to %(email)s a moment ago and has not been opened yet: "
                    "no second e-mail was sent."
                )
                % {"email": invitation.email},
            )
        return redirect("establishment_detail", pk=establishment.pk)
    return render(request, "questionnaire/invite.html", {"establishment": establishment, "form": form})


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_visible_or_404(Invitation, request.user, pk=pk)
    revoke_invitation(invitation, by=request.user)
    messages.success(
        request,
        _("The link sent to %(email)s no longer works, and the access it gave has ended.")
        % {"email": invitation.email},
    )
    return redirect("establishment_detail", pk=invitation.establishment_id)


# --- The company contact's link ----------------------------------------------------------------------


def _date(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def mask_email(email: str) -> str:
    """``hse@fonderie.example`` → ``h…@fonderie.example``: enough for its owner to recognise it."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}…@{domain}"


def _link_page(request, template, invitation, status=200, **context):
    return render(
        request,
        f"questionnaire/{template}",
        {
            "invitation": invitation,
            "establishment": invitation.establishment if invitation else None,
            "masked_email": mask_email(invitation.email) if invitation else "",
            **context,
        },
        status=status,
    )


def _invalid(request, error: InvitationError):
    if error.reason == "password_required":
        return _link_page(request, "password_required.html", error.invitation, status=403)
    if error.reason == "used":
        return _link_page(request, "link_used.html", error.invitation, status=410)
    status = 404 if error.reason == "unknown" else 410
    return _link_page(request, "link_invalid.html", error.invitation, status=status, reason=error.reason)


def _signed_in_as(request) -> str:
    return str(request.user.pk) if request.user.is_authenticated else ""


def questionnaire_open(request, token):
    """A link from an invitation e-mail.

    GET only reads: e-mail scanners that fetch every link must not use it up. It shows what pressing the
    button will do: open the questionnaire (signing in once), or, when someone else is signed in on this
    browser, ask first. POST ``open`` uses the link; POST ``renew`` asks for a fresh one.
    """
    throttled = check_link_lookup(request, token)
    if throttled is not None:
        response = render(
            request,
            "questionnaire/too_many_requests.html",
            {"minutes": math.ceil(throttled.retry_after / 60)},
            status=429,
        )
        response["Retry-After"] = str(throttled.retry_after)
        return response
    try:
        if request.method == "POST":
            return _use_link(request, token)
        invitation = check_link(token, by=request.user)
    except InvitationError as error:
        return _invalid(request, error)
    user = request.user
    if invitation.used_at is not None:
        if user.is_authenticated and user.pk == invitation.user_id:
            return redirect("questionnaire_home", establishment_pk=invitation.establishment_id)
        return _link_page(request, "link_used.html", invitation, status=410)
    same_person = user.is_authenticated and user.email.lower() == invitation.email.lower()
    return _link_page(
        request,
        "link_open.html",
        invitation,
        someone_else=user.is_authenticated and not same_person,
        signed_in_as=_signed_in_as(request),
    )


def _use_link(request, token):
    if request.POST.get("action") == "renew":
        invited = request_new_link(token, link_for=_link_for(request))
        if not invited.created:
            return redirect(request.path)  # still valid and never opened: nothing to renew
        return _link_page(request, "link_renewed.html", invited.invitation)
    if request.POST.get("signed_in_as", "") != _signed_in_as(request):
        # The page was shown to someone else than who is signed in now (another tab): ask again.
        return redirect(request.path)
    opened = open_invitation(token, by=request.user)
    if opened.sign_in:
        # ``login`` starts a new session: whoever was signed in on this browser is signed out.
        login(request, opened.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("questionnaire_home", establishment_pk=opened.invitation.establishment_id)


@login_required
def questionnaire_password(request):
    """A contact who came through a link chooses a password, to come back without one. (Other people
    manage their password through the accounts pages.)"""
    user = request.user
    if not scope_for(user).contact_establishment_ids:
        raise PermissionDenied
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(
            request,
            _("Your password is set: next time, sign in with %(email)s and this password.")
            % {"email": user.email},
        )
        return redirect("questionnaire_mine")
    return render(request, "questionnaire/password.html", {"form": form})


# --- The company contact's questionnaire -------------------------------------------------------------


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
            # The link signed in once: without a password, coming back needs a fresh link.
            "needs_password": not request.user.has_usable_password(),
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
