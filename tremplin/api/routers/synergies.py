"""``/synergies``: the pipeline of a territory (list, detail with participants, consent, figures with their
basis, measurements and history), its moves (``transitions``: what is allowed, and making one through
``tremplin.synergies.workflow.apply_transition`` with its rules) and the participants' consent.

Who sees what, as in the interface:

* the territory team sees its synergies whole; only its members with edit access move them or record a
  participant's answer (a read-only member gets a 403);
* a company contact sees the synergies its establishment takes part in as ``/synergies/opportunities``
  (``tremplin.synergies.disclosure``: the counterparts stay anonymous until every participant accepted to
  be introduced) and answers for its own establishment (``POST /synergies/participants/{id}/consent``);
  the team's page of such a synergy is a 403 for it, as the interface sends it to its opportunities;
* anybody else: 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tremplin.accounts.scoping import scope_for
from tremplin.api.access import team_territory_or_404, visible_or_404
from tremplin.api.errors import ERRORS
from tremplin.api.fields import multi_line
from tremplin.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, ListParams, Page, ordered, page
from tremplin.api.routers.detection import (
    AuthorisationOut,
    BasisValue,
    FlagOut,
    GainItemOut,
    KindValue,
    ReferenceOut,
    _authorisation,
    _numbers,
    _references,
    ordering_choices,
)
from tremplin.api.routers.synergy_errors import api_error
from tremplin.engine.knowledge import REGULATORY_FLAGS
from tremplin.synergies import workflow
from tremplin.synergies.disclosure import contact_opportunities
from tremplin.synergies.enums import AbandonReason, Consent, ParticipantRole, Status
from tremplin.synergies.exceptions import SynergyError
from tremplin.synergies.history import synergy_history
from tremplin.synergies.models import Synergy, SynergyParticipant
from tremplin.synergies.pipeline import measurement_refusal, record_consent

router = Router(tags=["synergies"])

StatusValue = Literal[tuple(Status.values)]
ReasonValue = Literal[("", *AbandonReason.values)]
ConsentValue = Literal[tuple(Consent.values)]
RoleValue = Literal[tuple(ParticipantRole.values)]
TransitionName = Literal[tuple(workflow.TRANSITIONS)]
_LARGEST_ID = 2**63 - 1


# --- Schemas -------------------------------------------------------------------------------------------


class ParticipantBriefOut(Schema):
    id: int
    establishment: int
    name: str
    role: RoleValue
    consent: ConsentValue


class SynergyOut(Schema):
    id: int
    territory: int
    kind: KindValue
    kind_label: str
    resource: str
    resource_label: str
    status: StatusValue
    status_label: str
    status_changed_at: dt.datetime | None
    basis: BasisValue = Field(..., description="Where the estimated quantities come from.")
    quantity: float
    unit: str
    gain_eur_per_year: float = Field(..., description="Estimated at detection.")
    co2_avoided_t_per_year: float = Field(..., description="Estimated at detection.")
    tonnes_diverted_per_year: float = Field(..., description="Estimated at detection.")
    created_at: dt.datetime
    participants: list[ParticipantBriefOut]


class ParticipantOut(Schema):
    id: int
    establishment: int
    name: str
    activity: str
    commune: str
    role: RoleValue
    role_label: str
    estimated_gain_eur_per_year: float = Field(
        ..., description="Its share of the gain, estimated at detection."
    )
    gain_items: list[GainItemOut]
    consent: ConsentValue = Field(..., description="Its answer to “may we introduce you to the others?”")
    consent_label: str
    consent_at: dt.datetime | None
    consent_by: str | None


class EstimatedOut(Schema):
    """Figures per year estimated at detection (never added to measured ones)."""

    basis: BasisValue
    basis_label: str
    quantity: float
    unit: str
    distance_km: float
    gain_eur_per_year: float
    eur_saved_per_year: float
    revenue_eur_per_year: float = Field(..., description="Of the gain, earned from by-products.")
    tonnes_diverted_per_year: float
    co2_avoided_t_per_year: float
    jobs: float | None = Field(..., description="FTE; null when not estimated.")
    source: str
    source_run: int | None


class MeasurementOut(Schema):
    """Figures measured for one year once the synergy runs (basis: measured)."""

    year: int
    basis: Literal["measured"]
    tonnes_diverted: float
    eur_saved: float
    eur_earned: float
    co2_avoided_t: float
    jobs: float
    note: str = Field(..., description="Source and method of the figures.")
    entered_by: str | None
    entered_at: dt.datetime


class CalculationOut(Schema):
    explanation: str
    assumptions: list[str]
    factors: dict[str, float]
    regulatory_flags: list[FlagOut]
    receiver_authorisation: AuthorisationOut | None
    waste_codes: list[str]
    sources: list[str]
    references: list[ReferenceOut]


class TransitionOut(Schema):
    name: TransitionName
    label: str
    target: StatusValue = Field(..., description="The status it leads to.")
    available: bool
    blocked_by: str = Field(..., description="Why it cannot be made yet ('' when it can).")
    reason_required: bool


class StatusChangeOut(Schema):
    from_status: StatusValue | Literal[""] = Field(..., description="'' for the entry into the pipeline.")
    to_status: StatusValue
    at: dt.datetime
    by: str | None
    reason: ReasonValue
    reason_label: str
    note: str


class HistoryItemOut(Schema):
    at: dt.datetime
    by: str | None
    kind: str = Field(..., description="status, consent, action or measurement.")
    text: str
    details: list[str]
    by_contact: bool = Field(..., description="Written by the establishment's own contact.")


class ActionOut(Schema):
    id: int
    title: str
    owner: str
    due_on: dt.date | None
    done: bool
    done_at: dt.datetime | None


class SynergyDetailOut(SynergyOut):
    rule: str
    input_resource: str
    abandon_reason: ReasonValue
    abandon_reason_label: str
    abandon_note: str
    created_by: str | None
    introductions_agreed: bool = Field(..., description="Every participant accepted to be introduced.")
    participants_detail: list[ParticipantOut]
    estimated: EstimatedOut
    measurements: list[MeasurementOut]
    measurement_refusal: str = Field(
        ..., description="Why measured figures cannot be entered ('' if they can)."
    )
    calculation: CalculationOut
    transitions: list[TransitionOut]
    status_changes: list[StatusChangeOut]
    history: list[HistoryItemOut]
    actions: list[ActionOut]


class TransitionIn(Schema):
    name: TransitionName
    reason: ReasonValue = Field("", description="Required to abandon: economic, technical, regulatory, …")
    note: multi_line(2000) = ""


class ConsentIn(Schema):
    accepted: bool = Field(..., description="true: accepts to be introduced; false: declines.")


class ConsentOut(Schema):
    participant: int
    synergy: int
    establishment: int
    consent: ConsentValue
    consent_label: str
    consent_at: dt.datetime | None
    introductions_agreed: bool


class CounterpartOut(Schema):
    label: str = Field(..., description="Its name once everyone consented; “Anonymous establishment” before.")
    activity: str
    role: str
    disclosed: bool
    distance: str = Field(..., description="Before disclosure, a band shared by several establishments.")


class OpportunityOut(Schema):
    """A synergy the contact's establishment takes part in, as the contact sees it."""

    synergy: int
    participant: int
    establishment: int
    establishment_name: str
    role: RoleValue
    role_label: str
    kind: KindValue
    kind_label: str
    resource_label: str
    status: StatusValue
    status_label: str
    estimated_gain_eur_per_year: float
    quantity: float
    unit: str
    basis: BasisValue
    basis_label: str
    distance_km: float | None = Field(..., description="Once every participant consented; null before.")
    disclosed: bool
    counterparts: list[CounterpartOut]
    consent: ConsentValue
    consent_label: str


