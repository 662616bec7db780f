"""Role gates of the programme pages: 403 for any other role (and the login page for visitors)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from tremplin.accounts.scoping import scope_for


def _role_required(test):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(scope_for(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


programme_team_required = _role_required(lambda scope: scope.is_programme_team)
committee_required = _role_required(lambda scope: scope.is_committee_member)
