"""Mutualisation: groups of nearby establishments sharing a need or a waste stream.

Groups are built per (kind, resource) greedily and deterministically: establishments are taken by
decreasing quantity (ties by identifier); each one not yet grouped seeds a group with its nearest
ungrouped neighbours within the kind's radius, up to ``max_members``.  A group with fewer than
``min_members`` is not formed.  Groups therefore stay of sensible size, never one giant cluster, and an
establishment farther than the radius from everyone never changes the groups of the others.

Economies-of-scale model (see mutualisation.yaml): unit cost ``c(q) = c_ref * clip((q/q_ref)^-e, floor,
ceiling)``; the group gains ``sum(q_i * c(q_i)) - Q * c(Q) - coordination * n``.

>>> from tremplin.engine.knowledge import default_knowledge_base
>>> kind = next(k for k in default_knowledge_base().mutualisation_kinds if k.code == "collecte_mutualisee")
>>> round(unit_cost(kind, 100.0, 10.0), 2)   # 100 EUR/t at 10 t/yr ...
100.0
>>> round(unit_cost(kind, 100.0, 80.0), 2)   # ... 80 t/yr: 100 * 8^-0.3
53.59
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .context import Context
from .geo import NeighbourIndex, great_circle_km_array
from .knowledge import MutualisationKind
from .model import BASES

__all__ = ["Group", "find_groups", "group_gain", "unit_cost"]


@dataclass
class Group:
    kind: MutualisationKind
    resource: int
    flows: np.ndarray  # flow positions, seed first
    quantities: np.ndarray
    reference_cost: float
    gain: float
    member_gains: np.ndarray
    co2_t: float
    diverted_t: float
    spread_km: float  # largest road distance from the seed
    basis: int


def unit_cost(kind: MutualisationKind, reference_cost: float, quantity) -> np.ndarray | float:
    """Unit cost at a yearly ``quantity`` under the kind's economies-of-scale model."""
    q = np.maximum(np.asarray(quantity, dtype=float), 1e-12)
    factor = np.clip((q / kind.reference_quantity) ** (-kind.scale_exponent), kind.floor, kind.ceiling)
    result = reference_cost * factor
    return float(result) if np.ndim(result) == 0 else result


def group_gain(kind: MutualisationKind, reference_cost: float, quantities) -> tuple[float, np.ndarray]:
    """Yearly gain of pooling ``quantities`` and each member's share (pro rata of its own saving)."""
    q = np.asarray(quantities, dtype=float)
    total = float(q.sum())
    alone = q * unit_cost(kind, reference_cost, q)
    pooled_unit = unit_cost(kind, reference_cost, total)
    savings = alone - q * pooled_unit
    gain = float(savings.sum()) - kind.coordination_eur_per_member * len(q)
    members = savings - kind.coordination_eur_per_member
    return gain, members


def reference_cost(ctx: Context, kind: MutualisationKind, resource: int) -> float:
    code = ctx.resource_codes[resource]
    if code in kind.unit_cost_by_resource:
        return kind.unit_cost_by_resource[code]
    if kind.unit_cost == "price":
        return ctx.resources[resource].price
    if kind.unit_cost == "treatment_cost":
        return ctx.resources[resource].treatment_cost
    return float(kind.unit_cost)


def eligible_members(ctx: Context, kind: MutualisationKind, flows: np.ndarray) -> np.ndarray:
    """The flows whose establishment may join a group of this kind: its sector filters (NAF codes
    allowed or excluded, at any level) and minimum headcount (``MutualisationKind.accepts``). Declared
    flows always may: the company said it has the need or the waste."""
    comp = ctx.f_comp[flows]
    cache: dict[tuple, bool] = {}  # by sector and headcount: a few hundred of them in a territory
    ok = np.empty(len(flows), bool)
    headcount = ctx.headcount[comp].tolist()
    for j, position in enumerate(comp.tolist()):
        key = (ctx.naf[position], headcount[j])
        verdict = cache.get(key)
        if verdict is None:
            verdict = cache[key] = kind.accepts(ctx.naf_ancestors[position], float(headcount[j]))
        ok[j] = verdict
    declared = ctx.f_basis[flows] < BASES.index("estimated")
    return flows[ok | declared]


def sector_parts(ctx: Context, kind: MutualisationKind, flows: np.ndarray) -> list[np.ndarray]:
    """The flows split by the sector their members must share (``same_sector_level``: a shared training
    among the establishments of one NAF division, not a town hall, a farm and a refinery)."""
    by_code: dict[str, str] = {}
    keys = []
    for p in ctx.f_comp[flows].tolist():
        code = ctx.naf[p]
        key = by_code.get(code)
        if key is None:
            key = by_code[code] = kind.sector_key(code)
        keys.append(key)
    if not any(keys):
        return [flows]
    parts: dict[str, list[int]] = {}
    for flow, key in zip(flows.tolist(), keys, strict=True):
        parts.setdefault(key, []).append(flow)
    return [np.asarray(parts[key], dtype=np.int64) for key in sorted(parts)]


