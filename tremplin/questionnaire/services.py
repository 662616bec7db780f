"""Operations of the company questionnaire: invite, open a link, ask for a fresh one, revoke, expire,
submit.

The rules (see ``models``):

- a link signs in once; afterwards its holder needs the contact's own password, or a fresh link, which
  always goes to the address of the first one;
- an opened invitation holds the company-contact membership it granted while it is live; revoking it or
  its expiry removes that membership (through ``tremplin.accounts.services``, audited) and ends every
  session of a person whose only roles are company contacts;
- an address with other roles (territory team, programme, staff) never signs in through a link: its owner
  signs in with their password first, then confirms;
- inviting the same address for the same establishment twice within ``RESEND_GRACE`` sends nothing more;
  a later invitation replaces the previous link, which stops working;
- e-mails leave after the transaction commits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Membership, Role, User
from tremplin.accounts.services import grant_membership, may_grant, revoke_membership
from tremplin.audit.log import log_action
from tremplin.establishments.models import Establishment
from tremplin.questionnaire import mail
from tremplin.questionnaire.models import Invitation, new_token, token_digest

#: An invitation (or a fresh link) asked for while the link sent to the same address for the same
#: establishment is younger than this and still unopened sends nothing more: a double submit, a page
#: reloaded many times, or someone pressing "send me a new link" again and again.
RESEND_GRACE = datetime.timedelta(minutes=10)


class InvitationError(Exception):
    """A link that does not open the questionnaire. ``reason`` is one of ``unknown``, ``revoked``,
    ``replaced`` (a newer link went to the same address), ``expired``, ``used`` (it already signed someone
    in), ``disabled`` (the address's account is disabled) or ``password_required`` (the address has other
    roles: its owner signs in with their password first)."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)


class QuestionnaireNotAllowed(PermissionDenied):
    """The actor may not do this to that establishment's questionnaire."""

    def __init__(self, message=None):
        super().__init__(message or _("Only the territory team of this establishment may do this."))


@dataclass(frozen=True)
class Invited:
    invitation: Invitation
    #: False when nothing new was sent: a link sent moments ago to that address is still unopened.
    created: bool


@dataclass(frozen=True)
class OpenedInvitation:
    invitation: Invitation
    user: User
    #: Whether the caller must sign ``user`` in (False when the requester already is that person).
    sign_in: bool


def _log(by, action: str, invitation: Invitation, **data) -> None:
    log_action(
        by,
        action,
        invitation,
        territory=invitation.establishment.territory,
        establishment_id=invitation.establishment_id,
        invitation_id=invitation.pk,  # the address is read from the invitation when shown, never copied
        **data,
    )


def _may_sign_in_by_link(user: User) -> bool:
    """Only people whose sole roles are company contacts sign in through a link sent by e-mail."""
    if user.is_staff or user.is_superuser:
        return False
    return not user.memberships.exclude(role=Role.COMPANY_CONTACT).exists()


def _find(token: str, *, lock: bool = False) -> Invitation:
    invitations = Invitation.objects.select_related("establishment__territory")
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.with_token(token).first() if token else None
    if invitation is None:
        raise InvitationError("unknown")
    return invitation


def _check_live(invitation: Invitation) -> None:
    if invitation.revoked:
        raise InvitationError("revoked", invitation)
    if not invitation.current:
        raise InvitationError("replaced", invitation)
    if invitation.is_expired():
        raise InvitationError("expired", invitation)


def _end_grant(invitation: Invitation, *, by, reason: str) -> bool:
    """Remove the membership the invitation holds, and end the person's sessions when they have no
    other kind of role (a territory officer who was also invited keeps their own sessions)."""
    membership = invitation.membership
    if membership is None:
        return False
    invitation.membership = None
    invitation.save(update_fields=["membership"])
    revoke_membership(
        membership, by=by, reason=reason, end_user_sessions=_may_sign_in_by_link(membership.user)
    )
    return True


