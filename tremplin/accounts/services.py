"""Grants and removals of roles, and ending a person's sessions.

Every membership is created or deleted here, never with ``Membership.objects.create`` elsewhere: each
operation checks its actor, runs in one transaction and writes the audit log. ``by=None`` is the
platform itself (a command run by an operator, the demonstration seed); views always pass the user.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Membership, Role
from tremplin.accounts.scoping import forget_scope, scope_for
from tremplin.audit.log import log_action

__all__ = [
    "RoleGrantNotAllowed",
    "end_sessions",
    "grant_membership",
    "may_grant",
    "revoke_membership",
]


class RoleGrantNotAllowed(Exception):
    """The actor may not grant or remove that role."""

    def __init__(self, message=None):
        super().__init__(message or _("You may not grant or remove this role."))


def may_grant(by, role: str, *, territory=None, establishment=None) -> bool:
    """Whether ``by`` may grant (or remove) ``role`` bound to ``territory`` / ``establishment``.

    Programme-wide roles are granted by the programme team; a territory's team by that team or,
    explicitly, by the programme team; a company contact by the team of the establishment's territory.
    """
    if by is None:
        return True
    scope = scope_for(by)
    if role in (Role.PROGRAMME_TEAM, Role.COMMITTEE_MEMBER):
        return scope.is_programme_team
    if role == Role.TERRITORY_TEAM:
        return scope.is_programme_team or (territory is not None and territory.pk in scope.team_territory_ids)
    if role == Role.COMPANY_CONTACT:
        return establishment is not None and establishment.territory_id in scope.team_territory_ids
    return False


def _territory_of(membership_or_kwargs):
    territory = membership_or_kwargs.get("territory")
    establishment = membership_or_kwargs.get("establishment")
    if territory is None and establishment is not None:
        territory = establishment.territory
    return territory


@transaction.atomic
def grant_membership(
    user,
    role: str,
    *,
    by,
    territory=None,
    establishment=None,
    function: str = "",
    organisation: str = "",
    via: str = "",
    check: bool = True,
) -> Membership:
    """Give ``user`` the role (idempotent: an existing membership is returned, its details updated).

    ``via`` says how the grant came (``invitation``, ``selection``, ``team``, ``programme``, ``seed``…)
    and goes into the audit entry. ``check=False`` is for operations that checked a stronger condition
    themselves (a company contact opening its own valid invitation link).
    """
    if check and not may_grant(by, role, territory=territory, establishment=establishment):
        raise RoleGrantNotAllowed()
    lookup = {"user": user, "role": role}
    if role == Role.TERRITORY_TEAM:
        lookup["territory"] = territory
    elif role == Role.COMPANY_CONTACT:
        lookup["establishment"] = establishment
    membership = Membership.objects.select_for_update().filter(**lookup).first()
    created = membership is None
    if created:
        membership = Membership.objects.create(**lookup, function=function, organisation=organisation)
    else:
        changed = []
        if function and membership.function != function:
            membership.function = function
            changed.append("function")
        if organisation and membership.organisation != organisation:
            membership.organisation = organisation
            changed.append("organisation")
        if changed:
            membership.save(update_fields=changed)
    if created:
        log_action(
            by,
            "role.granted",
            membership,
            territory=_territory_of(lookup),
            role=role,
            user_id=user.pk,
            establishment_id=establishment.pk if establishment is not None else None,
            function=function,
            via=via,
        )
    forget_scope(user)
    return membership


@transaction.atomic
def revoke_membership(
    membership: Membership, *, by, reason: str = "", end_user_sessions: bool = True
) -> None:
    """Remove a role; by default the person's open sessions end too (they sign in again, if they still
    can, and see only what their remaining roles allow)."""
    if not may_grant(
        by, membership.role, territory=membership.territory, establishment=membership.establishment
    ):
        raise RoleGrantNotAllowed()
    user = membership.user
    territory = membership.territory or (
        membership.establishment.territory if membership.establishment else None
    )
    log_action(
        by,
        "role.revoked",
        membership,
        territory=territory,
        role=membership.role,
        user_id=user.pk,
        establishment_id=membership.establishment_id,
        function=membership.function,
        reason=reason,
    )
    membership.delete()
    forget_scope(user)
    if end_user_sessions:
        end_sessions(user)


def end_sessions(user) -> None:
    """End every session of ``user``, on every browser.

    Django ties a session to a hash of the user's credentials (``get_session_auth_hash``); ours also
    covers ``User.session_version``, so raising it makes every open session invalid at its next request.
    """
    from tremplin.accounts.models import User

    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])