def kind_parts(ctx: Context, groups_by_key: dict):
    """For each kind and resource of mutualisation that can form groups here (enough flows, a positive
    reference cost): ``(kind, resource, reference cost, eligible flows, sector parts)``, the parts
    (:func:`sector_parts`) of at least ``min_members`` flows. The walk of :func:`find_groups`, shared
    with the margin's links (:mod:`tremplin.engine.margin`)."""
    for base_kind in ctx.kb.mutualisation_kinds:
        kind = ctx.kind(base_kind)
        if kind is None:
            continue
        direction = 1 if kind.trigger == "shared_waste" else 0
        for code in kind.resources:
            resource = ctx.resource_index[code]
            flows = groups_by_key.get((direction, resource))
            if flows is None or len(flows) < kind.min_members:
                continue
            c_ref = reference_cost(ctx, kind, resource)
            if c_ref <= 0:
                continue
            flows = eligible_members(ctx, kind, flows)
            if len(flows) < kind.min_members:
                continue
            parts = [part for part in sector_parts(ctx, kind, flows) if len(part) >= kind.min_members]
            yield kind, resource, c_ref, flows, parts


def find_groups(ctx: Context, groups_by_key: dict, *, stats: dict | None = None) -> list[Group]:
    """Groups of every kind and resource. Flows of declared (or workshop) data are grouped first among
    themselves, so that adding estimates never breaks a group that the companies' own data form; the
    flows left over, estimated or not, are then grouped together."""
    params = ctx.params
    result: list[Group] = []
    considered = 0
    estimated = BASES.index("estimated")
    for kind, resource, c_ref, flows, parts in kind_parts(ctx, groups_by_key):
        considered += len(flows)
        for part in parts:
            facts = part[ctx.f_basis[part] < estimated]
            grouped: list[Group] = []
            if len(facts) >= kind.min_members and len(facts) < len(part):
                grouped = _groups_for(ctx, kind, resource, facts, c_ref, params)
                taken = np.concatenate([g.flows for g in grouped]) if grouped else np.empty(0, np.int64)
                part = part[~np.isin(part, taken)]
            result.extend(grouped)
            if len(part) >= kind.min_members:
                result.extend(_groups_for(ctx, kind, resource, part, c_ref, params))
    if stats is not None:
        stats["mutualisation_flows_considered"] = considered
        stats["mutualisation_groups_formed"] = len(result)
    return result


def _unit_cost_scalar(kind: MutualisationKind, reference_cost: float, quantity: float) -> float:
    """:func:`unit_cost` for one quantity, in plain floats (called for every candidate group)."""
    factor = (max(quantity, 1e-12) / kind.reference_quantity) ** (-kind.scale_exponent)
    return reference_cost * min(max(factor, kind.floor), kind.ceiling)


def _viable_members(kind, c_ref, qty, alone_unit, members: list[int], min_member_gain: float) -> list[int]:
    """Drop, one at a time, the member that gains least while someone gains less than the minimum.

    ``alone_unit`` holds each flow's unit cost on its own (computed once); a member's gain is
    ``q × (alone unit cost − pooled unit cost) − coordination``, the pooled cost depending on the total.
    With economies of scale (``scale_exponent`` >= 0) the pooled cost only rises as members leave, so
    the seed's gain only falls: once it is below the minimum no group is left around it, whoever else
    would be dropped first, and the search stops there (same result, fewer rounds).
    """
    members = list(members)
    q = [float(qty[m]) for m in members]
    alone = [float(alone_unit[m]) for m in members]
    coordination = kind.coordination_eur_per_member
    monotone = kind.scale_exponent >= 0
    while len(members) >= kind.min_members:
        pooled = _unit_cost_scalar(kind, c_ref, sum(q))
        if monotone and q[0] * (alone[0] - pooled) - coordination < min_member_gain:
            return []
        gains = [qi * (ai - pooled) - coordination for qi, ai in zip(q, alone, strict=True)]
        worst = min(range(len(gains)), key=gains.__getitem__)
        if gains[worst] >= min_member_gain:
            return members
        if worst == 0:  # the seed itself gains too little: no group around it
            return []
        del members[worst], q[worst], alone[worst]
    return []


_SEED_BATCH = 1024


