"""``/detection``: detection runs of a territory (start, status, list), their leads (ranked, with figures,
basis, explanation and regulatory points), and the review of a lead (accept into the pipeline, dismiss).

The same operations as the interface (``tremplin.synergies.detection``, ``leads``, ``runs``), for the
same people: a run and its leads are the territory team's work. Outside the team a run or a lead is a
404; on a territory the caller may open without being on its team (programme team, company contact) a
403. Starting a run, reviewing a lead, failing or restarting a run need edit access (a read-only member
gets a 403). A run is carried out by the background worker: ``POST /detection/runs`` answers at once
with the run queued, and ``GET /detection/runs/{id}`` gives its progress.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tremplin.api.access import team_territory_or_404, visible_or_404
from tremplin.api.errors import ERRORS, Invalid
from tremplin.api.fields import multi_line
from tremplin.api.pagination import ListParams, Page, ordered, page
from tremplin.api.routers.synergy_errors import api_error
from tremplin.engine.knowledge import REGULATORY_FLAGS
from tremplin.establishments.models import Establishment
from tremplin.synergies.detection import accept_lead, dismiss_lead, start_detection
from tremplin.synergies.enums import (
    Basis,
    DetectionMode,
    LeadStatus,
    Objective,
    RunFailure,
    RunStatus,
    SynergyKind,
)
from tremplin.synergies.exceptions import SynergyError
from tremplin.synergies.leads import LeadFilters, dismiss_leads, filter_leads
from tremplin.synergies.models import DetectionRun, Lead
from tremplin.synergies.runs import mark_run_failed, restart_detection

router = Router(tags=["detection"])

ModeValue = Literal[tuple(DetectionMode.values)]
ObjectiveValue = Literal[tuple(Objective.values)]
RunStatusValue = Literal[tuple(RunStatus.values)]
FailureValue = Literal[("", *RunFailure.values)]
LeadStatusValue = Literal[tuple(LeadStatus.values)]
BasisValue = Literal[tuple(Basis.values)]
KindValue = Literal[tuple(SynergyKind.values)]
RoleValue = Literal["source", "target", "member"]

_ENGINE_ROLES = {"fournisseur": "source", "receveur": "target", "membre": "member"}
_LARGEST_ID = 2**63 - 1


def ordering_choices(allowed: dict[str, str]):
    """The ``ordering`` values of a list as an enumeration (each field, increasing or with '-'), so that
    the OpenAPI description says exactly which are accepted."""
    return Literal[tuple(value for key in allowed for value in (key, f"-{key}"))]


RUN_ORDERING = {"created_at": "created_at", "finished_at": "finished_at", "lead_count": "lead_count"}
LEAD_ORDERING = {
    "rank": "rank",
    "gain_eur_per_year": "gain_eur_per_year",
    "co2_avoided_t_per_year": "co2_avoided_t_per_year",
    "tonnes_diverted_per_year": "tonnes_diverted_per_year",
}


# --- Schemas -------------------------------------------------------------------------------------------


class PlanTotalsOut(Schema):
    leads: int
    gain_eur_per_year: float
    co2_avoided_t_per_year: float
    tonnes_diverted_per_year: float


class PlanOut(Schema):
    """The run's headline figures: the optimal allocation of its leads (HiGHS), each supply and demand
    counted once, totals kept apart by basis (declared, workshop, register, estimated)."""

    objective: str
    status: str
    allocations: int
    gain_eur_per_year: float
    co2_avoided_t_per_year: float
    tonnes_diverted_per_year: float
    by_basis: dict[str, PlanTotalsOut]


class RunOut(Schema):
    id: int
    territory: int
    mode: ModeValue
    mode_label: str
    objective: ObjectiveValue
    status: RunStatusValue
    status_label: str
    #: In progress but without news from the worker for longer than the heartbeat timeout.
    lost: bool
    progress: float = Field(..., ge=0, le=1, description="Share done, 0 to 1.")
    percent: int = Field(..., ge=0, le=100)
    message: str = Field(..., description="What the run is doing (while it runs).")
    failure: FailureValue = Field(..., description="Why it failed: error, interrupted, lost; '' otherwise.")
    failure_label: str
    error: str
    created_by: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    last_news_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_s: float | None
    retry_of: int | None = Field(..., description="The failed run this one repeats.")
    retried_by: int | None = Field(..., description="The run started again from this one, if any.")
    establishment_count: int
    flow_count: int
    lead_count: int
    pending_lead_count: int
    skipped_dismissed: int = Field(..., description="Leads left out: dismissed before.")
    skipped_in_pipeline: int = Field(..., description="Leads left out: already in the pipeline.")
    knowledge_base_version: str
    plan: PlanOut | None


class StartRunIn(Schema):
    territory: int = Field(..., ge=1, le=_LARGEST_ID)
    mode: ModeValue = Field(
        ...,
        description="deductive: activity codes and headcounts; systematic: declared flows only; "
        "both: declared flows, estimates for the rest.",
    )
    objective: ObjectiveValue = Field("gain", description="Rank the leads by yearly gain or by CO2e avoided.")


class GainItemOut(Schema):
    label: str
    eur: float


class LeadParticipantOut(Schema):
    establishment: int
    name: str
    commune: str
    role: RoleValue
    gain_eur_per_year: float = Field(..., description="Its share of the yearly gain, estimated at detection.")
    gain_items: list[GainItemOut]


class FlagOut(Schema):
    code: str
    text: str


class ReferenceOut(Schema):
    key: str
    title: str
    publisher: str
    year: int | None
    url: str
    kind: str


class RubriqueOut(Schema):
    code: str
    alinea: str
    regime: str
    label: str
    receives: str
    source: str


class AuthorisationOut(Schema):
    """The receiver's ICPE authorisation to take this waste: authorised, to_check, not_authorised."""

    state: Literal["authorised", "to_check", "not_authorised"]
    reason: str
    hazard: str
    operation: str
    rubriques: list[RubriqueOut]


