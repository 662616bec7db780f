"""Invitations by e-mail: a role offered to an address, granted when its holder follows the link.

The programme team invites programme colleagues (bound to a region, or to every region) and committee
members of one call; a territory's members with edit access invite colleagues, with a function and an
access level. The person may have no account yet: the link (signed, naming the invitation and its
secret, valid :data:`INVITATION_DAYS` days, usable once) lets them choose a password, or log in when
the address already has an account, and the role is granted then — never before, and only to the
holder of the invited address. Every step is audited; mail leaves after commit.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import (
    Invitation,
    InvitationStatus,
    MemberAccess,
    Membership,
    Role,
    TerritoryFunction,
    User,
)
from tremplin.accounts.scoping import scope_for
from tremplin.accounts.services import end_sessions, grant_membership, revoke_membership
from tremplin.audit.log import log_action
from tremplin.notifications.mail import absolute_url, build_message, send_after_commit

__all__ = [
    "INVITATION_DAYS",
    "InvitationError",
    "accept_invitation",
    "invitation_for_token",
    "invitation_token",
    "invite_committee_member",
    "invite_programme_colleague",
    "invite_territory_colleague",
    "may_invite",
    "remove_committee_seat",
    "revoke_invitation",
]

INVITATION_DAYS = 14
_SALT = "tremplin.accounts.invitations.accept"
INVITABLE_ROLES = (Role.PROGRAMME_TEAM, Role.COMMITTEE_MEMBER, Role.TERRITORY_TEAM)


class InvitationError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _normalise(email: str) -> str:
    return User.objects.normalize_email(email or "").strip().lower()


# Who may invite whom ---------------------------------------------------------------------------------


def may_invite(by, role: str, *, territory=None, call=None, region=None) -> bool:
    """Programme colleagues: the programme team, within its region (a member bound to a region invites
    colleagues bound to it); committee members: the programme team of the call's region; territory
    colleagues: the territory's members with edit access."""
    if by is None or not by.is_authenticated:
        return False
    scope = scope_for(by)
    if role == Role.PROGRAMME_TEAM:
        return scope.programme_all_regions or (region is not None and scope.runs_region(region.pk))
    if role == Role.COMMITTEE_MEMBER:
        return call is not None and scope.runs_region(call.region_id)
    if role == Role.TERRITORY_TEAM:
        if territory is None:
            return False
        # A workspace nobody edits yet (opened by the programme team, or by a register extract for an
        # applicant) gets its first editor from the programme team; from then on its team invites.
        return scope.may_edit_territory(territory.pk) or (
            scope.is_programme_team and not _has_editor(territory)
        )
    return False


def _has_editor(territory) -> bool:
    return Membership.objects.filter(
        territory=territory, role=Role.TERRITORY_TEAM, access=MemberAccess.EDIT
    ).exists()


def _already_holds(user, invitation: Invitation) -> bool:
    if user is None:
        return False
    if invitation.role == Role.TERRITORY_TEAM:
        return user.memberships.filter(role=Role.TERRITORY_TEAM, territory=invitation.territory).exists()
    if invitation.role == Role.COMMITTEE_MEMBER:
        return user.committee_seats.filter(call=invitation.call).exists()
    return user.memberships.filter(role=Role.PROGRAMME_TEAM).exists()


def _pending_same(invitation: Invitation):
    same = (
        Invitation.objects.select_for_update()
        .pending()
        .filter(email__iexact=invitation.email, role=invitation.role)
    )
    if invitation.role == Role.TERRITORY_TEAM:
        same = same.filter(territory=invitation.territory)
    elif invitation.role == Role.COMMITTEE_MEMBER:
        same = same.filter(call=invitation.call)
    return same


