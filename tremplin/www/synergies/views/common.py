"""Access helpers of the synergy pages: the territory team's workspace only."""

from django.core.exceptions import PermissionDenied

from tremplin.accounts.scoping import scope_for
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404


def team_territory_or_404(user, pk) -> Territory:
    """The territory, if the user is on its team: 404 outside its scope, 403 for the other roles that can
    open the territory (the programme team sees indicators only; a company contact its opportunities)."""
    territory = get_visible_or_404(Territory, user, pk=pk)
    if territory.pk not in scope_for(user).team_territory_ids:
        raise PermissionDenied
    return territory


def is_team_of(user, territory_id) -> bool:
    return territory_id in scope_for(user).team_territory_ids
