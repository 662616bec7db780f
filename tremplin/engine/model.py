"""Plain dataclasses in and out of the engine, and the caller-overridable :class:`Parameters`.

>>> e = Establishment("1", "Brasserie du Port", "11.05Z", 49.49, 0.11, 12)
>>> Flow("1", "out", "bio_spent_grain", 700, "t").basis
'declared'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BASES",
    "Allocation",
    "DetectionResult",
    "Establishment",
    "Flow",
    "Opportunity",
    "Parameters",
    "ParticipantGain",
    "Plan",
    "SynergyPotential",
    "operation_kind",
]

#: Bases of a quantity, from the most to the least reliable. "register": read from a public register
#: (IREP/GEREP yearly declarations): it outranks an estimate and is outranked by what the company says.
BASES: tuple[str, ...] = ("declared", "workshop", "register", "estimated")

BASIS_LABELS = {"declared": "déclaré", "workshop": "atelier", "register": "registre", "estimated": "estimé"}

#: First letter of a waste treatment code (directive 2008/98/EC, annexes I and II): D disposal, R recovery.
DISPOSAL, RECOVERY = "D", "R"


def operation_kind(code: str) -> str:
    """``"D"`` for a disposal operation (D1–D15), ``"R"`` for a recovery one (R1–R13), ``""`` when
    unknown.

    >>> operation_kind("D10"), operation_kind(" r3 "), operation_kind("")
    ('D', 'R', '')
    """
    code = (code or "").strip().upper()
    if len(code) >= 2 and code[0] in (DISPOSAL, RECOVERY) and code[1:].isdigit():
        return code[0]
    return ""


@dataclass(frozen=True)
class Establishment:
    """An establishment (SIRET level).  ``naf`` in any form accepted by :func:`naf.normalise_naf`;
    ``headcount`` is the number of employees: 0 for a non-employer, ``nan`` when unknown (the detection
    then assumes ``Parameters.unknown_headcount`` and says so)."""

    id: str
    name: str
    naf: str
    lat: float
    lon: float
    headcount: float = 0.0


@dataclass(frozen=True)
class Flow:
    """A yearly flow of one resource: ``direction`` "out" (gisement) or "in" (besoin).

    ``operation`` is the waste's current treatment code when known (``"D10"``, ``"R3"``: a register
    says it); ``upper_bound`` says the quantity is a ceiling, not a figure (a register line below the
    reporting threshold stands at the threshold).
    """

    company_id: str
    direction: str
    resource: str
    quantity: float
    unit: str
    basis: str = "declared"
    operation: str = ""
    upper_bound: bool = False


@dataclass
class Parameters:
    """Every overridable default of the detection.  Figures not listed here come from the knowledge base
    and are overridden through the ``*_overrides`` mappings.

    >>> Parameters(detour_factor=1.2).detour_factor
    1.2
    """

    #: Road distance = great-circle distance x detour_factor (SOURCES.md: circuity).
    detour_factor: float = 1.3
    #: Optional road router ``(lat1, lon1, lat2, lon2) -> km``; replaces the detour estimate when set.
    router: Callable[[float, float, float, float], float] | None = None
    #: Position inside the catalogue's [low, high] price and cost ranges (0 = low, 1 = high).
    price_point: float = 0.5
    #: Per-resource overrides, e.g. ``{"paper_cardboard": {"treatment_cost": 50, "virgin_co2": 900}}``.
    resource_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per-transport-class overrides, e.g. ``{"camion_vrac": {"max_distance_km": 30}}``.
    transport_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per-rule overrides (``ratio``, ``pretreatment_cost``, ``process_co2``, ``max_distance_km``,
    #: ``enabled``), e.g. ``{"SUB-BOIS-01": {"enabled": False}}``.
    rule_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per-mutualisation-kind overrides (any numeric field of the kind, or ``enabled``).
    mutualisation_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Global cap on exchange distance (km, road), on top of each resource's own limit.
    max_distance_km: float | None = None
    #: Share of a substitution's net gain that goes to the supplier (the transfer price balances it).
    source_gain_share: float = 0.5
    #: Include annualised pipe costs (heat, steam, water) in gains and in the plan.
    include_infrastructure_cost: bool = True
    #: A pipe for a flow other than its class's reference flow costs (flow / reference) ** exponent as
    #: much per km (a pipe's cost follows its diameter, the diameter the square root of the flow at a
    #: given velocity), within these bounds (trench and civil works do not shrink with the flow).
    pipe_scale_exponent: float = 0.5
    pipe_scale_bounds: tuple[float, float] = (0.3, 2.0)
    #: Substitution leads below this yearly gain (EUR) are dropped.
    min_gain_eur: float = 500.0
    #: With objective "co2", leads below this t CO2e/year are dropped instead.
    min_co2_t: float = 1.0
    #: Mutualisation groups below this yearly gain (EUR) are dropped.
    min_mutualisation_gain_eur: float = 1000.0
    #: A member that would gain less than this (EUR/yr) is left out of a group, unless the kind of
    #: mutualisation sets its own minimum (``min_member_gain_eur``).
    min_member_gain_eur: float = 200.0
    #: Nearest receivers examined per supply and rule (at least; supplies of rare resources look at
    #: up to ``max_neighbours_per_source``, so that a big receiver a little farther away is not missed).
    neighbours_per_source: int = 12
    max_neighbours_per_source: int = 64
    #: Receivers kept per supply flow (all rules together), best first: declared and workshop data
    #: before estimates, then by the objective.
    max_candidates_per_source: int = 5
    #: Leads an establishment *receives* for each of its needs (the resource group of an input: steam,
    #: heat, water, feed…) in the final list: substitution leads where it is the receiver and
    #: mutualisation groups it joins for that resource. Each lead has one receiver (or counts for every
    #: member), so the number of leads stays a small multiple of the number of needs, and a run lists far
    #: fewer than 3 leads per establishment on average. Matches of declared (or workshop) flows on both
    #: sides are never cut by this cap.
    max_leads_per_establishment: int = 3
    #: Mutualisation groups kept per establishment in the final list (within the cap above).
    max_mutualisations_per_establishment: int = 1
    #: Cap on the total number of opportunities (None = no cap).
    max_results: int | None = None
    #: Detect mutualisations.
    mutualisation: bool = True
    #: Estimate, from sector profiles, the flows an establishment did not declare.
    estimate_missing_flows: bool = True
    #: Employees assumed for an establishment whose headcount is unknown (``nan``; an empty headcount in
    #: COMPANIES.csv): a mid-size site, the representative of the INSEE band 50–99 employees. A lead built
    #: on it says so.
    unknown_headcount: float = 71.0
    #: Rank declared before workshop before register before estimated, then by the objective.
    rank_by_confidence_first: bool = True
    #: Within one basis, the objective value of a lead is multiplied, for ranking only (gains and
    #: figures stay as they are), by a factor of its gisement's current treatment: a waste going to
    #: disposal (D1–D15) is a better lead than one already recovered (R1–R13); unknown: 1.
    current_operation_factors: dict[str, float] = field(default_factory=lambda: {"D": 1.25, "R": 0.8})
    #: Net, within one site, its estimated gisement and besoin of one resource group (steam, heat…):
    #: a site is a net supplier or a net receiver of it.
    net_estimated_flows: bool = True
    #: Time limit of the optimisation (seconds), for each connected part with pipe links.
    plan_time_limit_s: float = 60.0
    #: Relative optimality gap at which the plan's MILP stops (HiGHS's ``mip_rel_gap``): each part's
    #: plan is then proven within this share of its optimal gain. A part of a dense area can have
    #: thousands of pipe links; solved to 1e-6 it can take HiGHS past the time limit (see
    #: tremplin.national.compute, which accepts a wider gap for a national run).
    plan_mip_gap: float = 1e-6


@dataclass(frozen=True)
class ParticipantGain:
    """Yearly gain of one participant, with its components (label in French, EUR)."""

    company_id: str
    role: str  # fournisseur | receveur | membre
    gain_eur: float
    items: tuple[tuple[str, float], ...] = ()


@dataclass
class Opportunity:
    """A detected synergy lead, with every figure needed to explain it."""

    id: str
    type: str  # substitution | mutualisation
    resource: str
    resource_label: str
    unit: str
    quantity: float
    distance_km: float
    gain_eur_per_year: float
    co2_avoided_t_per_year: float
    tonnes_diverted_per_year: float
    confidence: str
    explanation: str
    source_id: str | None = None
    target_id: str | None = None
    members: tuple[str, ...] = ()
    input_resource: str | None = None
    rule_id: str | None = None
    kind: str | None = None
    great_circle_km: float = 0.0
    distance_method: str = ""
    participants: tuple[ParticipantGain, ...] = ()
    co2_breakdown: dict[str, float] = field(default_factory=dict)
    factors: dict[str, float] = field(default_factory=dict)
    regulatory_flags: tuple[str, ...] = ()
    waste_codes: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    #: Readable references (title, publisher, year) of the figures used.
    sources: tuple[str, ...] = ()
    #: The same references as data (key, title, publisher, year, url, kind), for exports.
    references: tuple[dict[str, Any], ...] = ()
    #: With ICPE data given to ``detect`` (``authorisations``): the receiver's authorisation to take this
    #: waste (state, reason, rubriques; see :mod:`tremplin.engine.authorisation`), else None.
    receiver_authorisation: dict[str, Any] | None = None
    rank: int = 0
    in_plan: bool | None = None
    plan_quantity: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rank": self.rank,
            "type": self.type,
            "rule_id": self.rule_id,
            "kind": self.kind,
            "source_id": self.source_id,
            "target_id": self.target_id,
            "members": list(self.members),
            "resource": self.resource,
            "resource_label": self.resource_label,
            "input_resource": self.input_resource,
            "quantity": self.quantity,
            "unit": self.unit,
            "distance_km": self.distance_km,
            "great_circle_km": self.great_circle_km,
            "distance_method": self.distance_method,
            "gain_eur_per_year": self.gain_eur_per_year,
            "participants": [
                {
                    "company_id": p.company_id,
                    "role": p.role,
                    "gain_eur": p.gain_eur,
                    "items": [{"label": label, "eur": eur} for label, eur in p.items],
                }
                for p in self.participants
            ],
            "co2_avoided_t_per_year": self.co2_avoided_t_per_year,
            "co2_breakdown_t": self.co2_breakdown,
            "factors": self.factors,
            "tonnes_diverted_per_year": self.tonnes_diverted_per_year,
            "confidence": self.confidence,
            "regulatory_flags": list(self.regulatory_flags),
            "receiver_authorisation": self.receiver_authorisation,
            "waste_codes": list(self.waste_codes),
            "assumptions": list(self.assumptions),
            "sources": list(self.sources),
            "references": [dict(r) for r in self.references],
            "explanation": self.explanation,
            "in_plan": self.in_plan,
            "plan_quantity": self.plan_quantity,
        }


@dataclass(frozen=True)
class Allocation:
    opportunity_id: str
    quantity: float
    gain_eur_per_year: float
    co2_avoided_t_per_year: float
    tonnes_diverted_per_year: float = 0.0
    basis: str = "estimated"


@dataclass
class Plan:
    """The optimal allocation of limited supplies among competing demands.

    Its totals are the figures to show for a set of leads: each supply and each demand is counted at
    most once, whereas adding up the leads would promise one supply to several receivers.
    ``totals_by_basis`` keeps leads of declared, workshop and estimated data apart (a total never mixes
    them silently).
    """

    objective: str
    status: str
    allocations: list[Allocation]
    total_gain_eur_per_year: float
    total_co2_avoided_t_per_year: float
    total_tonnes_diverted_per_year: float = 0.0
    totals_by_basis: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class DetectionResult:
    opportunities: list[Opportunity]
    plan: Plan | None
    flows: list[Flow]
    stats: dict[str, Any]
    knowledge_base_version: str

    def as_dict(self) -> dict[str, Any]:
        plan = None
        if self.plan is not None:
            plan = {
                "objective": self.plan.objective,
                "status": self.plan.status,
                "total_gain_eur_per_year": self.plan.total_gain_eur_per_year,
                "total_co2_avoided_t_per_year": self.plan.total_co2_avoided_t_per_year,
                "total_tonnes_diverted_per_year": self.plan.total_tonnes_diverted_per_year,
                "totals_by_basis": self.plan.totals_by_basis,
                "allocations": [a.__dict__ for a in self.plan.allocations],
            }
        return {
            "knowledge_base_version": self.knowledge_base_version,
            "stats": self.stats,
            "opportunities": [o.as_dict() for o in self.opportunities],
            "plan": plan,
        }


@dataclass(frozen=True)
class SynergyPotential:
    """Objective synergy-potential figures of a territory, comparable between territories."""

    establishments: int
    employees: float
    estimated_flows: int
    substitution_leads: int
    mutualisation_leads: int
    tonnes_diverted_per_year: float
    gain_eur_per_year: float
    co2_avoided_t_per_year: float
    leads_per_100_establishments: float
    score: float
