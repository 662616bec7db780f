"""The HTTP API, version 1, under ``/api/v1/`` (django-ninja: the OpenAPI 3 description is generated from
the code, at ``/api/v1/openapi.json``, with its documentation page at ``/api/v1/docs``).

Conventions every router follows, so that a client learns them once:

* **Authentication** (:mod:`tremplin.api.auth`): a personal token, ``Authorization: Bearer tpl_…``, or
  the browser session of the platform's own pages (with its CSRF token for writes). The request's user is
  the token's owner: every query goes through ``Model.objects.visible_to(request.user)`` and every write
  through the same domain operation as the interface, which checks the actor and writes the audit log.
  A token never sees more than its user.
* **Scope**: an object outside the user's scope is a 404 (never confirm that an identifier exists); an
  object the user may see but not change is a 403. Use :func:`tremplin.api.access.visible_or_404`.
* **Errors** (:mod:`tremplin.api.errors`) are JSON, ``{"code": "...", "message": "...", "field": ...,
  "errors": [...]}``, in the request's language (``Accept-Language``; French by default). ``code`` is
  stable and documented; ``field`` names the request field (``"body.quantity"``, ``"query.limit"``) or
  is null. Raise :class:`tremplin.api.errors.ApiError` (or a subclass) from a router; Http404,
  PermissionDenied and Django's ValidationError are turned into the same shape.
* **Lists** (:mod:`tremplin.api.pagination`): ``?limit=`` (1–200, default 50) and ``?offset=``; the
  answer is ``{"count": n, "limit": l, "offset": o, "results": [...]}``. Ordering: ``?ordering=name`` or
  ``?ordering=-name`` among the fields the endpoint lists in its description; filters are plain query
  parameters named after the field (``?naf=10.51A``, ``?territory=3``).
* **Writes** of objects that can be edited concurrently take the ``version`` the client read; a stale
  one is a 409 ``conflict`` (never a silent overwrite).
* **Identifiers** are the database's integer ids; codes (NAF, resource, SIREN, SIRET) are strings.

A list endpoint reads::

    @router.get("", response={200: Page[EstablishmentOut], **ERRORS})
    def establishments(request, territory: int, params: Query[ListParams], naf: str | None = None):
        queryset = Establishment.objects.visible_to(request.user).filter(territory_id=territory)
        queryset = ordered(queryset, params.ordering, {"name": "name", "siret": "siret"}, "name")
        return page(queryset, params, convert=establishment_out)

A router lives in ``tremplin/api/routers/<name>.py`` (``router = Router(tags=[...])``) and is added in
:mod:`tremplin.api.main`. Its tests live in ``tests/api/`` and use the personas of ``tests/api/conftest``.
"""
