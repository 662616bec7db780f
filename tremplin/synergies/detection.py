"""Detection from the interface: start a run, run it (in a background task), review its leads.

A run stores the engine's opportunities as leads, minus those the territory dismissed before and those
already in its pipeline (same signature). Accepting a lead creates a synergy at status "detected";
dismissing it records its signature so that later runs leave it out.
"""

import logging
import time
from dataclasses import fields

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin import engine
from tremplin.audit.log import log_action
from tremplin.heatnetworks.services import network_inputs
from tremplin.installations.services import receiver_authorisations
from tremplin.synergies import runs
from tremplin.synergies.enums import (
    Consent,
    DetectionMode,
    LeadStatus,
    Objective,
    ParticipantRole,
    RunFailure,
    RunStatus,
    Status,
)
from tremplin.synergies.exceptions import DetectionAlreadyRunning, LeadAlreadyDecided, SynergyError
from tremplin.synergies.inputs import committed_flows, detection_inputs
from tremplin.synergies.leads import index_lead_establishments
from tremplin.synergies.models import (
    DetectionRun,
    Dismissal,
    Lead,
    StatusChange,
    Synergy,
    SynergyParticipant,
)

__all__ = [
    "accept_lead",
    "dismiss_lead",
    "lead_signature",
    "record_detected_synergy",
    "run_detection",
    "start_detection",
]

logger = logging.getLogger(__name__)

_ROLES = {
    "fournisseur": ParticipantRole.SOURCE,
    "receveur": ParticipantRole.TARGET,
    "membre": ParticipantRole.MEMBER,
}
#: Engine parameters a run may override (plain values only: a router cannot be stored).
_TUNABLE = {f.name for f in fields(engine.Parameters)} - {"router"}
#: Progress is written at most this often, so that a large run does not spend its time writing it.
PROGRESS_MIN_INTERVAL_S = 0.5
PROGRESS_MIN_STEP = 0.01
_BATCH = 500
#: Even when the progress does not move, the heartbeat is written at least this often.
HEARTBEAT_EVERY_S = 10.0


def lead_signature(kind: str, resource: str, establishment_ids) -> str:
    """Kind, resource and the sorted participants: what makes a lead "the same" from one run to the next."""
    return f"{kind}:{resource}:{'+'.join(sorted(str(i) for i in establishment_ids))}"


def _participant_ids(opportunity: dict) -> list[str]:
    if opportunity["type"] == "substitution":
        return [opportunity["source_id"], opportunity["target_id"]]
    return list(opportunity["members"])


def _require_editor(by, territory_id) -> None:
    """Runs and leads are the work of the territory's members with edit access (``by=None``: the
    platform itself, a command or a retry by the worker)."""
    from tremplin.accounts.scoping import scope_for
    from tremplin.synergies.exceptions import TeamOnly

    if by is not None and territory_id not in scope_for(by).editor_territory_ids:
        raise TeamOnly(_("Only the territory team can do this."))


def start_detection(territory, *, mode, by, objective="gain", parameters=None, retry_of=None) -> DetectionRun:
    """Record a run and hand it to the background worker; return the run (its page shows the progress)."""
    _require_editor(by, territory.pk)
    if mode not in DetectionMode.values:
        raise SynergyError(_("Unknown detection mode."))
    if objective not in Objective.values:
        raise SynergyError(_("Unknown objective."))
    parameters = dict(parameters or {})
    unknown = set(parameters) - _TUNABLE
    if unknown:
        raise SynergyError(_("Unknown engine parameters: %(names)s") % {"names": ", ".join(sorted(unknown))})
    from tremplin.synergies.tasks import run_detection_task

    runs.fail_lost_runs(territory=territory, noticed="new_run")  # a lost run never blocks a new one
    with transaction.atomic():
        if DetectionRun.objects.for_territory(territory).blocking().select_for_update().exists():
            raise DetectionAlreadyRunning(_("A detection is already running on this territory."))
        run = DetectionRun.objects.create(
            territory=territory,
            mode=mode,
            objective=objective,
            parameters=parameters,
            created_by=by,
            retry_of=retry_of,
        )
        log_action(
            by,
            "synergy.detection.started",
            run,
            territory=territory,
            mode=mode,
            objective=objective,
            retry_of=retry_of.pk if retry_of else None,
        )
    result = run_detection_task.enqueue(run.pk)
    DetectionRun.objects.filter(pk=run.pk).update(task_result_id=str(result.id))
    run.refresh_from_db()
    return run


