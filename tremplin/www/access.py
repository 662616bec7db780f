"""Helpers that every view uses to reach objects through the scoping mechanism."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tremplin.accounts.scoping import scope_for
from tremplin.territories.models import Territory


def get_visible_or_404(model, user, **lookup):
    """The object matching ``lookup`` among those ``user`` may see; 404 otherwise.

    A 404 (not a 403) for objects outside the scope avoids confirming that an identifier exists.
    """
    try:
        return model.objects.visible_to(user).get(**lookup)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None


def is_team_of(user, territory_id: int) -> bool:
    """Whether the user belongs to the team of that territory (the only role that works in it)."""
    return territory_id in scope_for(user).team_territory_ids


def team_territory_or_404(user, pk) -> Territory:
    """The territory, if the user is on its team: 404 outside the user's scope, 403 for the other roles
    that may open the territory (the programme team sees aggregates only, a company contact its own
    establishment)."""
    territory = get_visible_or_404(Territory, user, pk=pk)
    if not is_team_of(user, territory.pk):
        raise PermissionDenied
    return territory


def team_establishment_or_404(user, pk):
    """An establishment of the user's territory team: 404 outside the scope, 403 for its company contact."""
    from tremplin.establishments.models import Establishment

    establishment = get_visible_or_404(Establishment, user, pk=pk)
    if not is_team_of(user, establishment.territory_id):
        raise PermissionDenied
    return establishment
