"""The documentation page of the API: django-ninja's Swagger UI, from the ninja package's static files
(no CDN), in a page of the platform: its language, its icon, a bar leading back to the platform and to
the page that makes tokens. Under the platform's Content-Security-Policy as is: Swagger UI's settings
travel as JSON (``json_script``) read by ninja's own ``swagger-ui-init.js``, and
no validator is called (it would load an image from validator.swagger.io, and send it the description).
"""

from __future__ import annotations

from django.shortcuts import render
from ninja import Swagger
from ninja.openapi.docs import _csrf_needed


class PlatformSwagger(Swagger):
    template = "api/docs.html"

    def __init__(self):
        super().__init__(settings={"persistAuthorization": False, "validatorUrl": None})

    def render_page(self, request, api, **kwargs):
        # The settings go through json_script (escaped for a <script> element), as every page's data.
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, self.template, context)
