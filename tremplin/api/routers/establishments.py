"""``/establishments``: the establishments of a territory (list with filters, detail, create, update).

Who sees what is the interface's rule (``tremplin/www/establishments``): establishment records are
confidential to their territory's team and to their own company contacts. The team sees its working
record too (engagement, meeting date, notes, the people it deals with: ``team``); a company contact sees
only its own establishment, without that record (``team`` is null); the programme team follows
aggregates (territory facts, indicators), never this list (403).

Writes go through :mod:`tremplin.establishments.services` (actor checked, audit written, record
validated), after the interface's own form has checked the values, so that a value is refused for the
same reason with the same message, and the error names the field (``body.siret``). An update carries
the ``version`` the client read: a stale one is a 409 and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from tremplin.accounts.scoping import scope_for
from tremplin.api.access import require_editor, visible_or_404
from tremplin.api.errors import ERRORS, Conflict, Invalid
from tremplin.api.fields import MultiLineText, SearchText, single_line
from tremplin.api.pagination import ListParams, Page, ordered, page
from tremplin.audit.display import describe_entries
from tremplin.audit.models import AuditEntry
from tremplin.engine.headcount import all_headcount_bands
from tremplin.engine.naf import UnknownNafCode, naf_label, normalise_naf
from tremplin.establishments.models import (
    HEADCOUNT_GROUPS,
    DataOrigin,
    Engagement,
    Establishment,
    EstablishmentContact,
    EstablishmentKind,
    LocationPrecision,
    NafNomenclature,
)
from tremplin.establishments.services import (
    EditConflict,
    EstablishmentError,
    create_establishment,
    update_establishment,
)
from tremplin.flows.models import Flow
from tremplin.territories.models import Territory
from tremplin.www.establishments.forms import EstablishmentForm
from tremplin.www.establishments.views.edit_views import form_values

router = Router(tags=["establishments"])

HEADCOUNT_BANDS = tuple(band.code for band in all_headcount_bands())
HeadcountBand = Literal[HEADCOUNT_BANDS]  # type: ignore[valid-type]
EngagementValue = Literal[tuple(Engagement.values)]  # type: ignore[valid-type]
INSEE_CODE = r"^[0-9][0-9AB][0-9]{3}$"
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
MAX_VERSION = 2_147_483_647


# --- Answers ---------------------------------------------------------------------------------------


class CommuneOut(Schema):
    insee_code: str
    name: str


class ContactOut(Schema):
    id: int
    name: str
    job_title: str
    email: str
    phone: str
    notes: str
    version: int


class TeamRecordOut(Schema):
    """The territory team's working record of the establishment (for the team only)."""

    engagement: EngagementValue
    engagement_label: str
    met_on: dt.date | None
    notes: str
    hand_corrected: list[str] = Field(description="Fields corrected by hand, that a re-import keeps.")


class HistoryDetail(Schema):
    label: str
    value: str


class HistoryEntryOut(Schema):
    at: dt.datetime
    action: str = Field(description="Action code of the audit log, e.g. establishment.updated.")
    actor: str
    sentence: str
    details: list[HistoryDetail]


class TeamDetailOut(TeamRecordOut):
    contacts: list[ContactOut]
    history: list[HistoryEntryOut] = Field(description="The record's journal, newest first (100 at most).")


class EstablishmentOut(Schema):
    id: int
    territory: int
    kind: Literal[tuple(EstablishmentKind.values)]  # type: ignore[valid-type]
    siret: str | None = Field(
        description="14 digits; null only for a heat network whose operator is unknown."
    )
    name: str
    naf_code: str
    naf_nomenclature: Literal[tuple(NafNomenclature.values)]  # type: ignore[valid-type]
    naf_label: str
    headcount_band: HeadcountBand
    headcount_label: str
    commune: CommuneOut
    address: str
    latitude: float
    longitude: float
    location_precision: Literal[tuple(LocationPrecision.values)]  # type: ignore[valid-type]
    location_note: str
    origin: Literal[tuple(DataOrigin.values)]  # type: ignore[valid-type]
    imported_at: dt.datetime | None
    is_demo: bool
    version: int = Field(description="Send it back with an update: a stale one is refused (409).")
    created_at: dt.datetime
    updated_at: dt.datetime
    team: TeamRecordOut | None = Field(description="The territory team's record; null for anyone else.")