SYNERGY_ORDERING = {
    "gain_eur_per_year": "gain_eur_per_year",
    "co2_avoided_t_per_year": "co2_avoided_t_per_year",
    "tonnes_diverted_per_year": "tonnes_diverted_per_year",
    "created_at": "created_at",
    "status_changed_at": "status_changed_at",
    "resource_label": "resource_label",
    "status": "status",
}


class OpportunityParams(Schema):
    """A page of opportunities (newest first: no ordering to choose)."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Number of results (1–200).")
    offset: int = Field(0, ge=0, le=10_000_000, description="Index of the first result.")


class SynergyParams(ListParams):
    ordering: ordering_choices(SYNERGY_ORDERING) | None = Field(
        None,
        description="gain_eur_per_year (default: -gain_eur_per_year), co2_avoided_t_per_year, "
        "tonnes_diverted_per_year, created_at, status_changed_at, resource_label, status; a leading '-' "
        "orders by decreasing values.",
    )
    territory: int = Field(..., ge=1, le=_LARGEST_ID)
    status: StatusValue | None = None
    kind: KindValue | None = None
    resource: multi_line(200) | None = Field(None, description="A resource key, or part of its label.")
    participant: int | None = Field(None, ge=1, le=_LARGEST_ID, description="An establishment taking part.")


# --- Conversions ---------------------------------------------------------------------------------------


def _name(user) -> str | None:
    return str(user) if user else None


def synergy_out(synergy: Synergy) -> dict:
    return {
        "id": synergy.pk,
        "territory": synergy.territory_id,
        "kind": synergy.kind,
        "kind_label": str(synergy.get_kind_display()),
        "resource": synergy.resource,
        "resource_label": synergy.resource_label,
        "status": synergy.status,
        "status_label": str(synergy.get_status_display()),
        "status_changed_at": synergy.status_changed_at,
        "basis": synergy.basis,
        "quantity": synergy.quantity,
        "unit": synergy.unit,
        "gain_eur_per_year": synergy.gain_eur_per_year,
        "co2_avoided_t_per_year": synergy.co2_avoided_t_per_year,
        "tonnes_diverted_per_year": synergy.tonnes_diverted_per_year,
        "created_at": synergy.created_at,
        "participants": [
            {
                "id": p.pk,
                "establishment": p.establishment_id,
                "name": p.establishment.name,
                "role": p.role,
                "consent": p.consent,
            }
            for p in synergy.participants.all()
        ],
    }


def transition_out(synergy: Synergy, option) -> dict:
    target = option.transition.target or workflow._target(synergy, option.transition)
    return {
        "name": option.name,
        "label": str(option.label),
        "target": target,
        "available": option.available,
        "blocked_by": str(option.blocked_by),
        "reason_required": option.name == "abandon",
    }


def _reason_label(value: str) -> str:
    return str(AbandonReason(value).label) if value in AbandonReason.values else ""


def synergy_detail_out(synergy: Synergy) -> dict:
    synergy = (
        Synergy.objects.select_related("created_by", "source_run")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=SynergyParticipant.objects.select_related("establishment__commune", "consent_by"),
            )
        )
        .get(pk=synergy.pk)
    )
    participants = list(synergy.participants.all())
    breakdown = synergy.breakdown or {}
    run = synergy.source_run
    source = _("Estimated: computed by the detection engine")
    if run is not None:
        source += f" ({_('run of')} {run.created_at:%Y-%m-%d})"
    return {
        **synergy_out(synergy),
        "rule": synergy.rule,
        "input_resource": synergy.input_resource,
        "abandon_reason": synergy.abandon_reason,
        "abandon_reason_label": _reason_label(synergy.abandon_reason),
        "abandon_note": synergy.abandon_note,
        "created_by": _name(synergy.created_by),
        "introductions_agreed": bool(participants)
        and all(p.consent == Consent.ACCEPTED for p in participants),
        "participants_detail": [
            {
                "id": p.pk,
                "establishment": p.establishment_id,
                "name": p.establishment.name,
                "activity": p.establishment.naf_label or "",
                "commune": p.establishment.commune.name if p.establishment.commune else "",
                "role": p.role,
                "role_label": str(p.get_role_display()),
                "estimated_gain_eur_per_year": p.estimated_gain_eur_per_year,
                "gain_items": [
                    {"label": str(item.get("label") or ""), "eur": float(item.get("eur") or 0.0)}
                    for item in p.gain_items or []
                ],
                "consent": p.consent,
                "consent_label": str(p.get_consent_display()),
                "consent_at": p.consent_at,
                "consent_by": _name(p.consent_by),
            }
            for p in participants
        ],
        "estimated": {
            "basis": synergy.basis,
            "basis_label": str(synergy.get_basis_display()),
            "quantity": synergy.quantity,
            "unit": synergy.unit,
            "distance_km": synergy.distance_km,
            "gain_eur_per_year": synergy.gain_eur_per_year,
            "eur_saved_per_year": synergy.eur_saved_per_year,
            "revenue_eur_per_year": synergy.revenue_eur_per_year,
            "tonnes_diverted_per_year": synergy.tonnes_diverted_per_year,
            "co2_avoided_t_per_year": synergy.co2_avoided_t_per_year,
            "jobs": synergy.jobs,
            "source": source + ".",
            "source_run": synergy.source_run_id,
        },
        "measurements": [
            {
                "year": m.year,
                "basis": "measured",
                "tonnes_diverted": m.tonnes_diverted,
                "eur_saved": m.eur_saved,
                "eur_earned": m.eur_earned,
                "co2_avoided_t": m.co2_avoided_t,
                "jobs": m.jobs,
                "note": m.note,
                "entered_by": _name(m.entered_by),
                "entered_at": m.entered_at,
            }
            for m in synergy.measurements.select_related("entered_by")
        ],
        "measurement_refusal": measurement_refusal(synergy),
        "calculation": {
            "explanation": str(breakdown.get("explanation") or ""),
            "assumptions": [str(a) for a in breakdown.get("assumptions") or []],
            "factors": _numbers(breakdown.get("factors")),
            "regulatory_flags": [
                {"code": flag, "text": REGULATORY_FLAGS.get(flag, flag)}
                for flag in breakdown.get("regulatory_flags") or []
            ],
            "receiver_authorisation": _authorisation(breakdown.get("receiver_authorisation")),
            "waste_codes": [str(c) for c in breakdown.get("waste_codes") or []],
            "sources": [str(s) for s in breakdown.get("sources") or []],
            "references": _references(breakdown.get("references")),
        },
        "transitions": [transition_out(synergy, o) for o in workflow.transition_options(synergy)],
        "status_changes": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "at": change.at,
                "by": _name(change.by),
                "reason": change.reason,
                "reason_label": _reason_label(change.reason),
                "note": change.note,
            }
            for change in synergy.history.select_related("by")
        ],
        "history": [
            {
                "at": item.at,
                "by": _name(item.by),
                "kind": item.kind,
                "text": str(item.text),
                "details": [str(d) for d in item.details],
                "by_contact": item.by_contact,
            }
            for item in synergy_history(synergy)
        ],
        "actions": [
            {
                "id": a.pk,
                "title": a.title,
                "owner": a.owner_label or "",
                "due_on": a.due_on,
                "done": a.done,
                "done_at": a.done_at,
            }
            for a in synergy.actions.select_related("owner")
        ],
    }


def _team_synergy_or_404(request, synergy_id: int) -> Synergy:
    """A synergy of the caller's territory team: 404 outside the scope; 403 for a company contact taking
    part in it (its view is /synergies/opportunities)."""
    synergy = visible_or_404(Synergy, request, pk=synergy_id)
    if synergy.territory_id not in scope_for(request.user).team_territory_ids:
        raise PermissionDenied(
            _("A company contact sees the synergies it takes part in as its opportunities.")
        )
    return synergy


def opportunity_out(item) -> dict:
    synergy, own = item.synergy, item.participant
    return {
        "synergy": synergy.pk,
        "participant": own.pk,
        "establishment": own.establishment_id,
        "establishment_name": own.establishment.name,
        "role": own.role,
        "role_label": str(own.get_role_display()),
        "kind": synergy.kind,
        "kind_label": str(synergy.get_kind_display()),
        "resource_label": synergy.resource_label,
        "status": synergy.status,
        "status_label": str(synergy.get_status_display()),
        "estimated_gain_eur_per_year": own.estimated_gain_eur_per_year,
        "quantity": synergy.quantity,
        "unit": synergy.unit,
        "basis": synergy.basis,
        "basis_label": str(synergy.get_basis_display()),
        "distance_km": synergy.distance_km if item.disclosed else None,
        "disclosed": item.disclosed,
        "counterparts": [
            {
                "label": str(c.label),
                "activity": str(c.activity),
                "role": str(c.role),
                "disclosed": c.disclosed,
                "distance": str(c.distance),
            }
            for c in item.counterparts
        ],
        "consent": own.consent,
        "consent_label": str(own.get_consent_display()),
    }


# --- Endpoints -----------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: Page[SynergyOut], **ERRORS},
    summary="Synergies of a territory",
    description="Filters: status, kind, resource (key or part of the label), participant (an "
    "establishment id). Ordering: gain_eur_per_year (default, decreasing), co2_avoided_t_per_year, "
    "tonnes_diverted_per_year, created_at, status_changed_at, resource_label, status. Territory team only.",
)
def synergies(request, params: Query[SynergyParams]):
    territory = team_territory_or_404(request, params.territory)
    queryset = Synergy.objects.visible_to(request.user).for_territory(territory)
    if params.status:
        queryset = queryset.filter(status=params.status)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.resource:
        queryset = queryset.filter(Q(resource_label__icontains=params.resource) | Q(resource=params.resource))
    if params.participant:
        queryset = queryset.filter(
            pk__in=SynergyParticipant.objects.filter(establishment_id=params.participant).values("synergy_id")
        )
    queryset = queryset.prefetch_related(
        Prefetch("participants", queryset=SynergyParticipant.objects.select_related("establishment"))
    )
    queryset = ordered(queryset, params.ordering, SYNERGY_ORDERING, "-gain_eur_per_year")
    return page(queryset, params, convert=synergy_out)


@router.get(
    "/opportunities",
    response={200: Page[OpportunityOut], **ERRORS},
    summary="A company contact's opportunities",
    description="The synergies (not abandoned) its establishments take part in, newest first, the "
    "counterparts anonymised until every participant accepted to be introduced. Company contacts only.",
)
def opportunities(request, params: Query[OpportunityParams]):
    ids = scope_for(request.user).contact_establishment_ids
    if not ids:
        raise PermissionDenied(_("Only a company contact has opportunities."))
    items = contact_opportunities(request.user, ids)
    return page(items, params, convert=opportunity_out)


@router.get(
    "/{int:synergy_id}",
    response={200: SynergyDetailOut, **ERRORS},
    summary="A synergy",
    description="Participants and their consent, estimated figures with their basis, measured figures, "
    "how it was estimated, the moves from its status, its status changes and its whole history.",
)
def synergy_detail(request, synergy_id: int):
    return synergy_detail_out(_team_synergy_or_404(request, synergy_id))


@router.get(
    "/{int:synergy_id}/transitions",
    response={200: list[TransitionOut], **ERRORS},
    summary="The moves from a synergy's status",
    description="Each with whether it can be made now, and why not (the participants' consent).",
)
def transitions(request, synergy_id: int):
    synergy = _team_synergy_or_404(request, synergy_id)
    return [transition_out(synergy, option) for option in workflow.transition_options(synergy)]


@router.post(
    "/{int:synergy_id}/transitions",
    response={200: SynergyDetailOut, **ERRORS},
    summary="Move a synergy in the pipeline",
    description="The same rules as the interface: nothing goes past “under study” until every "
    "participant accepted to be introduced (409 `transition_blocked`); abandoning needs a reason (422 "
    "`reason_required`, field body.reason); a move that does not exist from the status is a 409 "
    "`transition_not_allowed`. Territory team with edit access. Answers the synergy as it now is.",
)
def transition(request, synergy_id: int, body: TransitionIn):
    synergy = _team_synergy_or_404(request, synergy_id)
    try:
        workflow.apply_transition(
            synergy, body.name, by=request.user, reason=body.reason, note=body.note.strip()
        )
    except SynergyError as error:
        raise api_error(error) from None
    return synergy_detail_out(synergy)


@router.post(
    "/participants/{int:participant_id}/consent",
    response={200: ConsentOut, **ERRORS},
    summary="Record a participant's answer to being introduced",
    description="A company contact answers for its own establishment; the territory team (edit access) "
    "records an answer given to it, which the history says. Not on an abandoned synergy (409).",
)
def consent(request, participant_id: int, body: ConsentIn):
    participant = visible_or_404(SynergyParticipant, request, pk=participant_id)
    try:
        participant = record_consent(participant, by=request.user, accepted=body.accepted)
    except SynergyError as error:
        raise api_error(error) from None
    consents = list(
        SynergyParticipant.objects.filter(synergy_id=participant.synergy_id).values_list("consent", flat=True)
    )
    return {
        "participant": participant.pk,
        "synergy": participant.synergy_id,
        "establishment": participant.establishment_id,
        "consent": participant.consent,
        "consent_label": str(participant.get_consent_display()),
        "consent_at": participant.consent_at,
        "introductions_agreed": bool(consents) and all(c == Consent.ACCEPTED for c in consents),
    }
