"""The documentation page of the API: django-ninja's Swagger UI, from the ninja package's static files
(no CDN), in a page of the platform: its language, its icon, a bar leading back to the platform and to
the page that makes tokens. Under the platform's Content-Security-Policy as is: Swagger UI's settings
travel as JSON in a ``<script type="application/json">`` read by ninja's own ``swagger-ui-init.js``, and
no validator is called (it would load an image from validator.swagger.io, and send it the description).
"""

from __future__ import annotations

from ninja import Swagger


class PlatformSwagger(Swagger):
    template = "api/docs.html"

    def __init__(self):
        super().__init__(settings={"persistAuthorization": False, "validatorUrl": None})
