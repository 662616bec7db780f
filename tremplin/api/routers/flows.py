"""``/flows``: the flows of establishments (list, detail, declare, change, delete) and the flows estimated
from an establishment's sector profile.

Scope, as on the platform's pages (``Flow.objects.visible_to``): a territory's team (read-only members
included) reads its territory's flows; a company contact reads its own establishment's; nobody else
(the programme team sees aggregates, never a company's flows). Writes go through
:mod:`tremplin.flows.services` (``declare_flow``, ``update_flow``, ``delete_flow``), which check the
actor (the team's members with edit access; a company contact for its own establishment), validate
the quantity against the resource's unit and write the audit log.

**Quantities** are exact decimals. In a request, ``quantity`` and ``current_cost_eur_per_year`` may be
a JSON number or a string (``12.5`` or ``"12.5"``; a string keeps every digit); in an answer they are
always strings without trailing zeros (``"12.5"``, ``"300"``), so that no figure is rounded on its way.
``quantity_per_year`` is the engine's figure, a JSON number in the resource's catalogue unit
(``quantity_per_year_unit``), converted from what was stated (``quantity`` ``unit`` per ``frequency``).

Every flow says where it comes from: ``basis`` (``declared`` by the company or its territory team,
``workshop``: stated in a detection workshop, ``register``: read from a public register) and ``source``
(the register and its year, e.g. ``IREP 2022``, or a sentence saying who stated it). Estimates are never
stored: ``/flows/estimates`` computes them (basis ``estimated``), each with the source of its intensity.
A flow is never ``measured``: that basis belongs to a synergy's benefits reported after implementation.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, ConfigDict

from tremplin.api.access import team_territory_or_404, visible_or_404
from tremplin.api.errors import ERRORS, ApiError, Conflict, ErrorOut, Invalid
from tremplin.api.pagination import ListParams, Page, ordered, page
from tremplin.establishments.models import Establishment
from tremplin.flows import catalogue
from tremplin.flows.estimates import estimated_flows
from tremplin.flows.models import Basis, Direction, Flow
from tremplin.flows.quantities import Frequency
from tremplin.flows.services import (
    FlowConflict,
    FlowError,
    FlowNotAllowed,
    declare_flow,
    delete_flow,
    update_flow,
)
from tremplin.submissions.services import AlreadySubmitted, was_replayed

router = Router(tags=["flows"])

# Literal types of the choices, written out so that the OpenAPI description lists them.
DirectionCode = Literal["out", "in"]
FrequencyCode = Literal["year", "month", "week", "day", "one_off"]
StoredBasis = Literal["declared", "workshop", "register"]
AnyBasis = Literal["declared", "workshop", "register", "estimated"]
assert set(DirectionCode.__args__) == set(Direction.values)
assert set(FrequencyCode.__args__) == set(Frequency.PER_YEAR)
assert set(AnyBasis.__args__) == set(Basis.values)

#: A decimal as the answers write it: digits, an optional sign and decimal point, no exponent.
DECIMAL_TEXT = r"^-?\d+(\.\d+)?$"
# Control characters PostgreSQL refuses (NUL) or that belong in no code or name; notes keep line breaks
# and tabs.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_NOTES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(_("This text contains a control character."))
    return value


def _no_control_in_notes(value: str) -> str:
    if _CONTROL_IN_NOTES.search(value):
        raise ValueError(_("This text contains a control character."))
    return value


Code = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_no_control)]
Unit = Annotated[str, Field(min_length=1, max_length=16), AfterValidator(_no_control)]
Route = Annotated[str, Field(max_length=300), AfterValidator(_no_control)]
Notes = Annotated[str, Field(max_length=5000), AfterValidator(_no_control_in_notes)]
Quantity = Annotated[
    Decimal,
    Field(ge=0, max_digits=16, decimal_places=4, description='Number or string, e.g. 12.5 or "12.5".'),
]
Cost = Annotated[
    Decimal,
    Field(
        max_digits=14,
        decimal_places=2,
        description="€ per year, number or string; negative when the flow is sold.",
    ),
]


class FlowOut(Schema):
    id: int
    establishment: int
    establishment_name: str
    territory: int
    direction: DirectionCode
    resource: str
    resource_label: str
    family: str
    family_label: str
    quantity: str = Field(pattern=DECIMAL_TEXT, description="As stated, in `unit` per `frequency`.")
    unit: str
    frequency: FrequencyCode
    quantity_per_year: float = Field(description="In `quantity_per_year_unit` per year.")
    quantity_per_year_unit: str
    basis: AnyBasis
    source: str = Field(description="Where the figure comes from (register and year, or who stated it).")
    register_year: int | None
    below_threshold: bool = Field(
        description="A register line below its reporting threshold: `quantity` is an upper bound."
    )
    treatment_operation: str = Field(description="R1–R13 or D1–D15 code of the current treatment.")
    quality_notes: str
    current_route: str
    current_cost_eur_per_year: str | None = Field(pattern=DECIMAL_TEXT)
    confidential: bool
    version: int = Field(description="Send it back to change or delete the flow.")
    created_at: dt.datetime
    updated_at: dt.datetime


class FlowIn(Schema):
    model_config = ConfigDict(extra="forbid")

    establishment: int
    direction: DirectionCode
    resource: Code = Field(description="Code of the resource catalogue (`/catalogue`).")
    quantity: Quantity
    unit: Unit = Field(description="t, kg, m3, L, MWh, kWh…: converted to the resource's unit.")
    frequency: FrequencyCode = "year"
    quality_notes: Notes = ""
    current_route: Route = ""
    current_cost_eur_per_year: Cost | None = None
    confidential: bool = True


class FlowPatch(Schema):
    """The fields to change (the others stay as they are) and the ``version`` the client read."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2_147_483_647, description="The flow's version the change was made from.")
    direction: DirectionCode = None
    resource: Code = None
    quantity: Quantity = None
    unit: Unit = None
    frequency: FrequencyCode = None
    quality_notes: Notes = None
    current_route: Route = None
    current_cost_eur_per_year: Cost | None = None
    confidential: bool = None