class LeadOut(Schema):
    id: int
    run: int
    rank: int
    kind: KindValue
    kind_label: str
    rule: str = Field(..., description="The engine's substitution rule or mutualisation kind.")
    resource: str
    resource_label: str
    basis: BasisValue = Field(..., description="Where the quantities come from.")
    basis_text: str
    status: LeadStatusValue
    status_label: str
    decided_at: dt.datetime | None
    synergy: int | None = Field(..., description="The synergy it became, once accepted.")
    participants: list[LeadParticipantOut]
    quantity: float
    unit: str
    distance_km: float
    great_circle_km: float
    distance_method: str = Field(..., description="router (by road) or great_circle_x_detour.")
    distance_text: str
    gain_eur_per_year: float = Field(..., description="Estimated at detection.")
    co2_avoided_t_per_year: float = Field(..., description="Estimated with the emission factors given.")
    tonnes_diverted_per_year: float = Field(..., description="Diverted from disposal.")
    in_plan: bool | None = Field(..., description="In the run's optimal allocation (None: not computed).")
    plan_quantity: float | None
    explanation: str
    assumptions: list[str]
    regulatory_flags: list[FlagOut]
    receiver_authorisation: AuthorisationOut | None
    waste_codes: list[str]
    factors: dict[str, float]
    co2_breakdown_t: dict[str, float]
    sources: list[str]
    references: list[ReferenceOut]


class DismissIn(Schema):
    reason: multi_line(500) = Field("", description="Why it is dismissed (optional, as in the interface).")


class BulkDismissIn(Schema):
    leads: list[int] = Field(..., min_length=1, max_length=1000, description="Leads of this run to dismiss.")
    reason: multi_line(500, min_length=1) = Field(
        ..., description="Why these leads are dismissed (required)."
    )


class BulkDismissOut(Schema):
    dismissed: int


class AcceptOut(Schema):
    lead: LeadOut
    synergy: int = Field(..., description="The synergy created, at status “detected”.")


class LeadParams(ListParams):
    ordering: ordering_choices(LEAD_ORDERING) | None = Field(
        None,
        description="rank (default), gain_eur_per_year, co2_avoided_t_per_year, tonnes_diverted_per_year; "
        "a leading '-' orders by decreasing values.",
    )
    status: LeadStatusValue | None = Field(
        None, description="pending, accepted or dismissed; all when absent."
    )
    resource: multi_line(64) | None = Field(None, description="Resource key.")
    basis: BasisValue | None = None
    commune: multi_line(10) | None = Field(None, description="INSEE code of a participant's commune.")
    establishment: multi_line(200) | None = Field(
        None, description="Part of a participant's name, or its SIRET."
    )


class RunParams(ListParams):
    ordering: ordering_choices(RUN_ORDERING) | None = Field(
        None,
        description="created_at (default: -created_at), finished_at, lead_count; a leading '-' orders "
        "by decreasing values.",
    )
    territory: int = Field(..., ge=1, le=_LARGEST_ID)
    status: RunStatusValue | None = None


