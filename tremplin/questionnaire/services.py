"""Operations of the company questionnaire: invite, open a link, renew, revoke, submit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tremplin.accounts.models import Membership, Role, User
from tremplin.accounts.scoping import forget_scope
from tremplin.audit.log import log_action
from tremplin.questionnaire import mail
from tremplin.questionnaire.models import Invitation, new_token, token_digest

#: A renewal asked for while a fresh link for the same person and establishment is less than this old
#: sends nothing more (a guard against a page reloaded many times).
RENEWAL_GRACE = datetime.timedelta(minutes=10)


class InvitationError(Exception):
    """A link that does not open the questionnaire: ``reason`` is unknown, expired, revoked or disabled."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        self.reason = reason
        self.invitation = invitation
        super().__init__(reason)


@dataclass(frozen=True)
class OpenedInvitation:
    invitation: Invitation
    user: User
    #: False when the address belongs to an account with other roles (territory, programme, staff): such
    #: an account signs in with its password, never through a link sent by e-mail.
    may_sign_in: bool


def _log(by, action: str, invitation: Invitation, **data) -> None:
    log_action(
        by,
        action,
        invitation,
        territory=invitation.establishment.territory,
        establishment_id=invitation.establishment_id,
        email=invitation.email,
        **data,
    )


def _create(establishment, email: str, created_by, link_for: Callable[[str], str]) -> Invitation:
    token = new_token()
    invitation = Invitation.objects.create(
        establishment=establishment,
        email=User.objects.normalize_email(email).lower(),
        token_hash=token_digest(token),
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
    )
    mail.send_invitation(invitation, link_for(token))
    return invitation


@transaction.atomic
def invite_contact(establishment, *, email: str, by, link_for: Callable[[str], str]) -> Invitation:
    """Invite ``email`` to declare the flows of ``establishment``; ``link_for(token)`` builds the absolute
    link that the e-mail carries. The e-mail is sent inside the transaction: if it fails, no invitation."""
    invitation = _create(establishment, email, by, link_for)
    _log(by, "invitation.created", invitation, expires_at=invitation.expires_at)
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("establishment__territory")
        .get(pk=invitation.pk)
    )
    if not invitation.revoked:
        invitation.revoked = True
        invitation.save(update_fields=["revoked"])
        _log(by, "invitation.revoked", invitation)
    return invitation


def _find(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("establishment__territory").with_token(token).first()
        if token
        else None
    )
    if invitation is None:
        raise InvitationError("unknown")
    return invitation


def _may_sign_in_by_link(user: User) -> bool:
    if user.is_staff or user.is_superuser:
        return False
    return not user.memberships.exclude(role=Role.COMPANY_CONTACT).exists()


@transaction.atomic
def open_invitation(token: str) -> OpenedInvitation:
    """Check a link and make its holder a company contact of the invitation's establishment (creating the
    user, without a usable password, if the address is new). The caller signs the user in when
    ``may_sign_in``."""
    invitation = _find(token)
    if invitation.revoked:
        raise InvitationError("revoked", invitation)
    if invitation.is_expired():
        raise InvitationError("expired", invitation)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(email=invitation.email, password=None)
    elif not user.is_active:
        raise InvitationError("disabled", invitation)
    _membership, created = Membership.objects.get_or_create(
        user=user, role=Role.COMPANY_CONTACT, establishment=invitation.establishment
    )
    if created:
        forget_scope(user)
    if invitation.used_at is None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        _log(user, "invitation.opened", invitation)
    return OpenedInvitation(invitation, user, _may_sign_in_by_link(user))


@transaction.atomic
def renew_invitation(token: str, *, link_for: Callable[[str], str]) -> Invitation:
    """Send a new link to the address of an expired invitation (never to another address)."""
    old = _find(token)
    if old.revoked:
        raise InvitationError("revoked", old)
    if not old.is_expired():
        return old
    recent = (
        Invitation.objects.for_establishment(old.establishment)
        .filter(email=old.email, created_at__gte=timezone.now() - RENEWAL_GRACE)
        .usable()
        .first()
    )
    if recent is not None:
        return recent
    invitation = _create(old.establishment, old.email, old.created_by, link_for)
    _log(None, "invitation.renewed", invitation, previous=old.pk, expires_at=invitation.expires_at)
    return invitation


@transaction.atomic
def submit_questionnaire(establishment, *, by, establishment_url: str = "") -> None:
    """The contact says it is done for now: the territory team is told (audit log and e-mail)."""
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