class FlowFilters(Schema):
    territory: int | None = Field(None, description="Flows of this territory (its team only).")
    establishment: int | None = Field(None, description="Flows of this establishment.")
    direction: DirectionCode | None = None
    resource: str | None = Field(None, max_length=64, description="Resource code.")
    family: str | None = Field(None, max_length=64, description="Resource family code.")
    basis: StoredBasis | None = None


class EstimateOut(Schema):
    direction: DirectionCode
    resource: str
    resource_label: str
    family: str
    family_label: str
    quantity_per_year: float
    quantity_per_year_unit: str
    basis: Literal["estimated"]
    source: str = Field(description="The reference of the sector intensity.")
    source_url: str
    note: str
    headcount: int = Field(description="Headcount assumed (middle of the INSEE band).")


ORDERING = {
    "establishment": "establishment__name",
    "resource": "resource",
    "direction": "direction",
    "quantity_per_year": "quantity_per_year",
    "updated_at": "updated_at",
    "created_at": "created_at",
}
ORDERING_TEXT = ", ".join(sorted(ORDERING))
FlowOrdering = Literal[
    "establishment",
    "-establishment",
    "resource",
    "-resource",
    "direction",
    "-direction",
    "quantity_per_year",
    "-quantity_per_year",
    "updated_at",
    "-updated_at",
    "created_at",
    "-created_at",
]
assert {value.lstrip("-") for value in FlowOrdering.__args__} == set(ORDERING)


class FlowListParams(ListParams):
    ordering: FlowOrdering | None = Field(
        None, description="Field to order by; a leading '-' orders by decreasing values."
    )


class PageParams(Schema):
    """Pages of a list that has no ordering of its own."""

    limit: int = ListParams.model_fields["limit"]
    offset: int = ListParams.model_fields["offset"]


