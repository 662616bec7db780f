"""Objective synergy potential of a territory, computed from its economic fabric alone (deductive mode),
so that a selection committee can compare applicants on the same basis.

The totals come from the optimal plan, so a supply is never counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from .detect import detect
from .knowledge import KnowledgeBase
from .model import Establishment, Parameters, SynergyPotential

__all__ = ["synergy_potential"]


def synergy_potential(
    establishments: Iterable[Establishment], kb: KnowledgeBase | None = None, params: Parameters | None = None
) -> SynergyPotential:
    """Leads, tonnes, euros and CO2 of synergy potential of a set of establishments.

    ``score`` is the yearly net gain of the optimal plan in thousands of euros: simple, additive, and
    comparable between territories estimated with the same knowledge-base version.
    """
    items = list(establishments)
    result = detect(items, kb=kb, params=params, plan=True)
    plan = result.plan
    gain = plan.total_gain_eur_per_year if plan else 0.0
    substitutions = sum(1 for o in result.opportunities if o.type == "substitution")
    count = len(items)
    return SynergyPotential(
        establishments=count,
        employees=float(sum(e.headcount for e in items if e.headcount and e.headcount == e.headcount)),
        estimated_flows=int(result.stats["flows_by_basis"]["estimated"]),
        substitution_leads=substitutions,
        mutualisation_leads=len(result.opportunities) - substitutions,
        tonnes_diverted_per_year=plan.total_tonnes_diverted_per_year if plan else 0.0,
        gain_eur_per_year=gain,
        co2_avoided_t_per_year=plan.total_co2_avoided_t_per_year if plan else 0.0,
        leads_per_100_establishments=100.0 * len(result.opportunities) / count if count else 0.0,
        score=round(gain / 1000.0, 1),
    )
