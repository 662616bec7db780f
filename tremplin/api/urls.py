from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from tremplin.api.errors import error_body, json_method_not_allowed
from tremplin.api.main import api


def not_found(request, rest=""):
    """Any other address under /api/ answers in JSON too, not with the HTML 404 page."""
    return JsonResponse(error_body("not_found", _("No such API address.")), status=404)


def _v1():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = json_method_not_allowed(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("v1/", _v1()),
    re_path(r"^(?P<rest>.*)$", not_found),
]
