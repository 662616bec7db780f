"""People and roles: invitations by e-mail, who holds which role, removals, access levels."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.accounts.invitations import (
    InvitationError,
    accept_invitation,
    account_for,
    invitation_for_token,
    invite_committee_member,
    invite_programme_colleague,
    invite_territory_colleague,
    may_manage_invitation,
    remove_committee_seat,
    revoke_invitation,
)
from tremplin.accounts.models import Invitation, Membership, Role, User
from tremplin.accounts.scoping import scope_for
from tremplin.accounts.services import RoleGrantNotAllowed, may_grant, revoke_membership, set_member_access
from tremplin.programme.models import Call, CommitteeSeat
from tremplin.www.access import team_territory_or_404
from tremplin.www.accounts.forms import (
    AccessForm,
    CommitteeInvitationForm,
    ProgrammeInvitationForm,
    TerritoryInvitationForm,
)
from tremplin.www.errors import form_errors_message


def _programme_team_only(request):
    if not scope_for(request.user).is_programme_team:
        raise PermissionDenied


def _calls_run_by(user):
    scope = scope_for(user)
    calls = Call.objects.select_related("region")
    if not scope.programme_all_regions:
        calls = calls.filter(region_id__in=scope.programme_region_ids)
    return calls


# Accepting an invitation --------------------------------------------------------------------------------


def _destination(invitation) -> str:
    if invitation.role == Role.TERRITORY_TEAM:
        return reverse("territory_detail", kwargs={"pk": invitation.territory_id})
    if invitation.role == Role.COMMITTEE_MEMBER:
        return reverse("programme_committee_call", kwargs={"pk": invitation.call_id})
    return reverse("programme_manage")


def invitation_accept(request, token):
    """The link of the invitation e-mail. Nothing happens on GET (mail scanners fetch links): the person
    chooses a password, or, with an account, signs in and confirms."""
    try:
        invitation = invitation_for_token(token)
    except InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=400)
    account = account_for(invitation)
    signed_in = request.user.is_authenticated
    if signed_in and (account is None or account.pk != request.user.pk):
        message = _("This invitation is for another e-mail address: log out, then follow the link again.")
        return render(request, "accounts/invitation_invalid.html", {"message": message}, status=403)
    needs_password = not signed_in and (account is None or account.awaits_confirmation)
    if not signed_in and not needs_password:
        login_url = reverse("login") + "?" + urlencode({"next": request.get_full_path()})
        return render(request, "accounts/invitation.html", {"invitation": invitation, "login_url": login_url})
    form = (
        SetPasswordForm(account or User(email=invitation.email), request.POST or None)
        if needs_password
        else None
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                user = accept_invitation(token, user=request.user)
            else:
                user = accept_invitation(token, password=form.cleaned_data["new_password1"])
        except InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=400)
        if form is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome: the role “%(role)s” is yours.") % {"role": invitation.get_role_display()}
        )
        return redirect(_destination(invitation))
    return render(request, "accounts/invitation.html", {"invitation": invitation, "form": form})


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("territory", "call"), pk=pk)
    if not may_manage_invitation(request.user, invitation):
        raise Http404
    try:
        revoke_invitation(invitation, by=request.user)
    except InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The invitation of %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return _back_to(invitation)


def _back_to(invitation):
    if invitation.role == Role.TERRITORY_TEAM:
        return redirect("territory_team", territory_pk=invitation.territory_id)
    if invitation.role == Role.COMMITTEE_MEMBER:
        return redirect("people_call", call_pk=invitation.call_id)
    return redirect("people_programme")


def _invite(request, operation, *args, **kwargs):
    try:
        invitation = operation(*args, by=request.user, link_for=request.build_absolute_uri, **kwargs)
    except InvitationError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
    return invitation


# The programme team: its members per region, the committee of each call ----------------------------------


@login_required
def people_programme(request):
    _programme_team_only(request)
    scope = scope_for(request.user)
    members = list(
        Membership.objects.filter(role=Role.PROGRAMME_TEAM)
        .select_related("user", "region")
        .order_by("region__name", "user__last_name", "user__email")
    )
    for membership in members:
        membership.removable = membership.user_id != request.user.pk and may_grant(
            request.user, Role.PROGRAMME_TEAM, region=membership.region
        )
    calls = _calls_run_by(request.user).order_by("-deadline")
    seats = CommitteeSeat.objects.filter(call__in=calls).select_related("member")
    by_call = {}
    for seat in seats.order_by("organisation", "member__email"):
        by_call.setdefault(seat.call_id, []).append(seat)
    return render(
        request,
        "accounts/people_programme.html",
        {
            "members": members,
            "invitations": Invitation.objects.pending()
            .filter(role=Role.PROGRAMME_TEAM)
            .select_related("region"),
            "form": ProgrammeInvitationForm(scope=scope),
            "calls": [{"call": call, "seats": by_call.get(call.pk, [])} for call in calls],
            "can_invite": True,
        },
    )


@login_required
@require_POST
def programme_invite(request):
    _programme_team_only(request)
    form = ProgrammeInvitationForm(request.POST, scope=scope_for(request.user))
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
    else:
        _invite(
            request,
            invite_programme_colleague,
            form.cleaned_data["email"],
            region=form.cleaned_data["region"],
            organisation=form.cleaned_data["organisation"],
        )
    return redirect("people_programme")


@login_required
@require_POST
def programme_member_remove(request, pk):
    _programme_team_only(request)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "region"), pk=pk, role=Role.PROGRAMME_TEAM
    )
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself from the programme team: ask a colleague."))
        return redirect("people_programme")
    try:
        revoke_membership(membership, by=request.user, reason="programme")
    except RoleGrantNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(person)s no longer belongs to the programme team; their sessions are ended.")
            % {"person": membership.user},
        )
    return redirect("people_programme")


@login_required
def people_call(request, call_pk):
    """Who sits on a call's committee, who is invited, and the invitation form."""
    _programme_team_only(request)
    call = get_object_or_404(_calls_run_by(request.user), pk=call_pk)
    return render(
        request,
        "accounts/people_call.html",
        {
            "call": call,
            "seats": call.committee_seats.select_related("member").order_by("organisation", "member__email"),
            "invitations": Invitation.objects.pending().filter(role=Role.COMMITTEE_MEMBER, call=call),
            "form": CommitteeInvitationForm(),
        },
    )