@transaction.atomic
def _invite(invitation: Invitation, *, by, link_for, now) -> Invitation:
    if not may_invite(
        by, invitation.role, territory=invitation.territory, call=invitation.call, region=invitation.region
    ):
        raise InvitationError(_("You may not invite people to this role."))
    invitation.email = _normalise(invitation.email)
    if not invitation.email:
        raise InvitationError(_("Give the e-mail address of the person to invite."))
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if _already_holds(existing, invitation):
        raise InvitationError(_("%(email)s already holds this role.") % {"email": invitation.email})
    if _pending_same(invitation).exists():
        raise InvitationError(
            _(
                "%(email)s has already been invited to this role and has not answered yet: revoke that "
                "invitation first if you want to send a new one."
            )
            % {"email": invitation.email}
        )
    now = now or timezone.now()
    invitation.invited_by = by
    invitation.invited_at = now
    invitation.expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    invitation.secret = secrets.token_urlsafe(24)
    invitation.save()
    log_action(
        by,
        "people.invitation.sent",
        invitation,
        territory=invitation.territory,
        call=invitation.call,
        at=now,
        role=invitation.role,
        function=invitation.function,
        **({"access": invitation.access} if invitation.role == Role.TERRITORY_TEAM else {}),
        **({"region_id": invitation.region_id} if invitation.region_id else {}),
    )
    send_after_commit([_invitation_message(invitation, link_for)])
    return invitation


def invite_programme_colleague(
    email: str, *, by, region=None, organisation: str = "", link_for=None, now=None
):
    """Invite a programme colleague, bound to ``region`` (``None``: every region)."""
    invitation = Invitation(email=email, role=Role.PROGRAMME_TEAM, region=region, organisation=organisation)
    return _invite(invitation, by=by, link_for=link_for, now=now)


def invite_committee_member(email: str, call, *, by, organisation: str = "", link_for=None, now=None):
    """Invite a member of ``call``'s committee: the seat and the committee-member role come on acceptance."""
    if call.is_decided:
        raise InvitationError(_("The selection of this call has been made: its committee no longer changes."))
    invitation = Invitation(email=email, role=Role.COMMITTEE_MEMBER, call=call, organisation=organisation)
    return _invite(invitation, by=by, link_for=link_for, now=now)


def invite_territory_colleague(
    email: str, territory, *, by, function: str, access: str, link_for=None, now=None
) -> Invitation:
    """Invite a colleague to ``territory``'s team, with a function and an access level (edit or read)."""
    if function not in TerritoryFunction.values:
        raise InvitationError(_("Choose the person's function."))
    if access not in MemberAccess.values:
        raise InvitationError(_("Choose whether the person may edit or only read."))
    invitation = Invitation(
        email=email,
        role=Role.TERRITORY_TEAM,
        territory=territory,
        function=function,
        access=access,
        organisation=territory.name,
    )
    return _invite(invitation, by=by, link_for=link_for, now=now)


def may_manage_invitation(by, invitation: Invitation) -> bool:
    return may_invite(
        by, invitation.role, territory=invitation.territory, call=invitation.call, region=invitation.region
    )


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by, now=None) -> Invitation:
    """Withdraw an invitation not yet accepted: its link stops working."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not may_manage_invitation(by, invitation):
        raise InvitationError(_("You may not revoke this invitation."))
    if not invitation.is_pending:
        raise InvitationError(_("This invitation has already been accepted or revoked."))
    now = now or timezone.now()
    invitation.status = InvitationStatus.REVOKED
    invitation.decided_at = now
    invitation.decided_by = by
    invitation.save(update_fields=["status", "decided_at", "decided_by"])
    log_action(
        by,
        "people.invitation.revoked",
        invitation,
        territory=invitation.territory,
        call=invitation.call,
        at=now,
        role=invitation.role,
    )
    return invitation


# The link ----------------------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "s": invitation.secret}, salt=_SALT, compress=True)


def invitation_for_token(token: str, *, now=None) -> Invitation:
    """The pending, unexpired invitation ``token`` designates; a clear error otherwise."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise InvitationError(
            _("This invitation link is not valid: check that it was copied whole.")
        ) from None
    invitation = (
        Invitation.objects.select_related("territory", "call", "region", "invited_by")
        .filter(pk=payload.get("i"))
        .first()
    )
    if invitation is None or not secrets.compare_digest(invitation.secret, str(payload.get("s", ""))):
        raise InvitationError(_("This invitation link is not valid: check that it was copied whole."))
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationError(_("This invitation has already been accepted: log in."))
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationError(_("This invitation has been withdrawn: ask the person who invited you."))
    if invitation.has_expired(now):
        raise InvitationError(
            _("This invitation has expired (invitations are valid for %(days)s days): ask for a new one.")
            % {"days": INVITATION_DAYS}
        )
    return invitation


