"""Who may act on a participation's coaching records."""

from tremplin.accounts.scoping import scope_for
from tremplin.coaching.services.errors import NotAllowed


def is_programme_team(user) -> bool:
    return scope_for(user).is_programme_team


def is_team_of(user, participation) -> bool:
    return participation.territory_id in scope_for(user).team_territory_ids


def require_programme_team(user) -> None:
    if not is_programme_team(user):
        raise NotAllowed


def is_editor_of(user, participation) -> bool:
    """A member of the territory's team with edit access (read-only members read, change nothing)."""
    return participation.territory_id in scope_for(user).editor_territory_ids


def require_team_of(user, participation) -> None:
    if not is_editor_of(user, participation):
        raise NotAllowed


def require_team_or_programme(user, participation) -> None:
    if not (is_editor_of(user, participation) or is_programme_team(user)):
        raise NotAllowed