@login_required
@require_POST
def committee_invite(request, call_pk):
    _programme_team_only(request)
    call = get_object_or_404(_calls_run_by(request.user), pk=call_pk)
    form = CommitteeInvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
    else:
        _invite(
            request,
            invite_committee_member,
            form.cleaned_data["email"],
            call,
            organisation=form.cleaned_data["organisation"],
        )
    return redirect("people_call", call_pk=call.pk)


@login_required
@require_POST
def committee_seat_remove(request, pk):
    _programme_team_only(request)
    seat = get_object_or_404(
        CommitteeSeat.objects.select_related("call", "member").filter(call__in=_calls_run_by(request.user)),
        pk=pk,
    )
    try:
        remove_committee_seat(seat, by=request.user)
    except InvitationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(person)s no longer sits on this committee.") % {"person": seat.member})
    return redirect("people_call", call_pk=seat.call_id)


# A territory's team ------------------------------------------------------------------------------------


@login_required
@require_POST
def territory_invite(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = TerritoryInvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
    else:
        _invite(
            request,
            invite_territory_colleague,
            form.cleaned_data["email"],
            territory,
            function=form.cleaned_data["function"],
            access=form.cleaned_data["access"],
        )
    return redirect("territory_team", territory_pk=territory.pk)


@login_required
@require_POST
def member_access(request, pk):
    scope = scope_for(request.user)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "territory").filter(
            territory_id__in=scope.team_territory_ids
        ),
        pk=pk,
        role=Role.TERRITORY_TEAM,
    )
    form = AccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
    else:
        try:
            set_member_access(membership, form.cleaned_data["access"], by=request.user)
        except RoleGrantNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The access of %(person)s is changed.") % {"person": membership.user})
    return redirect("territory_team", territory_pk=membership.territory_id)