def _plain(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def _source(flow: Flow) -> str:
    if flow.source:
        return flow.source
    if flow.basis == Basis.WORKSHOP:
        return _("stated in a detection workshop")
    if flow.basis == Basis.REGISTER:
        return _("read from a public register")
    return _("declared by the establishment or its territory team")


def flow_out(flow: Flow) -> dict:
    entry = catalogue.catalogue_entry(flow.resource)
    return {
        "id": flow.pk,
        "establishment": flow.establishment_id,
        "establishment_name": flow.establishment.name,
        "territory": flow.establishment.territory_id,
        "direction": flow.direction,
        "resource": flow.resource,
        "resource_label": entry.label if entry else flow.resource,
        "family": entry.family_code if entry else "",
        "family_label": entry.family_label if entry else "",
        "quantity": _plain(flow.quantity),
        "unit": flow.unit,
        "frequency": flow.frequency,
        "quantity_per_year": flow.quantity_per_year,
        "quantity_per_year_unit": entry.unit if entry else "",
        "basis": flow.basis,
        "source": _source(flow),
        "register_year": flow.register_year,
        "below_threshold": flow.below_threshold,
        "treatment_operation": flow.treatment_operation,
        "quality_notes": flow.quality_notes,
        "current_route": flow.current_route,
        "current_cost_eur_per_year": _plain(flow.current_cost_eur_per_year),
        "confidential": flow.confidential,
        "version": flow.version,
        "created_at": flow.created_at,
        "updated_at": flow.updated_at,
    }


def _flow_or_404(request, flow_id: int) -> Flow:
    return visible_or_404(Flow, request, pk=flow_id)


def _refused(error: FlowError):
    """The API error of a flow operation's refusal."""
    if isinstance(error, FlowNotAllowed):
        raise ApiError(error.message, code="forbidden", status=403)
    if isinstance(error, FlowConflict):
        raise Conflict(
            error.message + " " + _("Its version is now %(version)s.") % {"version": error.current.version},
            field="body.version",
        )
    raise Invalid(error.message, field=f"body.{error.field}" if error.field else None)


def _known(codes: set[str], value: str, field: str, message: str) -> None:
    if value not in codes:
        raise Invalid(message % {"value": value}, field=field)


def _families() -> dict[str, set[str]]:
    families: dict[str, set[str]] = {}
    for entry in catalogue._entries():
        families.setdefault(entry.family_code, set()).add(entry.code)
    return families


@router.get(
    "",
    response={200: Page[FlowOut], **ERRORS},
    summary="Flows of a territory or an establishment",
    description=(
        "The flows the caller may read, filtered by `territory` (its team only), `establishment`, "
        "`direction`, `resource`, `family` (resource family) and `basis`. "
        f"Ordering: {ORDERING_TEXT} (default: establishment, outputs first, resource)."
    ),
)
def flows(request, params: Query[FlowListParams], filters: Query[FlowFilters]):
    queryset = Flow.objects.visible_to(request.user).select_related("establishment")
    if filters.territory is not None:
        territory = team_territory_or_404(request, filters.territory)
        queryset = queryset.for_territory(territory)
    if filters.establishment is not None:
        establishment = visible_or_404(Establishment, request, pk=filters.establishment)
        queryset = queryset.for_establishment(establishment)
    if filters.direction:
        queryset = queryset.filter(direction=filters.direction)
    if filters.basis:
        queryset = queryset.filter(basis=filters.basis)
    if filters.resource is not None:
        codes = {entry.code for entry in catalogue._entries()}
        _known(codes, filters.resource, "query.resource", _("Unknown resource code “%(value)s”."))
        queryset = queryset.filter(resource=filters.resource)
    if filters.family is not None:
        families = _families()
        _known(set(families), filters.family, "query.family", _("Unknown resource family “%(value)s”."))
        queryset = queryset.filter(resource__in=sorted(families[filters.family]))
    queryset = ordered(queryset, params.ordering, ORDERING, ("establishment__name", "-direction", "resource"))
    return page(queryset, params, convert=flow_out)


@router.get(
    "/estimates",
    response={200: Page[EstimateOut], **ERRORS},
    summary="Flows estimated from an establishment's sector profile",
    description=(
        "Typical flows of the establishment's activity code for the middle of its headcount band, each "
        "with the source of its intensity: leads to check with the company, never facts. A known flow "
        "(declared, workshop or register) of the same resource and direction replaces its estimate."
    ),
)
def estimates(request, establishment: int, params: Query[PageParams]):
    found = visible_or_404(Establishment, request, pk=establishment)
    known = set(
        Flow.objects.visible_to(request.user).for_establishment(found).values_list("direction", "resource")
    )
    rows = []
    for estimate in estimated_flows(found, replaced_by=known):
        entry = catalogue.catalogue_entry(estimate.resource)
        rows.append(
            {
                "direction": estimate.direction,
                "resource": estimate.resource,
                "resource_label": estimate.resource_label,
                "family": entry.family_code if entry else "",
                "family_label": estimate.family_label,
                "quantity_per_year": estimate.quantity_per_year,
                "quantity_per_year_unit": estimate.unit,
                "basis": "estimated",
                "source": estimate.source_title,
                "source_url": estimate.source_url,
                "note": estimate.note,
                "headcount": estimate.headcount,
            }
        )
    return page(rows, params)


@router.get("/{flow_id}", response={200: FlowOut, **ERRORS}, summary="One flow")
def flow_detail(request, flow_id: int):
    return flow_out(_flow_or_404(request, flow_id))


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
    "description": "A key of the client's own, the same for every retry of one declaration.",
}


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key or len(key) > 64 or _CONTROL.search(key):
        raise Invalid(
            _("Send a key of 1 to 64 characters, without control characters."),
            field="header.Idempotency-Key",
        )
    return key


