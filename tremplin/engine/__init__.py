"""Tremplin's synergy detection engine (pure Python: no Django).

Give it establishments (and any declared flows); get back ranked, quantified, explained opportunities of
substitution and mutualisation, and optionally the optimal allocation of limited supplies.

>>> from tremplin.engine import Establishment, detect
>>> result = detect([Establishment("a", "Brasserie", "11.05Z", 49.00, 0.10, 40),
...                  Establishment("b", "Élevage", "01.41Z", 49.05, 0.12, 3)])
>>> result.opportunities[0].rule_id
'SUB-BIO-01'
"""

from .authorisation import AuthorisedRubrique
from .detect import OBJECTIVES, detect
from .estimate import estimate_flows
from .exceptions import EngineError, InputError, KnowledgeBaseError, UnitError, UnknownResource
from .geo import great_circle_km
from .knowledge import KnowledgeBase, default_knowledge_base, load_knowledge_base
from .model import (
    Allocation,
    DetectionResult,
    Establishment,
    Flow,
    Opportunity,
    Parameters,
    ParticipantGain,
    Plan,
    SynergyPotential,
)
from .networks import HeatNetwork
from .potential import synergy_potential
from .units import convert

__all__ = [
    "OBJECTIVES",
    "Allocation",
    "AuthorisedRubrique",
    "DetectionResult",
    "EngineError",
    "Establishment",
    "Flow",
    "HeatNetwork",
    "InputError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Opportunity",
    "Parameters",
    "ParticipantGain",
    "Plan",
    "SynergyPotential",
    "UnitError",
    "UnknownResource",
    "convert",
    "default_knowledge_base",
    "detect",
    "estimate_flows",
    "great_circle_km",
    "load_knowledge_base",
    "synergy_potential",
]
