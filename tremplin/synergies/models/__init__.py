from tremplin.synergies.models.detection import DetectionRun, Dismissal, Lead
from tremplin.synergies.models.synergy import Synergy, SynergyParticipant
from tremplin.synergies.models.tracking import Measurement, StatusChange, SynergyAction

__all__ = [
    "DetectionRun",
    "Dismissal",
    "Lead",
    "Measurement",
    "StatusChange",
    "Synergy",
    "SynergyAction",
    "SynergyParticipant",
]
