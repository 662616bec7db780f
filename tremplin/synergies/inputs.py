"""What a detection run feeds the engine, per mode.

Establishments and known flows come from :func:`tremplin.flows.engine_inputs.engine_inputs` (ids are the
primary keys as strings). Modes:

- deductive: establishments only; every flow is estimated from the activity code and headcount;
- systematic: known (declared or workshop) flows only, on the establishments that have some, nothing
  estimated (``Parameters.estimate_missing_flows = False``, which the engine supports);
- both: known flows, and estimates for what an establishment did not declare.
"""

from tremplin import engine
from tremplin.flows.engine_inputs import engine_inputs
from tremplin.synergies.enums import DetectionMode, ParticipantRole, Status, SynergyKind


def detection_inputs(territory, mode: str, params: engine.Parameters):
    """``(establishments, flows or None, params)`` to pass to :func:`engine.detect` for ``mode``."""
    if mode == DetectionMode.DEDUCTIVE:
        establishments, _flows = engine_inputs(territory, include_declared=False)
        params.estimate_missing_flows = True
        return establishments, None, params
    establishments, flows = engine_inputs(territory, include_declared=True)
    if mode == DetectionMode.SYSTEMATIC:
        declaring = {f.company_id for f in flows}
        establishments = [e for e in establishments if e.id in declaring]
        params.estimate_missing_flows = False
    else:
        params.estimate_missing_flows = True
    return establishments, flows, params


def committed_flows(territory) -> list[engine.Flow]:
    """Quantities already promised in the territory's pipeline (every substitution synergy that is not
    abandoned): the supplier's gisement and the receiver's besoin they use. The engine takes them off the
    flows before matching, so that a later run never offers the same supply a second time."""
    from tremplin.synergies.models import Synergy

    resources = engine.default_knowledge_base().resources
    flows: list[engine.Flow] = []
    synergies = (
        Synergy.objects.filter(territory=territory, kind=SynergyKind.SUBSTITUTION)
        .exclude(status=Status.ABANDONED)
        .prefetch_related("participants")
    )
    for synergy in synergies:
        if synergy.quantity <= 0 or synergy.resource not in resources:
            continue
        roles = {p.role: p.establishment_id for p in synergy.participants.all()}
        source, target = roles.get(ParticipantRole.SOURCE), roles.get(ParticipantRole.TARGET)
        unit = resources[synergy.resource].unit
        if source is not None:
            flows.append(engine.Flow(str(source), "out", synergy.resource, synergy.quantity, unit))
        ratio = float((synergy.breakdown.get("factors") or {}).get("ratio") or 1.0)
        if target is not None and synergy.input_resource in resources:
            flows.append(
                engine.Flow(
                    str(target),
                    "in",
                    synergy.input_resource,
                    synergy.quantity * ratio,
                    resources[synergy.input_resource].unit,
                )
            )
    return flows
