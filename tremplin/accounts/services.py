"""Grants and removals of roles, and ending a person's sessions.

Every membership is created or deleted here, never with ``Membership.objects.create`` elsewhere: each
operation checks its actor, runs in one transaction and writes the audit log. ``by=None`` is the
platform itself (a command run by an operator, the demonstration seed); views always pass the user.
"""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import MemberAccess, Membership, Role
from tremplin.accounts.scoping import forget_scope, scope_for
from tremplin.audit.log import log_action

__all__ = [
    "RoleGrantNotAllowed",
    "end_sessions",
    "grant_membership",
    "may_grant",
    "revoke_membership",
    "set_member_access",
]


class RoleGrantNotAllowed(Exception):
    """The actor may not grant or remove that role."""

    def __init__(self, message=None):
        super().__init__(message or _("You may not grant or remove this role."))


def may_grant(by, role: str, *, territory=None, establishment=None, region=None) -> bool:
    """Whether ``by`` may grant (or remove) ``role`` bound to ``territory`` / ``establishment`` /
    ``region``.

    Programme-wide roles are granted by the programme team (a member bound to a region grants only
    colleagues bound to the same region); a territory's team by its members with edit access or,
    explicitly, by the programme team; a company contact by the editors of the establishment's territory.
    """
    if by is None:
        return True
    scope = scope_for(by)
    if role == Role.PROGRAMME_TEAM:
        return scope.programme_all_regions or (region is not None and scope.runs_region(region.pk))
    if role == Role.COMMITTEE_MEMBER:
        return scope.is_programme_team
    if role == Role.TERRITORY_TEAM:
        return scope.is_programme_team or (territory is not None and scope.may_edit_territory(territory.pk))
    if role == Role.COMPANY_CONTACT:
        return establishment is not None and scope.may_edit_territory(establishment.territory_id)
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
    access: str = MemberAccess.EDIT,
    region=None,
    via: str = "",
    check: bool = True,
) -> Membership:
    """Give ``user`` the role (idempotent: an existing membership is returned, its details updated).

    ``via`` says how the grant came (``invitation``, ``selection``, ``team``, ``programme``, ``seed``…)
    and goes into the audit entry. ``check=False`` is for operations that checked a stronger condition
    themselves (a company contact opening its own valid invitation link).
    """
    if check and not may_grant(by, role, territory=territory, establishment=establishment, region=region):
        raise RoleGrantNotAllowed()
    lookup = {"user": user, "role": role}
    if role == Role.TERRITORY_TEAM:
        lookup["territory"] = territory
    elif role == Role.COMPANY_CONTACT:
        lookup["establishment"] = establishment
    membership = Membership.objects.select_for_update().filter(**lookup).first()
    created = membership is None
    if created:
        extra = {"access": access} if role == Role.TERRITORY_TEAM else {}
        if role == Role.PROGRAMME_TEAM:
            extra["region"] = region
        membership = Membership.objects.create(
            **lookup, function=function, organisation=organisation, **extra
        )
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
            **({"access": access} if role == Role.TERRITORY_TEAM else {}),
            **({"region_id": region.pk} if role == Role.PROGRAMME_TEAM and region is not None else {}),
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
        by,
        membership.role,
        territory=membership.territory,
        establishment=membership.establishment,
        region=membership.region,
    ):
        raise RoleGrantNotAllowed()
    if by is not None:  # the platform itself (erasure, seed) is not bound by who must remain
        _check_someone_remains(membership)
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
    if not user.memberships.exists():
        # Without any role, the person's API tokens stop too (tremplin.api.tokens explains when they do).
        from tremplin.api.tokens import revoke_all_tokens

        revoke_all_tokens(user, by=by, reason="no role left")
    if end_user_sessions:
        end_sessions(user)


LAST_EDITOR = _(
    "This person is the territory's last member with edit access: give edit access to a colleague first."
)


def _other_editors(membership: Membership):
    return Membership.objects.filter(
        role=Role.TERRITORY_TEAM,
        territory_id=membership.territory_id,
        access=MemberAccess.EDIT,
        user__is_active=True,
    ).exclude(pk=membership.pk)


def _check_someone_remains(membership: Membership) -> None:
    """Nobody removes the last editor of a territory, nor the last member of the programme team."""
    editor = membership.role == Role.TERRITORY_TEAM and membership.access == MemberAccess.EDIT
    if editor and not _other_editors(membership).exists():
        raise RoleGrantNotAllowed(LAST_EDITOR)
    if membership.role == Role.PROGRAMME_TEAM:
        others = Membership.objects.filter(role=Role.PROGRAMME_TEAM, user__is_active=True).exclude(
            pk=membership.pk
        )
        if not others.exists():
            raise RoleGrantNotAllowed(
                _("This person is the programme team's last member: invite a colleague first.")
            )


@transaction.atomic
def set_member_access(membership: Membership, access: str, *, by) -> Membership:
    """Let a territory team member edit, or only read; the territory always keeps one editor."""
    membership = (
        Membership.objects.select_for_update(of=("self",)).select_related("territory").get(pk=membership.pk)
    )
    if membership.role != Role.TERRITORY_TEAM or access not in MemberAccess.values:
        raise RoleGrantNotAllowed()
    if not may_grant(by, Role.TERRITORY_TEAM, territory=membership.territory):
        raise RoleGrantNotAllowed()
    if membership.access == access:
        return membership
    if access == MemberAccess.READ and not _other_editors(membership).exists():
        raise RoleGrantNotAllowed(LAST_EDITOR)
    before = membership.access
    membership.access = access
    membership.save(update_fields=["access"])
    log_action(
        by,
        "role.access.changed",
        membership,
        territory=membership.territory,
        user_id=membership.user_id,
        before=before,
        after=access,
    )
    forget_scope(membership.user)
    return membership


def end_sessions(user) -> None:
    """End every session of ``user``, on every browser.

    Django ties a session to a hash of the user's credentials (``get_session_auth_hash``); ours also
    covers ``User.session_version``, so raising it makes every open session invalid at its next request.
    """
    from tremplin.accounts.models import User

    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])
