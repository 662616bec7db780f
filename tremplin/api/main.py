"""The API instance: authentication, error handlers, documentation, and one line per router."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from tremplin.api import errors
from tremplin.api.auth import AUTH

DESCRIPTION = """
The HTTP API of Tremplin, version 1. Every answer is scoped like the platform's pages: a token sees
exactly what its owner sees, and writes go through the same rules (and the same audit log) as the
interface.

* Authentication: `Authorization: Bearer tpl_…` with a personal token (Account › API tokens), or the
  platform's session.
* Lists: `?limit=` (1–200, default 50), `?offset=`, `?ordering=field` or `-field`; the answer is
  `{"count", "limit", "offset", "results"}`.
* Errors: `{"code", "message", "field", "errors"}`, in the language of `Accept-Language` (French by
  default).
"""

api = NinjaAPI(
    title="Tremplin API",
    version="1",
    description=DESCRIPTION,
    auth=AUTH,
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

# Routers (one line each).
from tremplin.api.routers import me  # noqa: E402

api.add_router("/me", me.router)
api.add_router("/territories", "tremplin.api.routers.territories.router")
api.add_router("/establishments", "tremplin.api.routers.establishments.router")
api.add_router("/catalogue", "tremplin.api.routers.catalogue.router")
api.add_router("", "tremplin.api.routers.indicators.router")
api.add_router("/territories", "tremplin.api.routers.geojson.router")
api.add_router("/detection", "tremplin.api.routers.detection.router")
api.add_router("/synergies", "tremplin.api.routers.synergies.router")
api.add_router("/flows", "tremplin.api.routers.flows.router")
api.add_router("/imports", "tremplin.api.routers.imports.router")
