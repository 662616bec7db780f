"""Login throttling (django-axes): how attempts are counted and what a locked-out person reads.

Failures are counted per address *and* client IP address (``AXES_LOCKOUT_PARAMETERS``), so that an
attacker cannot lock a colleague out from elsewhere, and the address is compared in lower case so that
``Agent@EPCI.fr`` and ``agent@epci.fr`` count together.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


def login_name(request, credentials=None) -> str:
    """The address an attempt was made for, as Axes counts it (``AXES_USERNAME_CALLABLE``)."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value or "").strip().lower()[:254]


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out person sees (``AXES_LOCKOUT_CALLABLE``), in the interface's language."""
    from django.shortcuts import render

    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' backend, for sign-ins that come with an HTTP request (every login form does).

    Axes refuses an ``authenticate()`` call without a request; a call from the command line, a shell
    or a test has no client to throttle, so it is let through to the next backend instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