def _mark_sent(pk: int) -> Callable[[], None]:
    return lambda: Invitation.objects.filter(pk=pk).update(sent_at=timezone.now())


def _issue(establishment, email: str, *, by, created_by, link_for, action: str, **log_data) -> Invited:
    """Send a link for ``email`` and ``establishment``, replacing the current one (see RESEND_GRACE)."""
    # Serialise the invitations of one establishment: two simultaneous submits see each other's link.
    list(Establishment.objects.select_for_update().filter(pk=establishment.pk).values_list("pk"))
    now = timezone.now()
    previous = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("establishment__territory", "membership__user")
        .filter(establishment=establishment, email=email, current=True)
        .first()
    )
    held = None
    if previous is not None:
        live = previous.is_usable(now)
        if (
            live
            and previous.used_at is None
            and previous.sent_at
            and now - previous.created_at < RESEND_GRACE
        ):
            return Invited(previous, created=False)
        if live:
            # The person keeps the access the previous link gave them, now held by the new one.
            held, previous.membership = previous.membership, None
        else:
            _end_grant(previous, by=by, reason="invitation expired")
        previous.current = False
        previous.save(update_fields=["current", "membership"])
    token = new_token()
    invitation = Invitation.objects.create(
        establishment=establishment,
        email=email,
        token_hash=token_digest(token),
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        membership=held,
    )
    mail.send_invitation(invitation, link_for(token), then=_mark_sent(invitation.pk))
    if previous is not None:
        log_data["previous"] = previous.pk
    _log(by, action, invitation, expires_at=invitation.expires_at, **log_data)
    return Invited(invitation, created=True)


@transaction.atomic
def invite_contact(establishment, *, email: str, by, link_for: Callable[[str], str]) -> Invited:
    """Invite ``email`` to declare the flows of ``establishment``; ``link_for(token)`` builds the absolute
    link that the e-mail carries. The e-mail leaves once the invitation is committed."""
    if by is None or not may_grant(by, Role.COMPANY_CONTACT, establishment=establishment):
        raise QuestionnaireNotAllowed()
    email = User.objects.normalize_email(email).lower()
    return _issue(establishment, email, by=by, created_by=by, link_for=link_for, action="invitation.created")


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by) -> Invitation:
    """Withdraw a link; the membership it granted ends, and with it the contact's sessions."""
    if by is None or not may_grant(by, Role.COMPANY_CONTACT, establishment=invitation.establishment):
        raise QuestionnaireNotAllowed()
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("establishment__territory", "membership__user")
        .get(pk=invitation.pk)
    )
    if not invitation.revoked:
        invitation.revoked = True
        invitation.save(update_fields=["revoked"])
        ended = _end_grant(invitation, by=by, reason="invitation revoked")
        _log(by, "invitation.revoked", invitation, access_ended=ended)
    return invitation


def check_link(token: str, *, by=None) -> Invitation:
    """The invitation of a link that is still live (not revoked, replaced nor expired); reads only.

    Raises ``password_required`` when the link, never used yet, is for an address with other roles and
    ``by`` is not its owner, signed in."""
    invitation = _find(token)
    _check_live(invitation)
    if invitation.used_at is None:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and not user.is_active:
            raise InvitationError("disabled", invitation)
        is_owner = user is not None and by is not None and by.is_authenticated and by.pk == user.pk
        if user is not None and not is_owner and not _may_sign_in_by_link(user):
            raise InvitationError("password_required", invitation)
    return invitation


