"""A partitioned run of the synergy potential: one partition (a département, a tile) at a time, merged.

A partition is a set of *core* establishments (those of the département) plus a *margin*: the
establishments outside it within :func:`max_matching_distance_km` of a core one, so that no pair or
group with a core owner is missed. The engine runs on core + margin with ``detect(..., core=...)``;
each partition returns the leads *owned* by its core; merging the partitions' leads gives one list,
ranked globally (:func:`merge_partitions`) and summed per area (:func:`area_potentials`).

**Attribution rule** (one rule, so that a lead across a border is found once and counted once):

- a substitution is owned by its **supplier** (the gisement's establishment): a supply is counted by
  the one partition whose core holds it, never twice;
- a mutualisation group is owned by its **seed**, the member it is grown from (the largest quantity,
  ties by id; the first of ``Opportunity.members``): every member is within the kind's radius of it, so
  inside the margin.

What the margin's leads do in a partition: they are matched and grouped as in one big run, and they
**take their place in the per-establishment caps** (leads per receiver and need, receivers per supply,
groups per member, the reverse pair) and in the plan (a receiver's demand, a supply); but they are
neither explained nor returned, and their allocations are not the partition's. Letting them out of the
caps instead (a core establishment's caps counting only the core's leads) was measured on a denser
variant of the test case below (1,200 establishments): 2,540 of 4,008 lead ids differed from one big
run (a receiver near a border got its three leads per need from each side), against 51 when they
compete.

What is exact, whatever the data (given a margin of at least :func:`max_matching_distance_km` and the
same :func:`partition_parameters`): the candidates of a core supply (its receivers, quantities, gains,
CO2, best rule per pair, best few per supply) are those of one big run, since every receiver within
reach is in the partition and the estimates are per establishment; so are the leads' ids and figures.

What can differ from one big run, and why (tests/engine/test_partition.py measures it on four generated
départements of 150 establishments, 60 % of them within 9 km of a border, margin 15 km):

1. **Caps at the margin's edge.** A margin establishment misses its own competitors beyond the margin,
   so it can fill its caps differently, and a core lead that competes with it (or with what it
   displaces) can be kept or cut differently. Measured: 0.6 % of the lead ids (9 of 1,604), all with a
   participant within 4 km of a border (2 of the 433 leads across a border are missed). On the denser
   variant, a margin of twice the reach brought the share from 1.3 % to 0.1 %.
2. **Groups at the margin's edge.** A margin seed misses its neighbours beyond the margin, so it may
   take members differently, which can change a core seed's group (counted in 1).
3. **The plan.** Each partition solves the allocation on its own leads *and* the margin's selected
   substitutions (so that demands and supplies are shared as in one big run), and keeps the
   allocations of its own: a supply is allocated by its owner's partition only. The margin's cut-off
   competitors and the leads of 1 move allocations: measured +0.5 % of the plan's total gain
   (+1.5 % at most for one département; tonnes +0.01 %, t CO2e +0.05 %), every lead whose allocation
   moved (24) within 7 km of a border. A supply can also go to one of two receivers at equal gain:
   single allocations then differ where the total does not.

``max_results`` is ignored (it would cut each partition, not the whole); the adaptive neighbour budget
(``max_neighbours_per_source``, which depends on the number of supplies of the run) is fixed at
``neighbours_per_source`` by :func:`partition_parameters`, so that a supply examines the same receivers
whatever the size of its partition: compare with one big run under the same parameters.

Cost (benchmarks/partition.py, 10,022 core establishments and 13,070 in a 15 km margin, 2-core machine,
remeasured after the selection and group searches were sped up): 4.6 s and 273 MB of peak memory with
``core``, against 7.9 s and 575 MB for one run on the same establishments keeping the core's leads
afterwards (same leads, same plan): the margin's leads are not explained, and their objects never built.

This module's public names are the contract with :mod:`tremplin.national` (see TEAM13.md).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from .context import resolve_resources
from .detect import _owned, _plan, _select, run_stages
from .knowledge import KnowledgeBase, default_knowledge_base
from .model import BASES, Establishment, Opportunity, Parameters

__all__ = [
    "AreaPotential",
    "LeadFigure",
    "PartitionResult",
    "area_potentials",
    "distinct_leads",
    "lead_owner",
    "max_matching_distance_km",
    "merge_partitions",
    "partition_leads",
    "partition_parameters",
]


@dataclass(frozen=True)
class LeadFigure:
    """One lead of a partitioned run, with the figures counted in totals (never twice).

    ``id`` is the engine's lead id (``S:<rule>:<supplier>><receiver>`` or
    ``M:<kind>:<resource>:<sorted member ids>``): the same pair or group gives the same id in every
    partition. ``owner`` is the core establishment the lead is attributed to (the supplier of a
    substitution, the seed of a group: see the module's attribution rule). ``tonnes_per_year``,
    ``co2e_t_per_year`` and ``gain_eur_per_year`` are the lead's allocation in its partition's optimal
    plan (0 for a lead the plan does not retain), so that adding leads up never counts a supply twice.
    ``establishments`` are the participants (supplier then receiver; the seed first for a group).
    ``rank_value`` is the lead's own yearly net gain (EUR, before the plan), the same in every partition;
    :func:`merge_partitions` ranks by it (higher first, ties by id) and sets ``rank`` (0 before).
    ``basis`` is the basis of its least reliable quantity (``"estimated"`` for a SIRENE run).
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

    ``establishments`` = core + margin given to the engine; ``core`` and ``margin`` their split (core ids
    absent from the establishments are not counted); ``seconds`` the wall time of :func:`partition_leads`;
    ``stats`` the engine's counters (``DetectionResult.stats``).
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
    and by resource family: ``by_family[family] = (leads, tonnes, co2e_t, eur)``. ``establishments`` and
    ``employees`` are copied from ``establishments_by_area``."""

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
    """The establishment a lead is attributed to: the supplier of a substitution, the seed (first
    member) of a mutualisation group.

    >>> lead_owner(Opportunity("S:x:b>a", "substitution", "r", "R", "t", 1, 1, 1, 1, 1, "estimated", "",
    ...                        source_id="b", target_id="a"))
    'b'
    >>> lead_owner(Opportunity("M:k:r:a+c", "mutualisation", "r", "R", "t", 1, 1, 1, 1, 1, "estimated",
    ...                        "", members=("c", "a")))
    'c'
    """
    if opportunity.type == "substitution":
        return str(opportunity.source_id)
    return str(opportunity.members[0])


def partition_parameters(params: Parameters | None = None) -> Parameters:
    """The parameters a partition runs with: ``params`` with the neighbour budget fixed (every supply
    examines ``neighbours_per_source`` receivers, whatever the number of supplies of its partition) and
    no ``max_results``. One big run under these parameters is what a partitioned run reproduces.

    >>> p = partition_parameters(Parameters(neighbours_per_source=10))
    >>> p.max_neighbours_per_source, p.max_results
    (10, None)
    """
    params = params or Parameters()
    return replace(params, max_neighbours_per_source=params.neighbours_per_source, max_results=None)


def max_matching_distance_km(kb: KnowledgeBase | None = None, params: Parameters | None = None) -> float:
    """The largest great-circle distance (km) at which the engine puts two establishments in one lead:
    over the enabled substitution rules, the road limit (transport class, rule, ``max_distance_km``)
    divided by the detour factor (the road limit itself with a router), and over the enabled kinds of
    mutualisation, their radius. A partition's margin of this width misses no lead of a core owner.

    The default knowledge base reaches 400 km (liquid fats by tanker): a national run caps the distance,
    e.g. ``Parameters(max_distance_km=19.5)`` for a 15 km margin at the default detour factor 1.3.

    >>> max_matching_distance_km(params=Parameters(max_distance_km=19.5))
    15.0
    """
    kb = kb or default_knowledge_base()
    params = params or Parameters()
    transport = {r.code: r.transport for r in resolve_resources(kb, params)}
    widest = 0.0
    for rule in kb.rules:
        override = dict(params.rule_overrides.get(rule.id, {}))
        if override.pop("enabled", True) is False:
            continue
        limit = transport[rule.output].max_distance_km
        own = override.get("max_distance_km", rule.max_distance_km)
        if own:
            limit = min(limit, own)
        if params.max_distance_km is not None:
            limit = min(limit, params.max_distance_km)
        widest = max(widest, limit if params.router is not None else limit / params.detour_factor)
    if params.mutualisation:
        for kind in kb.mutualisation_kinds:
            override = params.mutualisation_overrides.get(kind.code, {})
            if override.get("enabled", True) is False:
                continue
            widest = max(widest, float(override.get("radius_km", kind.radius_km)))
    return round(widest, 9)


def partition_leads(
    establishments: Iterable[Establishment],
    core: Collection[str],
    *,
    kb: KnowledgeBase | None = None,
    params: Parameters | None = None,
) -> PartitionResult:
    """Run the engine on ``establishments`` (core + margin) and keep the leads owned by a ``core`` id.

    The same selection and plan as ``detect(establishments, core=core, plan=True)``: the margin's leads
    compete for the caps and the plan but are not kept. Leads are not explained (a partitioned run
    wants figures; ``detect`` with ``core`` gives the explained leads of one partition). Figures are the
    owned leads' allocations in the partition's optimal plan (see the module docstring for the rule and
    what can differ from one big run). ``params`` go through :func:`partition_parameters`.
    """
    start = time.perf_counter()
    kb = kb or default_knowledge_base()
    params = partition_parameters(params)
    items = list(establishments)
    core_ids = frozenset(core)
    stages = run_stages(items, params=params, kb=kb, core=core_ids)
    ctx, rules, c, groups = stages.ctx, stages.rules, stages.candidates, stages.groups
    selected = _select(ctx, c, groups, "gain")
    plan_rows = [index for kind, index in selected if kind == 0]
    opportunities, row_of, group_of = [], {}, {}
    for kind, index in selected:
        if not _owned(ctx, c, groups, kind, index):
            continue
        if kind == 0:
            o = _substitution(ctx, rules[int(c.rule[index])], c, index)
            row_of[o.id] = index
        else:
            o = _mutualisation(ctx, groups[index])
            group_of[o.id] = groups[index]
        opportunities.append(o)
    plan = _plan(ctx, opportunities, rules, c, row_of, group_of, "gain", plan_rows)
    by_alloc = {a.opportunity_id: a for a in plan.allocations}
    families = {code: resource.family for code, resource in kb.resources.items()}
    leads = []
    for o in opportunities:
        a = by_alloc.get(o.id)
        members = (o.source_id, o.target_id) if o.type == "substitution" else o.members
        leads.append(
            LeadFigure(
                id=o.id,
                owner=lead_owner(o),
                kind=o.type,
                family=families.get(o.resource, ""),
                resource=o.resource,
                tonnes_per_year=a.tonnes_diverted_per_year if a else 0.0,
                co2e_t_per_year=a.co2_avoided_t_per_year if a else 0.0,
                gain_eur_per_year=a.gain_eur_per_year if a else 0.0,
                establishments=tuple(str(m) for m in members),
                rank_value=float(o.gain_eur_per_year),
                basis=o.confidence,
            )
        )
    n_core = int(ctx.core.sum()) if ctx.core is not None else 0
    stats = stages.stats
    stats["opportunities"] = len(leads)
    stats["selected_with_margin"] = len(selected)
    return PartitionResult(
        leads=leads,
        establishments=len(items),
        core=n_core,
        margin=len(items) - n_core,
        seconds=time.perf_counter() - start,
        knowledge_base_version=kb.version,
        stats=stats,
    )


def _substitution(ctx, rule, c, i: int) -> Opportunity:
    """The figures of a substitution lead, without its explanation (same id and figures as
    :func:`tremplin.engine.explain.substitution_opportunity`)."""
    s_flow, t_flow = int(c.s_flow[i]), int(c.t_flow[i])
    source, target = (
        ctx.establishments[int(ctx.f_comp[s_flow])].id,
        ctx.establishments[int(ctx.f_comp[t_flow])].id,
    )
    resource = ctx.resources[int(ctx.f_res[s_flow])]
    return Opportunity(
        id=f"S:{rule.id}:{source}>{target}",
        type="substitution",
        resource=resource.code,
        resource_label=resource.label,
        unit=resource.unit,
        quantity=float(c.quantity[i]),
        distance_km=float(c.road_km[i]),
        gain_eur_per_year=float(c.gain[i]),
        co2_avoided_t_per_year=float(c.co2_t[i]),
        tonnes_diverted_per_year=float(c.diverted_t[i]),
        confidence=BASES[int(c.basis[i])],
        explanation="",
        source_id=source,
        target_id=target,
        input_resource=ctx.resource_codes[int(ctx.f_res[t_flow])],
        rule_id=rule.id,
    )


def _mutualisation(ctx, group) -> Opportunity:
    """The figures of a group, without its explanation (as
    :func:`tremplin.engine.explain.mutualisation_opportunity`); members seed first."""
    ids = [ctx.establishments[int(p)].id for p in ctx.f_comp[group.flows]]
    resource = ctx.resources[group.resource]
    return Opportunity(
        id=f"M:{group.kind.code}:{resource.code}:{'+'.join(sorted(ids))}",
        type="mutualisation",
        resource=resource.code,
        resource_label=resource.label,
        unit=resource.unit,
        quantity=float(group.quantities.sum()),
        distance_km=group.spread_km,
        gain_eur_per_year=group.gain,
        co2_avoided_t_per_year=group.co2_t,
        tonnes_diverted_per_year=group.diverted_t,
        confidence=BASES[group.basis],
        explanation="",
        members=tuple(ids),
        kind=group.kind.code,
    )


def merge_partitions(results: Iterable[PartitionResult]) -> list[LeadFigure]:
    """All partitions' leads, deduplicated by id (the first seen is kept; under the attribution rule an
    id has one owner, so it comes from one partition unless partitions overlap), ranked globally: by
    ``rank_value`` descending, then by id; ``rank`` is 1 for the first."""
    ordered = sorted(distinct_leads(results), key=lambda lead: (-lead.rank_value, lead.id))
    return [replace(lead, rank=rank) for rank, lead in enumerate(ordered, start=1)]


def distinct_leads(results: Iterable[PartitionResult]) -> list[LeadFigure]:
    """All partitions' leads, each id once (the first seen is kept), unranked: what sums per area need
    (:func:`area_potentials`), without the cost of ranking (for France, 1.6 million leads: 22 s)."""
    seen: dict[str, LeadFigure] = {}
    for result in results:
        for lead in result.leads:
            seen.setdefault(lead.id, lead)
    return list(seen.values())


def area_potentials(
    leads: Iterable[LeadFigure],
    area_of: Mapping[str, str],
    establishments_by_area: Mapping[str, tuple[int, float]],
) -> dict[str, AreaPotential]:
    """Attribute each lead to its owner's area (``area_of[owner]``, e.g. an EPCI SIREN) and sum, per area,
    leads, tonnes, t CO2e and euros, in total and by family. ``establishments_by_area[area]`` is
    ``(establishments, employees)``; every area listed there appears, with zeros when it owns no lead.
    A lead whose owner has no area is left out.

    >>> lead = LeadFigure("S:r:a>b", "a", "substitution", "bois", "wood", 10.0, 2.0, 500.0, ("a", "b"), 500.0)
    >>> p = area_potentials([lead], {"a": "200000001"}, {"200000001": (3, 12.0), "200000002": (1, 0.0)})
    >>> p["200000001"].gain_eur_per_year, p["200000001"].by_family, p["200000002"].leads
    (500.0, {'bois': (1, 10.0, 2.0, 500.0)}, 0)
    """
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