class EstablishmentDetailOut(EstablishmentOut):
    team: TeamDetailOut | None = Field(description="The territory team's record; null for anyone else.")


# --- Requests --------------------------------------------------------------------------------------


class EstablishmentFilters(Schema):
    territory: int = Field(description="The territory whose establishments are listed.")
    q: SearchText | None = Field(None, description="Part of the name, or start of the SIRET.")
    naf: str | None = Field(
        None,
        pattern=r"^[0-9A-Za-z. ]{2,10}$",
        description="NAF code (rév. 2 or 2025): that code, or a class and its subclasses (10.71).",
    )
    section: str | None = Field(None, pattern=r"^[A-U]$", description="NAF section (one letter).")
    division: str | None = Field(None, pattern=r"^[0-9]{2}$", description="NAF division (two digits).")
    size: Literal[tuple(HEADCOUNT_GROUPS)] | None = Field(None, description="Size group.")  # type: ignore[valid-type]
    commune: str | None = Field(None, pattern=INSEE_CODE, description="INSEE code of the commune.")
    engagement: Literal[(*Engagement.values, "met_or_engaged", "not_engaged")] | None = Field(  # type: ignore[valid-type]
        None, description="The territory team only."
    )
    has_flows: bool | None = Field(None, description="With (true) or without (false) a known flow.")
    is_demo: bool | None = None
    kind: Literal[tuple(EstablishmentKind.values)] | None = None  # type: ignore[valid-type]


class EstablishmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    territory: int
    siret: single_line(20, min_length=1) = Field(description="14 digits; spaces are ignored.")  # type: ignore[valid-type]
    name: single_line(200, min_length=1)  # type: ignore[valid-type]
    naf_code: single_line(10, min_length=1) = Field(description="NAF rév. 2 (10.71C) or NAF 2025 (10.71H).")  # type: ignore[valid-type]
    headcount_band: HeadcountBand = "NN"
    commune: str = Field(pattern=INSEE_CODE, description="INSEE code of a commune of the territory.")
    address: single_line(300) = ""  # type: ignore[valid-type]
    latitude: Latitude | None = Field(None, description="WGS84; with the longitude, or neither.")
    longitude: Longitude | None = Field(None, description="Both empty: a point inside the commune.")
    engagement: EngagementValue = "identified"
    met_on: dt.date | None = None
    notes: MultiLineText = ""


class EstablishmentUpdate(Schema):
    """The fields to change (the others keep their value), and the version they were read at."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION, description="The version the client read.")
    siret: single_line(20, min_length=1) = None  # type: ignore[valid-type]
    name: single_line(200, min_length=1) = None  # type: ignore[valid-type]
    naf_code: single_line(10, min_length=1) = None  # type: ignore[valid-type]
    headcount_band: HeadcountBand = None
    commune: str = Field(None, pattern=INSEE_CODE)
    address: single_line(300) = None  # type: ignore[valid-type]
    latitude: Latitude | None = Field(None, description="null (with the longitude): the commune's point.")
    longitude: Longitude | None = None
    engagement: EngagementValue = None
    met_on: dt.date | None = None
    notes: MultiLineText = None


# --- Reading ---------------------------------------------------------------------------------------

ORDERING = {
    "name": "name",
    "siret": "siret",
    "naf": "naf_code",
    "size": "headcount_band",
    "commune": "commune__name",
}
TEAM_ORDERING = {**ORDERING, "engagement": "engagement", "updated": "updated_at"}


def _naf_label(code: str) -> str:
    try:
        return naf_label(code)
    except (UnknownNafCode, KeyError, ValueError):
        return ""


HISTORY_SHOWN = 100


def _history(user, establishment) -> list[dict]:
    """The establishment's own journal as its page shows it (entered, changed, contacts)."""
    entries = AuditEntry.objects.visible_to(user).about(establishment).select_related("actor")[:HISTORY_SHOWN]
    return [
        {
            "at": shown.at,
            "action": shown.code,
            "actor": str(shown.actor),
            "sentence": str(shown.sentence),
            "details": [{"label": str(label), "value": str(value)} for label, value in shown.details],
        }
        for shown in describe_entries(entries)
    ]