@transaction.atomic
def open_invitation(token: str, *, by) -> OpenedInvitation:
    """Use a link: make the person of its address a company contact of the establishment (creating their
    account, without a usable password, if the address is new). ``by`` is whoever is signed in on the
    browser, or an anonymous user. The caller signs the person in when ``sign_in``.

    A link is used once: opened again, it only lets the same person (already signed in) through.
    """
    invitation = _find(token, lock=True)
    _check_live(invitation)
    requester = by if by is not None and by.is_authenticated else None
    if invitation.used_at is not None:
        if requester is not None and requester.pk == invitation.user_id:
            return OpenedInvitation(invitation, requester, sign_in=False)
        raise InvitationError("used", invitation)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is not None and not user.is_active:
        raise InvitationError("disabled", invitation)
    is_requester = user is not None and requester is not None and requester.pk == user.pk
    if user is not None and not is_requester and not _may_sign_in_by_link(user):
        raise InvitationError("password_required", invitation)
    if user is None:
        user = User.objects.create_user(email=invitation.email, password=None)
    existing = Membership.objects.filter(
        user=user, role=Role.COMPANY_CONTACT, establishment=invitation.establishment
    ).first()
    # The person opening their own valid link is the stronger check the accounts service asks for.
    membership = grant_membership(
        user,
        Role.COMPANY_CONTACT,
        by=user,
        establishment=invitation.establishment,
        via="invitation",
        check=False,
    )
    if existing is None or invitation.membership_id == membership.pk:
        # Held by this invitation: it ends with it. A role granted otherwise (by an administrator, the
        # demonstration seed) is left alone.
        invitation.membership = membership
    invitation.used_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["used_at", "user", "membership"])
    _log(user, "invitation.opened", invitation)
    return OpenedInvitation(invitation, user, sign_in=not is_requester)


@transaction.atomic
def request_new_link(token: str, *, link_for: Callable[[str], str]) -> Invited:
    """Send a fresh link to the address of an expired or already used one (never to another address).

    ``created`` is False when there is nothing to renew: the link still works and was never opened.
    """
    old = _find(token, lock=True)
    if old.revoked:
        raise InvitationError("revoked", old)
    if not old.current:
        raise InvitationError("replaced", old)
    if not old.is_expired() and old.used_at is None:
        return Invited(old, created=False)
    if User.objects.filter(email__iexact=old.email, is_active=False).exists():
        raise InvitationError("disabled", old)
    return _issue(
        old.establishment,
        old.email,
        by=None,
        created_by=old.created_by,
        link_for=link_for,
        action="invitation.renewed",
    )


@transaction.atomic
def end_expired_grants(*, user=None, now=None) -> int:
    """End the memberships (and sessions) that expired invitations granted; returns how many.

    Run from the middleware for the person making a request, and by ``tremplin end-expired-invitations``
    for everybody (from cron)."""
    invitations = (
        Invitation.objects.holding_expired_grants(now)
        .select_for_update(of=("self",))
        .select_related("establishment__territory", "membership__user")
    )
    if user is not None:
        invitations = invitations.filter(membership__user=user)
    count = 0
    for invitation in invitations:
        if _end_grant(invitation, by=None, reason="invitation expired"):
            _log(None, "invitation.expired", invitation)
            count += 1
    return count


def has_expired_grant(user) -> bool:
    return Invitation.objects.holding_expired_grants().filter(membership__user=user).exists()


@transaction.atomic
def submit_questionnaire(establishment, *, by, establishment_url: str = "") -> None:
    """The contact says it is done for now: the territory team is told (audit log and e-mail)."""
    if not Establishment.objects.visible_to(by).filter(pk=establishment.pk).exists():
        raise QuestionnaireNotAllowed()
    flows = establishment.flows.known()
    counts = {"outputs": flows.outputs().count(), "inputs": flows.inputs().count()}
    log_action(
        by,
        "questionnaire.submitted",
        establishment,
        territory=establishment.territory,
        establishment_id=establishment.pk,
        **counts,
    )
    latest = Invitation.objects.for_establishment(establishment).select_related("created_by").first()
    if latest is not None and latest.created_by is not None and latest.created_by.email:
        mail.send_submission_notice(establishment, latest.created_by, by, counts, establishment_url)
