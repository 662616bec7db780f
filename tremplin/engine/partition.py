"""A partitioned run of the synergy potential: one partition (a département, a tile) at a time, merged.

A partition is a set of *core* establishments (those of the département) plus a *margin*: the
establishments outside it within the engine's maximum matching distance, so that no pair with a core
establishment is missed. The engine runs on core + margin and keeps only the leads *owned* by a core
establishment; merging the partitions' leads gives one national list, ranked globally.

Attribution rule (one, for every lead, so that a lead across a border is found once and counted once):

- a substitution is owned by its **supplier** establishment (the gisement's site): the supply is
  counted by the one partition whose core holds it, never twice;
- a mutualisation group is owned by its **smallest member id** (string order).

This module's public names are the contract with :mod:`tremplin.national` (see TEAM13.md).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from .detect import detect
from .knowledge import KnowledgeBase, default_knowledge_base
from .model import Establishment, Opportunity, Parameters

__all__ = [
    "AreaPotential",
    "LeadFigure",
    "PartitionResult",
    "area_potentials",
    "lead_owner",
    "merge_partitions",
    "partition_leads",
]


@dataclass(frozen=True)
class LeadFigure:
    """One lead of a partitioned run, with the figures counted in totals (never twice).

    ``id`` is the engine's lead id (``S:<rule>:<supplier>><receiver>`` or
    ``M:<kind>:<resource>:<members>``): the same pair or group gives the same id in every partition.
    ``owner`` is the core establishment the lead is attributed to (see the module's attribution rule).
    ``tonnes_per_year``, ``co2e_t_per_year`` and ``gain_eur_per_year`` are the lead's share of the
    partition's optimal plan (0 for a lead the plan does not retain), so that adding leads up never
    counts a supply twice. ``rank_value`` orders leads globally (higher first); ``rank`` is set by
    :func:`merge_partitions` (0 before).
    """

    id: str
    owner: str
    kind: str  # "substitution" | "mutualisation"
    family: str
    resource: str
    tonnes_per_year: float
    co2e_t_per_year: float
    gain_eur_per_year: float
    establishments: tuple[str, ...]
    rank_value: float
    basis: str = "estimated"
    rank: int = 0


@dataclass
class PartitionResult:
    """The leads owned by a partition's core establishments, and what it took to find them.

    ``establishments`` = core + margin given to the engine; ``core`` and ``margin`` their split;
    ``seconds`` the wall time of :func:`partition_leads`.
    """

    leads: list[LeadFigure]
    establishments: int
    core: int
    margin: int
    seconds: float
    knowledge_base_version: str = ""
    stats: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AreaPotential:
    """Sums of the leads attributed to one area (an EPCI): counts, tonnes, t CO2e and euros, in total
    and by resource family (``by_family[family] = (leads, tonnes, co2e_t, eur)``)."""

    area: str
    establishments: int
    employees: float
    leads: int
    substitution_leads: int
    mutualisation_leads: int
    tonnes_per_year: float
    co2e_t_per_year: float
    gain_eur_per_year: float
    by_family: dict[str, tuple[int, float, float, float]]


def lead_owner(opportunity: Opportunity) -> str:
    """The establishment a lead is attributed to: the supplier of a substitution, the smallest member id
    of a mutualisation group.

    >>> lead_owner(Opportunity("S:x:a>b", "substitution", "r", "R", "t", 1, 1, 1, 1, 1, "estimated", "",
    ...                        source_id="b", target_id="a"))
    'b'
    """
    if opportunity.type == "substitution":
        return str(opportunity.source_id)
    return min(opportunity.members)


def partition_leads(
    establishments: Iterable[Establishment],
    core: Collection[str],
    *,
    kb: KnowledgeBase | None = None,
    params: Parameters | None = None,
) -> PartitionResult:
    """Run the engine on ``establishments`` (core + margin) and keep the leads owned by a ``core`` id.

    Figures come from the partition's optimal plan, solved on the leads the partition owns.
    """
    start = time.perf_counter()
    kb = kb or default_knowledge_base()
    items = list(establishments)
    core_ids = frozenset(core)
    result = detect(items, kb=kb, params=params, plan=True)
    by_alloc = {a.opportunity_id: a for a in (result.plan.allocations if result.plan else [])}
    leads = []
    for o in result.opportunities:
        owner = lead_owner(o)
        if owner not in core_ids:
            continue
        a = by_alloc.get(o.id)
        members = (o.source_id, o.target_id) if o.type == "substitution" else o.members
        leads.append(
            LeadFigure(
                id=o.id,
                owner=owner,
                kind=o.type,
                family=kb.resources[o.resource].family if o.resource in kb.resources else "",
                resource=o.resource,
                tonnes_per_year=a.tonnes_diverted_per_year if a else 0.0,
                co2e_t_per_year=a.co2_avoided_t_per_year if a else 0.0,
                gain_eur_per_year=a.gain_eur_per_year if a else 0.0,
                establishments=tuple(str(m) for m in members),
                rank_value=o.gain_eur_per_year,
                basis=o.confidence,
            )
        )
    n_core = sum(1 for e in items if e.id in core_ids)
    return PartitionResult(
        leads=leads,
        establishments=len(items),
        core=n_core,
        margin=len(items) - n_core,
        seconds=time.perf_counter() - start,
        knowledge_base_version=result.knowledge_base_version,
    )


def merge_partitions(results: Iterable[PartitionResult]) -> list[LeadFigure]:
    """All partitions' leads, deduplicated by id (first seen kept), ranked globally: by ``rank_value``
    descending, then by id; ``rank`` is 1 for the first."""
    seen: dict[str, LeadFigure] = {}
    for result in results:
        for lead in result.leads:
            seen.setdefault(lead.id, lead)
    ordered = sorted(seen.values(), key=lambda lead: (-lead.rank_value, lead.id))
    from dataclasses import replace

    return [replace(lead, rank=rank) for rank, lead in enumerate(ordered, start=1)]


def area_potentials(
    leads: Iterable[LeadFigure],
    area_of: Mapping[str, str],
    establishments_by_area: Mapping[str, tuple[int, float]],
) -> dict[str, AreaPotential]:
    """Attribute each lead to its owner's area (``area_of[owner]``, e.g. an EPCI SIREN) and sum, per area,
    leads, tonnes, t CO2e and euros, in total and by family. ``establishments_by_area[area]`` is
    ``(establishments, employees)``; every area listed there appears, with zeros when it owns no lead.
    A lead whose owner has no area is left out."""
    sums: dict[str, dict] = {}

    def entry(area: str) -> dict:
        return sums.setdefault(area, {"n": 0, "s": 0, "m": 0, "t": 0.0, "c": 0.0, "g": 0.0, "f": {}})

    for area in establishments_by_area:
        entry(area)
    for lead in leads:
        area = area_of.get(lead.owner)
        if area is None:
            continue
        e = entry(area)
        e["n"] += 1
        e["s" if lead.kind == "substitution" else "m"] += 1
        e["t"] += lead.tonnes_per_year
        e["c"] += lead.co2e_t_per_year
        e["g"] += lead.gain_eur_per_year
        n, t, c, g = e["f"].get(lead.family, (0, 0.0, 0.0, 0.0))
        e["f"][lead.family] = (
            n + 1,
            t + lead.tonnes_per_year,
            c + lead.co2e_t_per_year,
            g + lead.gain_eur_per_year,
        )
    out = {}
    for area, e in sums.items():
        count, employees = establishments_by_area.get(area, (0, 0.0))
        out[area] = AreaPotential(
            area=area,
            establishments=int(count),
            employees=float(employees),
            leads=e["n"],
            substitution_leads=e["s"],
            mutualisation_leads=e["m"],
            tonnes_per_year=e["t"],
            co2e_t_per_year=e["c"],
            gain_eur_per_year=e["g"],
            by_family=dict(sorted(e["f"].items())),
        )
    return out
