"""Accounts: sign-up confirmation, who joins a territory's team, and the territory's journal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.accounts.access_requests import (
    AccessRequestError,
    accept_access_request,
    refuse_access_request,
    team_decides,
)
from tremplin.accounts.models import (
    AccessRequest,
    AccessRequestStatus,
    Invitation,
    MemberAccess,
    Membership,
    Role,
)
from tremplin.accounts.scoping import scope_for
from tremplin.accounts.services import RoleGrantNotAllowed, revoke_membership
from tremplin.accounts.signup import (
    ConfirmationLinkError,
    account_for_token,
    confirm_account,
    resend_confirmation,
)
from tremplin.audit.display import describe_entries
from tremplin.audit.models import AuditEntry
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.accounts.forms import (
    DecisionForm,
    RemovalForm,
    ResendConfirmationForm,
    TerritoryInvitationForm,
)
from tremplin.www.errors import form_errors_message


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return ""
    return next_url


# Sign-up confirmation -------------------------------------------------------------------------------


def signup_sent(request):
    """After sign-up: look for the link; send it again if it did not come."""
    form = ResendConfirmationForm(request.POST or None)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        resend_confirmation(
            form.cleaned_data["email"], link_for=request.build_absolute_uri, next_url=next_url
        )
        messages.info(
            request,
            _(
                "If this address awaits confirmation, a new link is on its way (one every two minutes "
                "at most). Look in your spam folder too."
            ),
        )
        return redirect(request.get_full_path())
    return render(
        request,
        "accounts/signup_sent.html",
        {"form": form, "next": next_url, "confirmation_hours": settings.ACCOUNT_CONFIRMATION_HOURS},
    )


def account_confirm(request, token):
    """The link of the confirmation e-mail: choose a password, which activates the account."""
    next_url = _next_url(request)
    try:
        user = account_for_token(token)
    except ConfirmationLinkError as error:
        return render(
            request,
            "accounts/confirm_invalid.html",
            {"message": error.message, "form": ResendConfirmationForm(), "next": next_url},
            status=400,
        )
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = confirm_account(token, password=form.cleaned_data["new_password1"])
        except ConfirmationLinkError as error:
            messages.error(request, error.message)
            return redirect("login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your address is confirmed and your account is ready."))
        return redirect(next_url or "programme_call_list")
    return render(request, "accounts/confirm.html", {"form": form, "person": user, "next": next_url})


# Who joins a territory's team -----------------------------------------------------------------------


def _requests_context(requests):
    rows = []
    for access_request in requests:
        rows.append(
            {
                "request": access_request,
                "team_decides": team_decides(access_request.territory, excluding=access_request.user),
                "form": DecisionForm(prefix=f"r{access_request.pk}"),
            }
        )
    return rows


def _request_queryset(user):
    return AccessRequest.objects.visible_to(user).select_related(
        "user", "territory__epci", "application__call", "decided_by"
    )


@login_required
def access_requests(request):
    """The programme team's list: requests to join any territory's team."""
    if not scope_for(request.user).is_programme_team:
        raise PermissionDenied
    requests = _request_queryset(request.user)
    pending = _requests_context(requests.pending().order_by("territory__epci__name", "requested_at"))
    return render(
        request,
        "accounts/access_requests.html",
        {
            "without_team": [row for row in pending if not row["team_decides"]],
            "with_team": [row for row in pending if row["team_decides"]],
            "decided": requests.exclude(status=AccessRequestStatus.PENDING).order_by("-decided_at")[:30],
        },
    )


def _after_decision(request, access_request):
    if access_request.territory_id in scope_for(request.user).team_territory_ids:
        return redirect("territory_team", territory_pk=access_request.territory_id)
    return redirect("access_requests")


def _decide(request, pk, operation, success):
    access_request = get_visible_or_404(AccessRequest, request.user, pk=pk)
    form = DecisionForm(request.POST, prefix=f"r{access_request.pk}")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        kwargs = {"link_for": request.build_absolute_uri} if operation is accept_access_request else {}
        operation(access_request, by=request.user, note=note, **kwargs)
    except (AccessRequestError, RoleGrantNotAllowed) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        messages.success(
            request, success % {"person": access_request.user, "territory": access_request.territory}
        )
    return _after_decision(request, access_request)


@login_required
@require_POST
def access_request_accept(request, pk):
    return _decide(request, pk, accept_access_request, _("%(person)s joins the team of %(territory)s."))


@login_required
@require_POST
def access_request_refuse(request, pk):
    return _decide(
        request, pk, refuse_access_request, _("The request of %(person)s to join %(territory)s is refused.")
    )


@login_required
def territory_team(request, territory_pk):
    """The territory's team, the requests to join it, and who decided what."""
    territory = team_territory_or_404(request.user, territory_pk)
    members = (
        Membership.objects.filter(role=Role.TERRITORY_TEAM, territory=territory)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    requests = _request_queryset(request.user).filter(territory=territory)
    can_edit = scope_for(request.user).may_edit_territory(territory.pk)
    grants = (
        AuditEntry.objects.visible_to(request.user)
        .filter(territory=territory)
        .filter(
            Q(action__startswith="role.")
            | Q(action__startswith="people.invitation.")
            | Q(action__startswith="access.")
        )
        .select_related("actor", "target_type")[:50]
    )
    return render(
        request,
        "accounts/territory_team.html",
        {
            "territory": territory,
            "members": members,
            "can_edit": can_edit,
            "invitations": Invitation.objects.pending().filter(role=Role.TERRITORY_TEAM, territory=territory),
            "invitation_form": TerritoryInvitationForm(),
            "access_choices": MemberAccess.choices,
            "grants": describe_entries(grants),
            "pending": _requests_context(requests.pending().order_by("requested_at")),
            "decided": requests.exclude(status=AccessRequestStatus.PENDING).order_by("-decided_at")[:20],
        },
    )


@login_required
@require_POST
def team_member_remove(request, pk):
    scope = scope_for(request.user)
    members = Membership.objects.filter(role=Role.TERRITORY_TEAM).select_related("user", "territory")
    if not scope.is_programme_team:
        members = members.filter(territory_id__in=scope.team_territory_ids)
    membership = members.filter(pk=pk).first()
    if membership is None:
        raise Http404
    territory = membership.territory
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself from the team: ask a colleague."))
    else:
        form = RemovalForm(request.POST)
        if not form.is_valid():  # a reason typed and refused is not dropped silently
            messages.error(request, form_errors_message(form))
        else:
            try:
                revoke_membership(membership, by=request.user, reason=form.cleaned_data["reason"])
            except RoleGrantNotAllowed as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("%(person)s no longer belongs to the team of %(territory)s; their sessions are ended.")
                    % {"person": membership.user, "territory": territory},
                )
    if territory.pk in scope.team_territory_ids:
        return redirect("territory_team", territory_pk=territory.pk)
    return redirect("access_requests")


# The territory's journal ----------------------------------------------------------------------------


@login_required
def territory_journal(request, territory_pk):
    """Every audited action about the territory's data, in plain French, most recent first."""
    territory = team_territory_or_404(request.user, territory_pk)
    entries = (
        AuditEntry.objects.visible_to(request.user)
        .filter(territory=territory)
        .select_related("actor", "target_type")
    )
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/territory_journal.html",
        {"territory": territory, "page": page, "entries": describe_entries(page.object_list)},
    )