def account_for(invitation: Invitation):
    """The account of the invited address, if there is one."""
    return User.objects.filter(email__iexact=invitation.email).first()


@transaction.atomic
def accept_invitation(token: str, *, user=None, password: str = "", now=None) -> User:
    """Grant the invitation's role to the holder of the invited address.

    With ``user`` (signed in), the account must be the invited address's; without, ``password`` (already
    checked by the form against the password rules) makes the account — or activates one that awaited
    the confirmation of its address, which the link proves.
    """
    now = now or timezone.now()
    invitation = invitation_for_token(token, now=now)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("territory", "call", "region")
        .get(pk=invitation.pk)
    )
    if not invitation.is_pending:
        raise InvitationError(_("This invitation has already been accepted or revoked."))
    existing = account_for(invitation)
    if user is not None and user.is_authenticated:
        if existing is None or existing.pk != user.pk:
            raise InvitationError(
                _("This invitation is for another e-mail address: log out, then follow the link again.")
            )
    elif existing is not None and not existing.awaits_confirmation:
        raise InvitationError(_("An account already uses this address: log in to accept the invitation."))
    else:
        if not password:
            raise InvitationError(_("Choose a password."))
        user = existing or User(email=invitation.email)
        user.set_password(password)
        user.is_active = True
        user.awaits_confirmation = False
        user.email_confirmed_at = now
        user.save()
        log_action(user, "account.created.by_invitation", user, at=now)
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active or not may_manage_invitation(inviter, invitation):
        raise InvitationError(
            _("The person who invited you no longer holds the role to do so: ask the team again.")
        )
    _grant(invitation, user)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.decided_at = now
    invitation.decided_by = user
    invitation.save(update_fields=["status", "decided_at", "decided_by"])
    log_action(
        user,
        "people.invitation.accepted",
        invitation,
        territory=invitation.territory,
        call=invitation.call,
        at=now,
        role=invitation.role,
    )
    return user


def _grant(invitation: Invitation, user) -> None:
    inviter = invitation.invited_by
    common = {
        "by": inviter,
        "organisation": invitation.organisation,
        "via": "email_invitation",
        "check": False,
    }
    if invitation.role == Role.TERRITORY_TEAM:
        grant_membership(
            user,
            Role.TERRITORY_TEAM,
            territory=invitation.territory,
            function=invitation.function,
            access=invitation.access,
            **common,
        )
    elif invitation.role == Role.PROGRAMME_TEAM:
        grant_membership(user, Role.PROGRAMME_TEAM, region=invitation.region, **common)
    else:
        from tremplin.programme.services.calls import add_committee_member

        grant_membership(user, Role.COMMITTEE_MEMBER, **common)
        add_committee_member(invitation.call, by=inviter, member=user, organisation=invitation.organisation)


# Removal of a committee member --------------------------------------------------------------------------


@transaction.atomic
def remove_committee_seat(seat, *, by, now=None) -> None:
    """Unseat a member from a call's committee (the programme team of the call's region); with their last
    seat goes the committee-member role. Their sessions end: what they may read has changed."""
    from tremplin.programme.exceptions import ProgrammeError
    from tremplin.programme.services.calls import remove_committee_member

    if not scope_for(by).runs_region(seat.call.region_id):
        raise InvitationError(_("You may not remove members of this committee."))
    member = seat.member
    try:
        remove_committee_member(seat, by=by, now=now)
    except ProgrammeError as error:
        raise InvitationError(error.message) from None
    if not member.committee_seats.exists():
        membership = member.memberships.filter(role=Role.COMMITTEE_MEMBER).first()
        if membership is not None:
            revoke_membership(membership, by=by, reason="committee", end_user_sessions=False)
    end_sessions(member)


# Mail (in French, the language of the programme), built inside the transaction, sent after commit. ------


def _invitation_message(invitation: Invitation, link_for) -> EmailMessage:
    path = reverse("people_invitation_accept", kwargs={"token": invitation_token(invitation)})
    context = {
        "invitation": invitation,
        "link": absolute_url(path, link_for),
        "days": INVITATION_DAYS,
        "platform": settings.PLATFORM_NAME,
        "has_account": User.objects.filter(
            email__iexact=invitation.email, awaits_confirmation=False
        ).exists(),
    }
    return build_message("accounts/email/invitation", context, to=[invitation.email], language="fr")
