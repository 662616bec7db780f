"""Who may act on a participation's coaching records."""

from tremplin.accounts.scoping import scope_for
from tremplin.coaching.services.errors import NotAllowed


def is_programme_team(user) -> bool:
    return scope_for(user).is_programme_team


def is_team_of(user, participation) -> bool:
    return participation.territory_id in scope_for(user).team_territory_ids


def runs_call(user, call) -> bool:
    """A programme team member who runs the call's region (one bound to no region runs them all)."""
    scope = scope_for(user)
    return scope.is_programme_team and scope.runs_region(call.region_id)


def require_programme_team(user, call=None) -> None:
    """The programme team; with ``call``, the programme team of the call's region (edition templates
    are shared by every region, a call's calendar, registrations and reports are not)."""
    if not is_programme_team(user) or (call is not None and not runs_call(user, call)):
        raise NotAllowed


def is_editor_of(user, participation) -> bool:
    """A member of the territory's team with edit access (read-only members read, change nothing)."""
    return participation.territory_id in scope_for(user).editor_territory_ids


def require_team_of(user, participation) -> None:
    if not is_editor_of(user, participation):
        raise NotAllowed


def require_team_or_programme(user, participation) -> None:
    if not (is_editor_of(user, participation) or runs_call(user, participation.call)):
        raise NotAllowed
