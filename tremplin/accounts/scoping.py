"""The one scoping mechanism: what a user may see.

Every view and query that returns territory-owned objects goes through ``Model.objects.visible_to(user)``.
Those querysets ask this module for the user's :class:`Scope`, computed once per request and cached on the
user object. Each scoped model registers itself here so that the access tests can enumerate all of them
and try to cross territory lines with each.
"""

from dataclasses import dataclass

from django.db import models

_SCOPE_CACHE_ATTR = "_tremplin_scope"
_registry: list[type[models.Model]] = []


@dataclass(frozen=True)
class Scope:
    """What one user may reach, by identifiers."""

    is_programme_team: bool = False
    is_committee_member: bool = False
    #: Territories whose team the user belongs to, for reading (read-only members included).
    team_territory_ids: frozenset[int] = frozenset()
    #: Territories whose data the user may change: the team members with edit access.
    editor_territory_ids: frozenset[int] = frozenset()
    contact_establishment_ids: frozenset[int] = frozenset()
    contact_territory_ids: frozenset[int] = frozenset()
    #: A programme team member bound to regions runs those regions' calls only; unbound, every region.
    programme_region_ids: frozenset[int] = frozenset()
    programme_all_regions: bool = False

    def runs_region(self, region_id) -> bool:
        """Whether the user is on the programme team for that region (calls, committees, colleagues)."""
        return self.is_programme_team and (
            self.programme_all_regions or region_id in self.programme_region_ids
        )

    def may_edit_territory(self, territory_id) -> bool:
        return territory_id in self.editor_territory_ids

    @property
    def territory_ids(self) -> frozenset[int]:
        """Territories whose workspace (or own establishment page) the user can open."""
        return self.team_territory_ids | self.contact_territory_ids

    @property
    def is_anonymous(self) -> bool:
        return not (
            self.is_programme_team
            or self.is_committee_member
            or self.team_territory_ids
            or self.contact_establishment_ids
        )


ANONYMOUS_SCOPE = Scope()


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, _SCOPE_CACHE_ATTR, None)
    if cached is not None:
        return cached
    # The models module registers its own scoped models here: imported when first needed.
    from tremplin.accounts.models import MemberAccess, Role

    rows = list(
        user.memberships.values_list(
            "role", "territory_id", "establishment_id", "establishment__territory_id", "access", "region_id"
        )
    )
    programme = [region for role, _t, _e, _et, _a, region in rows if role == Role.PROGRAMME_TEAM]
    team = [(t, access) for role, t, _e, _et, access, _r in rows if role == Role.TERRITORY_TEAM]
    contacts = [(e, et) for role, _t, e, et, _a, _r in rows if role == Role.COMPANY_CONTACT]
    scope = Scope(
        is_programme_team=bool(programme),
        is_committee_member=any(row[0] == Role.COMMITTEE_MEMBER for row in rows),
        team_territory_ids=frozenset(t for t, _access in team),
        editor_territory_ids=frozenset(t for t, access in team if access == MemberAccess.EDIT),
        contact_establishment_ids=frozenset(e for e, _et in contacts),
        contact_territory_ids=frozenset(et for _e, et in contacts),
        programme_region_ids=frozenset(region for region in programme if region is not None),
        programme_all_regions=any(region is None for region in programme),
    )
    setattr(user, _SCOPE_CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after a membership changes within the same request)."""
    if hasattr(user, _SCOPE_CACHE_ATTR):
        delattr(user, _SCOPE_CACHE_ATTR)


def scoped(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: declare a model as territory-owned; its manager must offer ``visible_to``."""
    if not hasattr(model.objects, "visible_to"):
        raise TypeError(f"{model.__name__}.objects has no visible_to(user)")
    _registry.append(model)
    return model


def scoped_models() -> list[type[models.Model]]:
    return list(_registry)