# --- Conversions ---------------------------------------------------------------------------------------


_UNKNOWN = object()


def run_out(run: DetectionRun, *, pending: int | None = None, retried_by=_UNKNOWN) -> dict:
    plan = (run.stats or {}).get("plan") or None
    if pending is None:
        pending = run.leads.filter(status=LeadStatus.PENDING).count()
    if retried_by is _UNKNOWN:
        retried_by = run.retries.order_by("created_at", "pk").values_list("pk", flat=True).first()
    lost = run.is_lost()
    return {
        "id": run.pk,
        "territory": run.territory_id,
        "mode": run.mode,
        "mode_label": str(run.get_mode_display()),
        "objective": run.objective,
        "status": run.status,
        "status_label": _("No news from the worker") if lost else str(run.get_status_display()),
        "lost": lost,
        "progress": max(0.0, min(1.0, run.progress)),
        "percent": max(0, min(100, run.percent)),
        "message": run.message,
        "failure": run.failure,
        "failure_label": str(run.get_failure_display()) if run.failure else "",
        "error": run.error,
        "created_by": str(run.created_by) if run.created_by else None,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "last_news_at": run.last_news_at,
        "finished_at": run.finished_at,
        "duration_s": run.duration_s,
        "retry_of": run.retry_of_id,
        "retried_by": retried_by,
        "establishment_count": run.establishment_count,
        "flow_count": run.flow_count,
        "lead_count": run.lead_count,
        "pending_lead_count": pending,
        "skipped_dismissed": run.skipped_dismissed,
        "skipped_in_pipeline": run.skipped_in_pipeline,
        "knowledge_base_version": run.knowledge_base_version,
        "plan": _plan_out(plan) if plan and "by_basis" in plan else None,
    }


def _plan_out(plan: dict) -> dict:
    return {
        "objective": str(plan.get("objective") or ""),
        "status": str(plan.get("status") or ""),
        "allocations": int(plan.get("allocations") or 0),
        "gain_eur_per_year": float(plan.get("gain_eur_per_year") or 0.0),
        "co2_avoided_t_per_year": float(plan.get("co2_avoided_t_per_year") or 0.0),
        "tonnes_diverted_per_year": float(plan.get("tonnes_diverted_per_year") or 0.0),
        "by_basis": {
            basis: {
                "leads": int(totals.get("leads") or 0),
                "gain_eur_per_year": float(totals.get("gain_eur_per_year") or 0.0),
                "co2_avoided_t_per_year": float(totals.get("co2_avoided_t_per_year") or 0.0),
                "tonnes_diverted_per_year": float(totals.get("tonnes_diverted_per_year") or 0.0),
            }
            for basis, totals in (plan.get("by_basis") or {}).items()
        },
    }


def _places(leads) -> dict[int, tuple[str, str]]:
    ids = {int(pk) for lead in leads for pk in lead.establishment_ids}
    return {
        pk: (name, commune or "")
        for pk, name, commune in Establishment.objects.filter(pk__in=ids).values_list(
            "pk", "name", "commune__name"
        )
    }


def _authorisation(value) -> dict | None:
    if not value:
        return None
    return {
        "state": value.get("state"),
        "reason": str(value.get("reason") or ""),
        "hazard": str(value.get("hazard") or ""),
        "operation": str(value.get("operation") or ""),
        "rubriques": [
            {
                key: str(r.get(key) or "")
                for key in ("code", "alinea", "regime", "label", "receives", "source")
            }
            for r in value.get("rubriques") or []
        ],
    }


def _references(values) -> list[dict]:
    return [
        {
            "key": str(r.get("key") or ""),
            "title": str(r.get("title") or ""),
            "publisher": str(r.get("publisher") or ""),
            "year": r.get("year") if isinstance(r.get("year"), int) else None,
            "url": str(r.get("url") or ""),
            "kind": str(r.get("kind") or ""),
        }
        for r in values or []
    ]