def _team_record(establishment, contacts=None, history=None) -> dict:
    record = {
        "engagement": establishment.engagement,
        "engagement_label": establishment.get_engagement_display(),
        "met_on": establishment.met_on,
        "notes": establishment.notes,
        "hand_corrected": list(establishment.hand_corrected or []),
    }
    if contacts is not None:
        record["contacts"] = [
            {
                "id": c.pk,
                "name": c.name,
                "job_title": c.job_title,
                "email": c.email,
                "phone": c.phone,
                "notes": c.notes,
                "version": c.version,
            }
            for c in contacts
        ]
        record["history"] = history or []
    return record


def establishment_out(establishment, *, is_team: bool, contacts=None, history=None) -> dict:
    return {
        "id": establishment.pk,
        "territory": establishment.territory_id,
        "kind": establishment.kind,
        "siret": establishment.siret,
        "name": establishment.name,
        "naf_code": establishment.naf_code,
        "naf_nomenclature": establishment.naf_nomenclature,
        "naf_label": _naf_label(establishment.naf_code),
        "headcount_band": establishment.headcount_band,
        "headcount_label": establishment.get_headcount_band_display(),
        "commune": {"insee_code": establishment.commune.insee_code, "name": establishment.commune.name},
        "address": establishment.address,
        "latitude": establishment.latitude,
        "longitude": establishment.longitude,
        "location_precision": establishment.location_precision,
        "location_note": establishment.location_note,
        "origin": establishment.origin,
        "imported_at": establishment.imported_at,
        "is_demo": establishment.is_demo,
        "version": establishment.version,
        "created_at": establishment.created_at,
        "updated_at": establishment.updated_at,
        "team": _team_record(establishment, contacts, history) if is_team else None,
    }


def _detail(request, establishment) -> dict:
    is_team = establishment.territory_id in scope_for(request.user).team_territory_ids
    contacts = history = None
    if is_team:
        contacts = EstablishmentContact.objects.visible_to(request.user).filter(establishment=establishment)
        history = _history(request.user, establishment)
    return establishment_out(establishment, is_team=is_team, contacts=contacts, history=history)


def _filter(queryset, filters: EstablishmentFilters, *, is_team: bool):
    if filters.q:
        queryset = queryset.search(filters.q)
    if filters.naf:
        try:
            code = normalise_naf(filters.naf)
        except UnknownNafCode:
            raise Invalid(_("Unknown NAF code (NAF rév. 2 or NAF 2025)."), field="query.naf") from None
        queryset = (
            queryset.filter(naf_code__startswith=code) if len(code) == 5 else queryset.filter(naf_code=code)
        )
    if filters.section:
        queryset = queryset.in_naf_section(filters.section)
    if filters.division:
        queryset = queryset.in_naf_division(filters.division)
    if filters.size:
        queryset = queryset.in_headcount_group(filters.size)
    if filters.commune:
        queryset = queryset.filter(commune__insee_code=filters.commune)
    if filters.engagement:
        if not is_team:
            raise Invalid(
                _("Only the territory's team may filter on the engagement."), field="query.engagement"
            )
        if filters.engagement == "met_or_engaged":
            queryset = queryset.met()
        elif filters.engagement == "not_engaged":
            queryset = queryset.exclude(engagement=Engagement.ENGAGED)
        else:
            queryset = queryset.filter(engagement=filters.engagement)
    if filters.has_flows is not None:
        with_flows = Flow.objects.known().values("establishment_id")
        queryset = (
            queryset.filter(pk__in=with_flows) if filters.has_flows else queryset.exclude(pk__in=with_flows)
        )
    if filters.is_demo is not None:
        queryset = queryset.filter(is_demo=filters.is_demo)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return queryset