class _ProgressWriter:
    """Writes a run's progress, throttled; the run page reads it back (it survives a page reload)."""

    def __init__(self, run_pk: int, start: float, end: float):
        self.run_pk, self.start, self.end = run_pk, start, end
        self.last_time = 0.0
        self.last_fraction = -1.0
        self.last_message = None

    def __call__(self, fraction: float, message: str) -> None:
        overall = self.start + (self.end - self.start) * max(0.0, min(1.0, fraction))
        now = time.monotonic()
        if message == self.last_message and (
            now - self.last_time < PROGRESS_MIN_INTERVAL_S or overall - self.last_fraction < PROGRESS_MIN_STEP
        ):
            if now - self.last_time >= HEARTBEAT_EVERY_S:
                self.last_time = now
                runs.beat(self.run_pk)
            return
        self.last_time, self.last_fraction, self.last_message = now, overall, message
        runs.beat(self.run_pk, progress=overall, message=message[:200])


def run_detection(run_pk: int) -> dict:
    """The body of the background task: load the inputs, run the engine, store the leads."""
    run = DetectionRun.objects.select_related("territory").get(pk=run_pk)
    if not runs.claim_run(run.pk):  # marked failed while it waited, or already run
        return {"run": run.pk, "skipped": True}
    try:
        params = engine.Parameters(**run.parameters)
        establishments, flows, params = detection_inputs(run.territory, run.mode, params)
        # Heat networks receive estimated needs (from their deliveries): not in a run on declared data only.
        networks = network_inputs(run.territory) if run.mode != DetectionMode.SYSTEMATIC else None
        runs.beat(run.pk)
        result = engine.detect(
            establishments,
            flows,
            params=params,
            objective=run.objective,
            progress=_ProgressWriter(run.pk, 0.05, 0.9),
            plan=True,
            committed=committed_flows(run.territory),
            authorisations=receiver_authorisations(run.territory),
            heat_networks=networks,
        )
        runs.beat(run.pk, progress=0.9, message="Enregistrement des pistes")
        with transaction.atomic():
            if not runs.lock_if_running(run.pk):  # marked failed as lost meanwhile: its results are dropped
                return {"run": run.pk, "skipped": True}
            counts = _store_leads(run, result)
            DetectionRun.objects.filter(pk=run.pk).update(
                status=RunStatus.DONE,
                progress=1.0,
                message="Détection terminée",
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
                establishment_count=len(establishments),
                flow_count=int(result.stats.get("flows", 0)),
                stats={**result.stats, "plan": plan_summary(result.plan)},
                knowledge_base_version=result.knowledge_base_version,
                **counts,
            )
    except (Exception, KeyboardInterrupt, SystemExit) as error:
        # The ways a task ends while its process lives on (an error; Ctrl-C or a shutdown of the worker).
        # A killed process runs nothing more: its run is found lost by its heartbeat (runs.py).
        logger.exception("detection run %s failed", run.pk)
        interrupted = isinstance(error, (KeyboardInterrupt, SystemExit))
        runs.fail_run(
            run.pk,
            failure=RunFailure.INTERRUPTED if interrupted else RunFailure.ERROR,
            error=f"{type(error).__name__}: {error}",
        )
        raise
    return {"run": run.pk, **counts}


