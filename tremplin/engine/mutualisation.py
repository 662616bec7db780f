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


def find_groups(ctx: Context, groups_by_key: dict, *, stats: dict | None = None) -> list[Group]:
    params = ctx.params
    result: list[Group] = []
    considered = 0
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
            considered += len(flows)
            result.extend(_groups_for(ctx, kind, resource, flows, c_ref, params))
    if stats is not None:
        stats["mutualisation_flows_considered"] = considered
        stats["mutualisation_groups_formed"] = len(result)
    return result


def _groups_for(ctx, kind, resource, flows, c_ref, params) -> list[Group]:
    comp = ctx.f_comp[flows]
    qty = ctx.f_qty[flows]
    order = np.lexsort((comp, -qty))  # biggest first, ties by establishment (sorted ids)
    flows, comp, qty = flows[order], comp[order], qty[order]
    k = min(len(flows), kind.max_members * 3)
    index = NeighbourIndex(ctx.lat[comp], ctx.lon[comp], keys=comp)
    rows, cols, _ = index.query(ctx.lat[comp], ctx.lon[comp], k=k, radius_km=kind.radius_km)
    # rows come grouped by query point, in increasing distance then key order.
    starts = np.searchsorted(rows, np.arange(len(flows) + 1))
    cols_list = cols.tolist()
    taken = bytearray(len(flows))
    groups: list[Group] = []
    resolved = ctx.resources[resource]
    co2_per_unit = kind.co2_kg_per_unit_by_resource.get(ctx.resource_codes[resource], kind.co2_kg_per_unit)
    for seed in range(len(flows)):
        if taken[seed]:
            continue
        members = [seed]
        for position in cols_list[starts[seed] : starts[seed + 1]]:
            if position != seed and not taken[position]:
                members.append(position)
                if len(members) == kind.max_members:
                    break
        if len(members) < kind.min_members:
            continue
        member_idx = np.asarray(members)
        gain, member_gains = group_gain(kind, c_ref, qty[member_idx])
        if gain < params.min_mutualisation_gain_eur:
            continue
        for m in members:
            taken[m] = 1
        total = float(qty[member_idx].sum())
        member_comp = comp[member_idx]
        spread = great_circle_km_array(
            ctx.lat[member_comp[0]], ctx.lon[member_comp[0]], ctx.lat[member_comp], ctx.lon[member_comp]
        )
        diverted_units = total * kind.diversion_fraction if resolved.is_waste else 0.0
        diverted_t = diverted_units * resolved.t_per_unit if np.isfinite(resolved.t_per_unit) else 0.0
        co2_kg = total * co2_per_unit + diverted_units * resolved.disposal_co2
        groups.append(
            Group(
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
        )
    return groups