def _hopeless_seeds(kind, c_ref, qty, alone_unit, seeds, rows, cols, taken, min_member_gain) -> np.ndarray:
    """Which seeds of a batch cannot gain ``min_member_gain`` in any group (so _viable_members would
    give them none): the seed's gain with the largest volume it could pool, its own and the
    ``max_members - 1`` biggest of its neighbours not yet taken, is under the minimum. With economies
    of scale (``scale_exponent`` >= 0) no smaller volume does better. A seed is counted hopeless only
    when that bound is clearly under the minimum (a millionth of a euro), whatever the rounding.
    ``qty`` is sorted biggest first, so the biggest neighbours are those of smallest position."""
    seed_of_pair = seeds[rows]
    free = (cols != seed_of_pair) & ~taken[cols]
    r, c = rows[free], cols[free]
    order = np.lexsort((c, r))
    r, c = r[order], c[order]
    first = np.searchsorted(r, r, side="left")
    rank = np.arange(len(r)) - first
    kept = rank < kind.max_members - 1
    volume = qty[seeds] + np.bincount(r[kept], weights=qty[c[kept]], minlength=len(seeds))
    pooled = np.atleast_1d(unit_cost(kind, c_ref, volume))
    best = qty[seeds] * (alone_unit[seeds] - pooled) - kind.coordination_eur_per_member
    return best < min_member_gain - 1e-6


def _groups_for(ctx, kind, resource, flows, c_ref, params) -> list[Group]:
    comp = ctx.f_comp[flows]
    qty = ctx.f_qty[flows]
    order = np.lexsort((comp, -qty))  # biggest first, ties by establishment (sorted ids)
    flows, comp, qty = flows[order], comp[order], qty[order]
    k = min(len(flows), kind.max_members * 3)
    index = NeighbourIndex(ctx.lat[comp], ctx.lon[comp], keys=comp)
    own = getattr(kind, "min_member_gain_eur", None)
    min_member_gain = float(own if own else params.min_member_gain_eur)
    taken = np.zeros(len(flows), bool)
    alone_unit = np.atleast_1d(unit_cost(kind, c_ref, qty))
    groups: list[Group] = []
    resolved = ctx.resources[resource]
    co2_per_unit = kind.co2_kg_per_unit_by_resource.get(ctx.resource_codes[resource], kind.co2_kg_per_unit)
    # Seeds are examined in order, their neighbours looked up a batch at a time: most seeds are taken
    # by an earlier group before their turn comes, so querying every point up front would be wasted.
    cursor = 0
    while cursor < len(flows):
        batch = []
        while cursor < len(flows) and len(batch) < _SEED_BATCH:
            if not taken[cursor]:
                batch.append(cursor)
            cursor += 1
        if not batch:
            break
        batch_idx = np.asarray(batch)
        rows, cols, _ = index.query(
            ctx.lat[comp[batch_idx]], ctx.lon[comp[batch_idx]], k=k, radius_km=kind.radius_km
        )
        starts = np.searchsorted(rows, np.arange(len(batch) + 1))
        hopeless = (
            _hopeless_seeds(kind, c_ref, qty, alone_unit, batch_idx, rows, cols, taken, min_member_gain)
            if min_member_gain > 0 and kind.scale_exponent >= 0
            else np.zeros(len(batch), bool)
        ).tolist()
        cols_list = cols.tolist()
        for b, seed in enumerate(batch):
            if taken[seed] or hopeless[b]:
                continue
            members = [seed]
            for position in cols_list[starts[b] : starts[b + 1]]:
                if position != seed and not taken[position]:
                    members.append(position)
                    if len(members) == kind.max_members:
                        break
            if len(members) < kind.min_members:
                continue
            if min_member_gain > 0:
                members = _viable_members(kind, c_ref, qty, alone_unit, members, min_member_gain)
                if not members:
                    continue
            member_idx = np.asarray(members)
            gain, member_gains = group_gain(kind, c_ref, qty[member_idx])
            if gain < params.min_mutualisation_gain_eur:
                continue
            taken[member_idx] = True
            groups.append(
                _group(
                    ctx,
                    kind,
                    resource,
                    resolved,
                    co2_per_unit,
                    flows,
                    comp,
                    qty,
                    member_idx,
                    c_ref,
                    gain,
                    member_gains,
                )
            )
    return groups


def _group(
    ctx, kind, resource, resolved, co2_per_unit, flows, comp, qty, member_idx, c_ref, gain, member_gains
):
    params = ctx.params
    total = float(qty[member_idx].sum())
    member_comp = comp[member_idx]
    spread = great_circle_km_array(
        ctx.lat[member_comp[0]], ctx.lon[member_comp[0]], ctx.lat[member_comp], ctx.lon[member_comp]
    )
    diverted_units = total * kind.diversion_fraction if resolved.is_waste else 0.0
    diverted_t = diverted_units * resolved.t_per_unit if np.isfinite(resolved.t_per_unit) else 0.0
    co2_kg = total * co2_per_unit + diverted_units * resolved.disposal_co2
    return Group(
        kind=kind,
        resource=resource,
        flows=flows[member_idx],
        quantities=qty[member_idx],
        reference_cost=c_ref,
        gain=gain,
        member_gains=member_gains,
        co2_t=co2_kg / 1000.0,
        diverted_t=diverted_t,
        spread_km=float(spread.max()) * params.detour_factor,
        basis=int(ctx.f_basis[flows[member_idx]].max()),
    )
