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
from tremplin.synergies.enums import DetectionMode


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
