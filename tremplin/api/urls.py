from django.http import JsonResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tremplin.api.errors import error_body
from tremplin.api.main import api


@csrf_exempt  # a POST to an unknown address is a JSON 404, not the HTML page of a CSRF refusal
def not_found(request, rest=""):
    """Any other address under /api/ answers in JSON too, not with the HTML 404 page."""
    return JsonResponse(error_body("not_found", _("No such API address.")), status=404)


urlpatterns = [
    path("v1/", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