def plan_summary(plan) -> dict:
    """The run's headline figures: the optimal allocation of its leads (HiGHS), in which a supply and a
    demand are each counted once, kept apart by basis (declared, workshop, estimated)."""
    if plan is None:
        return {}
    return {
        "objective": plan.objective,
        "status": plan.status,
        "allocations": len(plan.allocations),
        "gain_eur_per_year": plan.total_gain_eur_per_year,
        "co2_avoided_t_per_year": plan.total_co2_avoided_t_per_year,
        "tonnes_diverted_per_year": plan.total_tonnes_diverted_per_year,
        "by_basis": plan.totals_by_basis,
    }


def _store_leads(run: DetectionRun, result) -> dict:
    territory = run.territory
    dismissed = set(Dismissal.objects.filter(territory=territory).values_list("signature", flat=True))
    in_pipeline = set(Synergy.objects.filter(territory=territory).values_list("signature", flat=True))
    leads, skipped_dismissed, skipped_in_pipeline = [], 0, 0
    for opportunity in result.opportunities:
        data = opportunity.as_dict()
        ids = _participant_ids(data)
        signature = lead_signature(opportunity.type, opportunity.resource, ids)
        if signature in dismissed:
            skipped_dismissed += 1
            continue
        if signature in in_pipeline:
            skipped_in_pipeline += 1
            continue
        leads.append(
            Lead(
                run=run,
                territory=territory,
                rank=len(leads) + 1,
                signature=signature,
                kind=opportunity.type,
                resource=opportunity.resource,
                resource_label=opportunity.resource_label,
                establishment_ids=[int(i) for i in ids],
                gain_eur_per_year=opportunity.gain_eur_per_year,
                co2_avoided_t_per_year=opportunity.co2_avoided_t_per_year,
                tonnes_diverted_per_year=opportunity.tonnes_diverted_per_year,
                confidence=opportunity.confidence,
                data=data,
            )
        )
    with transaction.atomic():
        Lead.objects.bulk_create(leads, batch_size=_BATCH)
        index_lead_establishments(run)
    return {
        "lead_count": len(leads),
        "skipped_dismissed": skipped_dismissed,
        "skipped_in_pipeline": skipped_in_pipeline,
    }


def _revenue(data: dict) -> float:
    """What the supplier is paid for its by-product (the part of the gain earned rather than saved)."""
    revenue = 0.0
    for participant in data.get("participants", []):
        if participant["role"] != "fournisseur":
            continue
        for item in participant["items"]:
            if item["label"] == "Prix de cession reçu" and item["eur"] > 0:
                revenue += item["eur"]
    return revenue


def _breakdown(data: dict) -> dict:
    keys = (
        "rule_id",
        "kind",
        "explanation",
        "assumptions",
        "factors",
        "sources",
        "references",
        "regulatory_flags",
        "receiver_authorisation",
        "waste_codes",
        "co2_breakdown_t",
        "great_circle_km",
        "distance_method",
        "participants",
    )
    breakdown = {key: data.get(key) for key in keys}
    breakdown["engine_id"] = data.get("id")
    return breakdown


