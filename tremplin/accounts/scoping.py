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
    team_territory_ids: frozenset[int] = frozenset()
    contact_establishment_ids: frozenset[int] = frozenset()
    contact_territory_ids: frozenset[int] = frozenset()

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
    from tremplin.accounts.models import Role  # the models module registers its own scoped models here

    rows = list(
        user.memberships.values_list(
            "role", "territory_id", "establishment_id", "establishment__territory_id"
        )
    )
    scope = Scope(
        is_programme_team=any(role == Role.PROGRAMME_TEAM for role, *_ in rows),
        is_committee_member=any(role == Role.COMMITTEE_MEMBER for role, *_ in rows),
        team_territory_ids=frozenset(t for role, t, _e, _et in rows if role == Role.TERRITORY_TEAM),
        contact_establishment_ids=frozenset(e for role, _t, e, _et in rows if role == Role.COMPANY_CONTACT),
        contact_territory_ids=frozenset(et for role, _t, _e, et in rows if role == Role.COMPANY_CONTACT),
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
