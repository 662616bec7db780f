"""One shape for every error of the API, in the request's language.

``{"code": "not_found", "message": "…", "field": null, "errors": []}``; for validation errors, ``field``
names the first invalid field and ``errors`` lists each of them with its own code, message and field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    errors: list[ErrorItem] = []


#: Responses every operation may give, to spread in a ``response=`` mapping: ``{200: Out, **ERRORS}``.
ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class ApiError(Exception):
    """An error a router raises on purpose: status, stable code, message (translated) and field."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, *, field: str | None = None, code: str | None = None, status=None):
        super().__init__(str(message or ""))
        self.message = str(message) if message else ""
        self.field = field
        if code:
            self.code = code
        if status:
            self.status = status


class Conflict(ApiError):
    """The object changed since the client read it (stale ``version``), or the action collides."""

    status = 409
    code = "conflict"


class Invalid(ApiError):
    status = 422
    code = "invalid"


#: Messages of pydantic's error types, in our words and translated (pydantic's own are English only).
_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "string_type": gettext_lazy("Enter a text."),
    "string_too_short": gettext_lazy("This text is too short."),
    "string_too_long": gettext_lazy("This text is too long."),
    "string_pattern_mismatch": gettext_lazy("This value does not have the expected format."),
    "int_type": gettext_lazy("Enter a whole number."),
    "int_parsing": gettext_lazy("Enter a whole number."),
    "int_from_float": gettext_lazy("Enter a whole number."),
    "float_type": gettext_lazy("Enter a number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "decimal_type": gettext_lazy("Enter a number."),
    "decimal_parsing": gettext_lazy("Enter a number."),
    "decimal_max_digits": gettext_lazy("This number has too many digits."),
    "decimal_max_places": gettext_lazy("This number has too many decimal places."),
    "finite_number": gettext_lazy("Enter a finite number."),
    "greater_than": gettext_lazy("This number is too small."),
    "greater_than_equal": gettext_lazy("This number is too small."),
    "less_than": gettext_lazy("This number is too large."),
    "less_than_equal": gettext_lazy("This number is too large."),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_type": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "date_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": gettext_lazy("Enter a date (YYYY-MM-DD)."),
    "datetime_type": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": gettext_lazy("Enter a date and time (ISO 8601)."),
    "enum": gettext_lazy("This value is not one of the allowed choices."),
    "literal_error": gettext_lazy("This value is not one of the allowed choices."),
    "list_type": gettext_lazy("Enter a list."),
    "dict_type": gettext_lazy("Enter an object."),
    "model_type": gettext_lazy("Enter an object."),
    "model_attributes_type": gettext_lazy("Enter an object."),
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "json_type": gettext_lazy("The request body is not valid JSON."),
    "extra_forbidden": gettext_lazy("This field is not expected."),
    "too_long": gettext_lazy("This list is too long."),
    "too_short": gettext_lazy("This list is too short."),
    "uuid_parsing": gettext_lazy("Enter a valid identifier."),
}


def _field(loc) -> str | None:
    parts = [str(part) for part in loc or () if part not in ("", None)]
    return ".".join(parts) or None


def _item(error: dict) -> ErrorItem:
    kind = error.get("type", "invalid")
    known = _PYDANTIC_MESSAGES.get(kind)
    if known is not None:
        message = str(known)
    else:
        # A custom validator's message (ValueError raised by our schemas) is already translated.
        message = str(error.get("ctx", {}).get("error") or error.get("msg") or _("This value is not valid."))
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
    return ErrorItem(code=kind, message=message, field=_field(error.get("loc")))


def error_body(code: str, message: str, field: str | None = None, errors=()) -> dict:
    return {
        "code": code,
        "message": str(message),
        "field": field,
        "errors": [item.dict() if isinstance(item, ErrorItem) else item for item in errors],
    }


def _django_validation_items(exc: DjangoValidationError, prefix: str = "body") -> list[ErrorItem]:
    if hasattr(exc, "error_dict"):
        items = []
        for name, errors in exc.message_dict.items():
            field = None if name == "__all__" else f"{prefix}.{name}"
            items.extend(ErrorItem(code="invalid", message=str(m), field=field) for m in errors)
        return items
    return [ErrorItem(code="invalid", message=str(m)) for m in exc.messages]


def _body_fields_named_plainly(api) -> None:
    """A body schema's errors name the field from the body's top (``body.quantity``), not through the
    name of the view's parameter that holds it (ninja says ``body.payload.quantity``)."""
    original = api.validation_error_from_error_contexts

    def validation_error(error_contexts):
        names = {
            getattr(context.model, "__read_from_single_attr__", None)
            for context in error_contexts
            if getattr(context.model, "__ninja_param_source__", None) == "body"
        } - {None}
        error = original(error_contexts)
        for item in error.errors:
            loc = tuple(item.get("loc") or ())
            if len(loc) >= 2 and loc[0] == "body" and loc[1] in names:
                item["loc"] = ("body", *loc[2:])
        return error

    api.validation_error_from_error_contexts = validation_error


def install(api) -> None:
    """Register the handlers on a NinjaAPI instance."""
    _body_fields_named_plainly(api)

    def respond(request, status, body):
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def _validation(request, exc):
        items = [_item(e) for e in exc.errors]
        first = items[0] if items else ErrorItem(code="invalid", message=_("The request is not valid."))
        return respond(request, 422, error_body("invalid", first.message, first.field, items))

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request, exc):
        items = _django_validation_items(exc)
        first = items[0] if items else ErrorItem(code="invalid", message=_("The request is not valid."))
        return respond(request, 422, error_body("invalid", first.message, first.field, items))

    @api.exception_handler(ApiError)
    def _api_error(request, exc):
        return respond(request, exc.status, error_body(exc.code, exc.message, exc.field))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return respond(
            request,
            401,
            error_body("not_authenticated", _("Authentication required: send a valid API token.")),
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return respond(
            request, 403, error_body("forbidden", str(exc) or _("You are not allowed to do this."))
        )

    @api.exception_handler(NinjaThrottled)
    def _throttled(request, exc):
        response = respond(request, 429, error_body("rate_limited", _("Too many requests: slow down.")))
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        codes = {
            400: "bad_request",
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
            415: "unsupported_media_type",
        }
        return respond(request, exc.status_code, error_body(codes.get(exc.status_code, "error"), str(exc)))
