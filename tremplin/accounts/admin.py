"""The Django admin is for the platform's operators (superusers) only: every role is granted and
removed in the interface (accounts.invitations, accounts.services), never here by staff members."""

from django.contrib import admin


def _operators_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _operators_only