def accept_lead(lead: Lead, *, by) -> Synergy:
    """Take a lead into the pipeline: a synergy at status "detected", with its participants and estimates."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("territory").get(pk=lead.pk)
        _require_editor(by, lead.territory_id)
        if lead.status != LeadStatus.PENDING:
            raise LeadAlreadyDecided(_("This lead was already reviewed."))
        territory = lead.territory
        if Synergy.objects.filter(territory=territory, signature=lead.signature).exists():
            raise LeadAlreadyDecided(_("This synergy is already in the pipeline."))
        data = lead.data
        establishments = {e.pk: e for e in territory.establishments.filter(pk__in=lead.establishment_ids)}
        if len(establishments) != len(set(lead.establishment_ids)):
            raise SynergyError(_("An establishment of this lead no longer exists."))
        participants = [
            (establishments[int(p["company_id"])], p["role"], p["gain_eur"], p["items"])
            for p in data["participants"]
        ]
        data = {
            **data,
            "type": lead.kind,
            "resource": lead.resource,
            "resource_label": lead.resource_label,
            "gain_eur_per_year": lead.gain_eur_per_year,
            "tonnes_diverted_per_year": lead.tonnes_diverted_per_year,
            "co2_avoided_t_per_year": lead.co2_avoided_t_per_year,
        }
        synergy = record_detected_synergy(
            territory,
            data,
            by=by,
            participants=participants,
            basis=lead.confidence,
            signature=lead.signature,
            source_run_id=lead.run_id,
            audit={"lead": lead.pk, "run": lead.run_id, "signature": lead.signature},
        )
        now = synergy.status_changed_at
        lead.status, lead.decided_at, lead.synergy = LeadStatus.ACCEPTED, now, synergy
        lead.save(update_fields=["status", "decided_at", "synergy"])
    return synergy


def record_detected_synergy(
    territory, data: dict, *, by, participants, basis: str, signature: str, source_run_id=None, audit=None
) -> Synergy:
    """A synergy at status "detected" from an engine opportunity (``Opportunity.as_dict()``), with its
    participants ``(establishment, engine role, gain, gain items)``, each one's consent pending; used by a
    reviewed lead and by a workshop's pinned match (basis "workshop"). Call it inside a transaction."""
    if Synergy.objects.filter(territory=territory, signature=signature).exists():
        raise LeadAlreadyDecided(_("This synergy is already in the pipeline."))
    now = timezone.now()
    synergy = Synergy.objects.create(
        territory=territory,
        kind=data["type"],
        rule=data.get("rule_id") or data.get("kind") or "",
        resource=data["resource"],
        resource_label=data["resource_label"],
        input_resource=data.get("input_resource") or "",
        status=Status.DETECTED,
        basis=basis,
        confidence=basis,
        distance_km=data.get("distance_km") or 0.0,
        quantity=data.get("quantity") or 0.0,
        unit=data.get("unit") or "",
        gain_eur_per_year=data.get("gain_eur_per_year") or 0.0,
        revenue_eur_per_year=_revenue(data),
        tonnes_diverted_per_year=data.get("tonnes_diverted_per_year") or 0.0,
        co2_avoided_t_per_year=data.get("co2_avoided_t_per_year") or 0.0,
        jobs=None,
        breakdown=_breakdown(data),
        signature=signature,
        source_run_id=source_run_id,
        created_by=by,
        status_changed_at=now,
    )
    SynergyParticipant.objects.bulk_create(
        SynergyParticipant(
            synergy=synergy,
            establishment=establishment,
            role=_ROLES[role],
            estimated_gain_eur_per_year=gain,
            gain_items=items,
            consent=Consent.PENDING,
        )
        for establishment, role, gain, items in participants
    )
    StatusChange.objects.create(synergy=synergy, from_status="", to_status=Status.DETECTED, by=by, at=now)
    log_action(by, "synergy.created", synergy, territory=territory, **(audit or {}))
    return synergy


def dismiss_lead(lead: Lead, *, by, reason: str = "") -> Dismissal:
    """Set a lead aside for good: this run and the later ones leave its signature out."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("territory").get(pk=lead.pk)
        _require_editor(by, lead.territory_id)
        if lead.status != LeadStatus.PENDING:
            raise LeadAlreadyDecided(_("This lead was already reviewed."))
        dismissal, _created = Dismissal.objects.get_or_create(
            territory=lead.territory,
            signature=lead.signature,
            defaults={
                "by": by,
                "reason": reason,
                "label": f"{lead.resource_label} ({lead.get_kind_display()})",
            },
        )
        Lead.objects.filter(
            territory=lead.territory, signature=lead.signature, status=LeadStatus.PENDING
        ).update(status=LeadStatus.DISMISSED, decided_at=timezone.now())
        log_action(
            by,
            "synergy.lead.dismissed",
            lead,
            territory=lead.territory,
            signature=lead.signature,
            reason=reason,
        )
    return dismissal
