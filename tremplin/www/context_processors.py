from django.conf import settings

from tremplin.accounts.scoping import scope_for
from tremplin.www.navigation import nav_for


def platform(request):
    scope = scope_for(getattr(request, "user", None))
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "scope": scope,
        #: Territories whose data the user may change (read-only members see no edit buttons).
        "editor_territory_ids": scope.editor_territory_ids,
        "nav_items": nav_for(scope, request.path),
    }