@router.get(
    "",
    response={200: Page[EstablishmentOut], **ERRORS},
    summary="Establishments of a territory",
    description=(
        "The territory's team sees every establishment of the territory with its working record; a "
        "company contact, its own establishment only; the programme team gets 403 (aggregates only).\n\n"
        "Ordering: `name` (default), `siret`, `naf`, `size`, `commune`; for the team also `engagement` "
        "and `updated`."
    ),
)
def establishments(request, params: Query[ListParams], filters: Query[EstablishmentFilters]):
    territory = visible_or_404(Territory, request, pk=filters.territory)
    scope = scope_for(request.user)
    is_team = territory.pk in scope.team_territory_ids
    if not is_team and territory.pk not in scope.contact_territory_ids:
        raise PermissionDenied  # the programme team follows aggregates, not establishment records
    queryset = (
        Establishment.objects.visible_to(request.user).for_territory(territory).select_related("commune")
    )
    queryset = _filter(queryset, filters, is_team=is_team)
    queryset = ordered(queryset, params.ordering, TEAM_ORDERING if is_team else ORDERING, "name")
    return page(queryset, params, convert=lambda e: establishment_out(e, is_team=is_team))


@router.get(
    "/{establishment_id}", response={200: EstablishmentDetailOut, **ERRORS}, summary="An establishment"
)
def establishment(request, establishment_id: int):
    found = visible_or_404(Establishment, request, pk=establishment_id)
    return _detail(request, found)


# --- Writing ---------------------------------------------------------------------------------------


def _editable_territory(request, territory_id) -> Territory:
    """404 outside the caller's scope, 403 unless the caller is on the team with edit access."""
    territory = visible_or_404(Territory, request, pk=territory_id)
    if territory.pk not in scope_for(request.user).team_territory_ids:
        raise PermissionDenied
    require_editor(request, territory.pk)
    return territory


def _commune_pk(territory, code: str) -> int:
    commune = territory.epci.communes.filter(insee_code=code).values_list("pk", flat=True).first()
    if commune is None:
        raise ValidationError({"commune": [_("No commune of the territory has this INSEE code.")]})
    return commune


def _form_data(values: dict) -> dict:
    """The values as the interface's form receives them (text; empty for none)."""
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, float):
            data[name] = repr(value)
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        else:
            data[name] = str(value)
    return data


def _checked(form) -> EstablishmentForm:
    """The form, valid; otherwise its errors, each naming its field (``body.siret``)."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


def _operation_error(error: EstablishmentError) -> ValidationError:
    return ValidationError({error.field: [str(error)]} if error.field else str(error))


@router.post(
    "",
    response={201: EstablishmentDetailOut, **ERRORS},
    summary="Create an establishment",
    description=(
        "For the territory's team with edit access. Without coordinates, the establishment stands at a "
        "point inside its commune; a point given must lie in its commune. Audited as "
        "`establishment.created`."
    ),
)
def create(request, body: EstablishmentIn):
    territory = _editable_territory(request, body.territory)
    values = body.dict(exclude={"territory"})
    values["commune"] = _commune_pk(territory, values["commune"])
    form = _checked(EstablishmentForm(_form_data(values), territory=territory))
    try:
        created = create_establishment(territory, by=request.user, **form.values())
    except EstablishmentError as error:
        raise _operation_error(error) from None
    return Status(201, _detail(request, Establishment.objects.select_related("commune").get(pk=created.pk)))


@router.patch(
    "/{establishment_id}",
    response={200: EstablishmentDetailOut, **ERRORS},
    summary="Change an establishment",
    description=(
        "For the territory's team with edit access. Send the `version` you read and the fields to "
        "change: if the establishment changed since, the answer is 409 and nothing is written (read it "
        "again). `latitude` and `longitude` null together place it at its commune's point. Audited as "
        "`establishment.updated` with each change."
    ),
)
def update(request, establishment_id: int, body: EstablishmentUpdate):
    found = visible_or_404(Establishment, request, pk=establishment_id)
    territory = _editable_territory(request, found.territory_id)
    changes = body.dict(exclude_unset=True)
    version = changes.pop("version")
    if "commune" in changes:
        changes["commune"] = _commune_pk(territory, changes["commune"])
    values = form_values(found) | changes | {"version": version}
    form = _checked(EstablishmentForm(_form_data(values), territory=territory, instance=found))
    try:
        update_establishment(found, by=request.user, expected_version=version, **form.values())
    except EditConflict as error:
        raise Conflict(
            _("%(message)s Its version is now %(version)s.")
            % {"message": str(error), "version": error.current.version},
            field="body.version",
        ) from None
    except EstablishmentError as error:
        raise _operation_error(error) from None
    return _detail(request, Establishment.objects.select_related("commune").get(pk=found.pk))
