"""Who calls the API: a personal token (``Authorization: Bearer tpl_…``) or the platform's session.

Either way ``request.user`` is the person, so that the scoping mechanism and the domain operations see
the same actor as in the interface; ``request.auth`` is the :class:`~tremplin.api.models.ApiToken` for a
token, the user for a session.
"""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from tremplin.api import tokens


class TokenAuth(HttpBearer):
    """A personal API token, sent as a bearer token."""

    openapi_description = "Personal API token (Account › API tokens), sent as `Authorization: Bearer tpl_…`."

    def authenticate(self, request, token):
        found = tokens.authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        return found


class PlatformSession(SessionAuth):
    """The browser session of the platform's own pages; writes need the CSRF token (``X-CSRFToken``)."""

    openapi_description = (
        "Session cookie of the platform (pages of the platform itself); CSRF token for writes."
    )

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


AUTH = [TokenAuth(), PlatformSession(csrf=True)]
