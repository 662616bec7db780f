"""Why two establishments of a territory were or were not matched, from the same inputs as a detection run
(the engine's :func:`tremplin.engine.whynot.why_not`, fed like :func:`tremplin.synergies.detection`)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tremplin import engine
from tremplin.engine.whynot import why_not
from tremplin.synergies.enums import DetectionMode
from tremplin.synergies.exceptions import SynergyError
from tremplin.synergies.inputs import committed_flows, detection_inputs
from tremplin.www.access import is_team_of

__all__ = ["PairExplanation", "explain_pair"]


@dataclass
class PairExplanation:
    first: object
    second: object
    mode: str
    reasons: list  # engine PairReason, in the order of the diagnosis


def explain_pair(territory, first, second, *, mode: str, by) -> PairExplanation:
    """Run the detection's matching for the two establishments and say, for each gisement of one and each
    besoin of the other, why it was or was not proposed. Reads only: nothing is stored."""
    if not is_team_of(by, territory.pk):
        raise SynergyError(_("Only the territory's team may explain its detection."))
    if mode not in DetectionMode.values:
        raise SynergyError(_("Unknown detection mode."))
    if first.territory_id != territory.pk or second.territory_id != territory.pk or first.pk == second.pk:
        raise SynergyError(_("Choose two different establishments of the territory."))
    establishments, flows, params = detection_inputs(territory, mode, engine.Parameters())
    ids = {e.id for e in establishments}
    if str(first.pk) not in ids or str(second.pk) not in ids:
        raise SynergyError(
            _("In systematic mode only establishments with declared flows take part: declare a flow first.")
        )
    diagnosis = why_not(
        establishments,
        flows,
        a=str(first.pk),
        b=str(second.pk),
        params=params,
        committed=committed_flows(territory),
    )
    return PairExplanation(first, second, mode, diagnosis.reasons)
