"""Reaching objects through the scoping mechanism from a router, like tremplin.www.access for views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tremplin.accounts.scoping import scope_for


def visible_or_404(model, request, **lookup):
    """The object matching ``lookup`` among those the caller may see; 404 otherwise."""
    try:
        return model.objects.visible_to(request.user).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def team_territory_or_404(request, pk):
    """A territory of the caller's team (read access): 404 outside the scope, 403 for the other roles
    that may see it (the programme team sees aggregates, a company contact its own establishment)."""
    from tremplin.territories.models import Territory

    territory = visible_or_404(Territory, request, pk=pk)
    if territory.pk not in scope_for(request.user).team_territory_ids:
        raise PermissionDenied
    return territory


def require_editor(request, territory_id) -> None:
    """403 unless the caller may change that territory's data (a read-only member may not)."""
    if not scope_for(request.user).may_edit_territory(territory_id):
        raise PermissionDenied