def _numbers(values) -> dict[str, float]:
    return {
        str(k): float(v)
        for k, v in (values or {}).items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def lead_out(lead: Lead, places: dict[int, tuple[str, str]]) -> dict:
    """A lead as the run page shows it: participants with their share of the gain, figures with their
    basis, explanation, assumptions, regulatory points and sources."""
    data = lead.data or {}
    participants = []
    for p in data.get("participants", []):
        name, commune = places.get(int(p["company_id"]), ("?", ""))
        participants.append(
            {
                "establishment": int(p["company_id"]),
                "name": name,
                "commune": commune,
                "role": _ENGINE_ROLES.get(p["role"], "member"),
                "gain_eur_per_year": float(p.get("gain_eur") or 0.0),
                "gain_items": [
                    {"label": str(item["label"]), "eur": float(item["eur"])} for item in p.get("items", [])
                ],
            }
        )
    method = str(data.get("distance_method") or "")
    return {
        "id": lead.pk,
        "run": lead.run_id,
        "rank": lead.rank,
        "kind": lead.kind,
        "kind_label": str(lead.get_kind_display()),
        "rule": str(data.get("rule_id") or data.get("kind") or ""),
        "resource": lead.resource,
        "resource_label": lead.resource_label,
        "basis": lead.confidence,
        "basis_text": _("estimated from activity codes and headcounts (sector profiles)")
        if lead.confidence == Basis.ESTIMATED
        else _("from declared flows"),
        "status": lead.status,
        "status_label": str(lead.get_status_display()),
        "decided_at": lead.decided_at,
        "synergy": lead.synergy_id,
        "participants": participants,
        "quantity": float(data.get("quantity") or 0.0),
        "unit": str(data.get("unit") or ""),
        "distance_km": float(data.get("distance_km") or 0.0),
        "great_circle_km": float(data.get("great_circle_km") or 0.0),
        "distance_method": method,
        "distance_text": _("by road") if method == "router" else _("great-circle distance × detour factor"),
        "gain_eur_per_year": lead.gain_eur_per_year,
        "co2_avoided_t_per_year": lead.co2_avoided_t_per_year,
        "tonnes_diverted_per_year": lead.tonnes_diverted_per_year,
        "in_plan": data.get("in_plan"),
        "plan_quantity": data.get("plan_quantity"),
        "explanation": str(data.get("explanation") or ""),
        "assumptions": [str(a) for a in data.get("assumptions") or []],
        "regulatory_flags": [
            {"code": flag, "text": REGULATORY_FLAGS.get(flag, flag)}
            for flag in data.get("regulatory_flags") or []
        ],
        "receiver_authorisation": _authorisation(data.get("receiver_authorisation")),
        "waste_codes": [str(c) for c in data.get("waste_codes") or []],
        "factors": _numbers(data.get("factors")),
        "co2_breakdown_t": _numbers(data.get("co2_breakdown_t")),
        "sources": [str(s) for s in data.get("sources") or []],
        "references": _references(data.get("references")),
    }


def _one_lead_out(lead: Lead) -> dict:
    lead.refresh_from_db()
    return lead_out(lead, _places([lead]))


def _run_or_404(request, run_id: int) -> DetectionRun:
    return visible_or_404(DetectionRun, request, pk=run_id)


# --- Runs ----------------------------------------------------------------------------------------------


@router.get(
    "/runs",
    response={200: Page[RunOut], **ERRORS},
    summary="Detection runs of a territory",
    description="Newest first by default. Ordering: created_at, finished_at, lead_count. "
    "Territory team only.",
)
def runs(request, params: Query[RunParams]):
    territory = team_territory_or_404(request, params.territory)
    queryset = DetectionRun.objects.visible_to(request.user).for_territory(territory)
    if params.status:
        queryset = queryset.filter(status=params.status)
    pending = (
        Lead.objects.filter(run=OuterRef("pk"), status=LeadStatus.PENDING)
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values("n")
    )
    retried = DetectionRun.objects.filter(retry_of=OuterRef("pk")).order_by("created_at", "pk").values("pk")
    queryset = queryset.select_related("created_by").annotate(
        pending=Coalesce(Subquery(pending), 0), retried=Subquery(retried[:1])
    )
    queryset = ordered(queryset, params.ordering, RUN_ORDERING, "-created_at")
    return page(
        queryset, params, convert=lambda run: run_out(run, pending=run.pending, retried_by=run.retried)
    )


@router.post(
    "/runs",
    response={201: RunOut, **ERRORS},
    summary="Start a detection run",
    description="Queues a run for the background worker and answers at once (status queued); follow it "
    "with GET /detection/runs/{id}. 409 `detection_running` while another run of the territory is in "
    "progress. Territory team with edit access.",
)
def start_run(request, body: StartRunIn):
    territory = team_territory_or_404(request, body.territory)
    try:
        run = start_detection(territory, mode=body.mode, objective=body.objective, by=request.user)
    except SynergyError as error:
        raise api_error(error) from None
    run = DetectionRun.objects.select_related("created_by").get(pk=run.pk)
    return Status(201, run_out(run))


@router.get("/runs/{int:run_id}", response={200: RunOut, **ERRORS}, summary="A run: its status and progress")
def run_detail(request, run_id: int):
    return run_out(_run_or_404(request, run_id))


@router.post(
    "/runs/{int:run_id}/fail",
    response={200: RunOut, **ERRORS},
    summary="Mark a lost run as failed",
    description="A run that gives no news from the worker any more (lost: true) no longer waits; 409 "
    "`run_not_lost` while it still gives news.",
)
def fail_run(request, run_id: int):
    run = _run_or_404(request, run_id)
    try:
        run = mark_run_failed(run, by=request.user)
    except SynergyError as error:
        raise api_error(error) from None
    return run_out(run)


@router.post(
    "/runs/{int:run_id}/restart",
    response={201: RunOut, **ERRORS},
    summary="Run a failed run again",
    description="A new run with the same mode, objective and parameters (a lost run is marked failed first).",
)
def restart_run(request, run_id: int):
    run = _run_or_404(request, run_id)
    try:
        again = restart_detection(run, by=request.user)
    except SynergyError as error:
        raise api_error(error) from None
    return Status(201, run_out(DetectionRun.objects.get(pk=again.pk)))


# --- Leads ---------------------------------------------------------------------------------------------


@router.get(
    "/runs/{int:run_id}/leads",
    response={200: Page[LeadOut], **ERRORS},
    summary="Leads of a run",
    description="Ranked (ordering=rank by default; also gain_eur_per_year, co2_avoided_t_per_year, "
    "tonnes_diverted_per_year). Filters: status, resource, basis, commune (INSEE code), establishment "
    "(part of a name or a SIRET).",
)
def run_leads(request, run_id: int, params: Query[LeadParams]):
    run = _run_or_404(request, run_id)
    filters = LeadFilters(
        establishment=params.establishment or "",
        resource=params.resource or "",
        commune=params.commune or "",
        basis=params.basis or "",
        status=params.status or "",
    )
    leads = ordered(filter_leads(run.leads.all(), filters), params.ordering, LEAD_ORDERING, "rank")
    result = page(leads, params)
    places = _places(result["results"])
    result["results"] = [lead_out(lead, places) for lead in result["results"]]
    return result


@router.post(
    "/runs/{int:run_id}/leads/dismiss",
    response={200: BulkDismissOut, **ERRORS},
    summary="Dismiss several leads of a run",
    description="With one reason (required); all or nothing: every lead given must be a lead of this run "
    "waiting for review. Later runs leave their signatures out.",
)
def run_leads_dismiss(request, run_id: int, body: BulkDismissIn):
    run = _run_or_404(request, run_id)
    if not body.reason.strip():
        raise Invalid(_("Say why these leads are dismissed."), field="body.reason")
    if any(pk < 1 or pk > _LARGEST_ID for pk in body.leads):
        raise api_error(
            SynergyError(
                _("Some selected leads are not leads of this run waiting for review: nothing was dismissed.")
            )
        )
    try:
        count = dismiss_leads(run, body.leads, by=request.user, reason=body.reason)
    except SynergyError as error:
        raise api_error(error) from None
    return {"dismissed": count}


@router.get("/leads/{int:lead_id}", response={200: LeadOut, **ERRORS}, summary="A lead")
def lead_detail(request, lead_id: int):
    return _one_lead_out(visible_or_404(Lead, request, pk=lead_id))


@router.post(
    "/leads/{int:lead_id}/accept",
    response={201: AcceptOut, **ERRORS},
    summary="Accept a lead into the pipeline",
    description="Creates a synergy at status “detected” with the lead's participants (consent pending) "
    "and estimates. 409 `already_decided` if the lead was reviewed already.",
)
def lead_accept(request, lead_id: int):
    lead = visible_or_404(Lead, request, pk=lead_id)
    try:
        synergy = accept_lead(lead, by=request.user)
    except SynergyError as error:
        raise api_error(error) from None
    return Status(201, {"lead": _one_lead_out(lead), "synergy": synergy.pk})


@router.post(
    "/leads/{int:lead_id}/dismiss",
    response={200: LeadOut, **ERRORS},
    summary="Dismiss a lead",
    description="With an optional reason; later runs leave its signature out.",
)
def lead_dismiss(request, lead_id: int, body: DismissIn):
    lead = visible_or_404(Lead, request, pk=lead_id)
    try:
        dismiss_lead(lead, by=request.user, reason=body.reason.strip())
    except SynergyError as error:
        raise api_error(error) from None
    return _one_lead_out(lead)
