from django.conf import settings

from tremplin.accounts.scoping import scope_for


def platform(request):
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "scope": scope_for(getattr(request, "user", None)),
    }
