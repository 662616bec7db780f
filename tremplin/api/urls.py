from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tremplin.api.errors import error_body, json_method_not_allowed
from tremplin.api.main import api


@csrf_exempt
def not_found(request, rest=""):
    """Any other address under /api/ answers in JSON too, not with the HTML 404 page (nor, for a write,
    with the HTML page of a failed CSRF check: a program calling with a token sends no CSRF token)."""
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