@router.post(
    "",
    response={201: FlowOut, 200: FlowOut, **ERRORS, 415: ErrorOut},
    summary="Declare a flow",
    openapi_extra={"parameters": [IDEMPOTENCY_KEY]},
    description=(
        "Declares a flow of an establishment (basis `declared`). Allowed to its territory's team members "
        "with edit access and to the establishment's company contacts. With an `Idempotency-Key` header "
        "(at most 64 characters), sending the same request again returns the flow the first one recorded "
        "(200) instead of recording a second one."
    ),
)
def flow_create(request, body: FlowIn):
    idempotency_key = _idempotency_key(request)
    establishment = visible_or_404(Establishment, request, pk=body.establishment)
    values = body.dict(exclude={"establishment"})
    try:
        flow = declare_flow(establishment, by=request.user, submission_key=idempotency_key, **values)
    except AlreadySubmitted as error:
        raise Conflict(error.message, field="header.Idempotency-Key") from None
    except FlowError as error:
        _refused(error)
    replayed = was_replayed(flow)
    flow = Flow.objects.select_related("establishment").get(pk=flow.pk)
    return Status(200 if replayed else 201, flow_out(flow))


#: Fields a change may not set to null.
_NOT_NULL = (
    "direction",
    "resource",
    "quantity",
    "unit",
    "frequency",
    "quality_notes",
    "current_route",
    "confidential",
)


@router.patch(
    "/{flow_id}",
    response={200: FlowOut, **ERRORS, 415: ErrorOut},
    summary="Change a flow",
    description=(
        "Changes the fields given, from the `version` the client read: when the flow changed since, the "
        "answer is 409 and nothing is written (read it again, then send the change again)."
    ),
)
def flow_update(request, flow_id: int, body: FlowPatch):
    flow = _flow_or_404(request, flow_id)
    changes = body.dict(exclude_unset=True)
    version = changes.pop("version")
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            raise Invalid(_("This field may not be null."), field=f"body.{name}")
    try:
        flow = update_flow(flow, by=request.user, expected_version=version, **changes)
    except FlowError as error:
        _refused(error)
    return flow_out(Flow.objects.select_related("establishment").get(pk=flow.pk))


@router.delete(
    "/{flow_id}",
    response={204: None, **ERRORS},
    summary="Delete a flow",
    description="Deletes the flow as the client read it (`version`); 409 when it changed since.",
)
def flow_delete(request, flow_id: int, version: Annotated[int, Query(ge=1, le=2_147_483_647)]):
    flow = _flow_or_404(request, flow_id)
    try:
        delete_flow(flow, by=request.user, expected_version=version)
    except FlowError as error:
        _refused(error)
    return Status(204, None)
