"""Access checks shared by the coaching views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tremplin.accounts.scoping import scope_for
from tremplin.programme.models import Call


def programme_team_only(view):
    """Programme-team pages answer 403 to every other role."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not scope_for(request.user).is_programme_team:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def visible_call_or_404(user, pk) -> Call:
    """A call whose calendar the user follows: the programme team, or a team of one of its territories."""
    scope = scope_for(user)
    calls = Call.objects.all()
    if not scope.is_programme_team:
        calls = calls.filter(participations__territory_id__in=scope.team_territory_ids).distinct()
    try:
        return calls.get(pk=pk)
    except Call.DoesNotExist:
        raise Http404 from None
