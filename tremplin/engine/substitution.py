"""Substitution matching: for every rule, each supply (output flow) meets the nearest compatible demands
(input flows of receiving sectors) within the resource's maximum distance; exchangeable quantity, gains,
tonnes diverted and CO2 avoided are computed for all pairs at once with numpy.

Economics of one pair, per year (q = quantity supplied, in the output's default unit; rho = rule ratio):

* treatment avoided (supplier)   = q x treatment cost of the output (negative when it was sold)
* purchase avoided (receiver)    = q x rho x price of the input it replaces
* transport                      = tonnes x (handling + cost per t.km x road km)   [trucks]
                                   or pipe annuity per km x road km               [pipes]
* pre-treatment                  = q x pre-treatment cost of the rule
* net gain = treatment avoided + purchase avoided - transport - pre-treatment

CO2 avoided (kg) = q x disposal factor of the output + q x rho x virgin factor of the input
                   - q x process emissions of the rule - tonnes x t.km factor x road km.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from . import naf as naf_module
from .context import Context
from .geo import NeighbourIndex
from .model import BASES

__all__ = ["Candidates", "find_substitutions"]


@dataclass
class Candidates:
    """Column arrays, one entry per candidate pair."""

    rule: np.ndarray
    s_flow: np.ndarray
    t_flow: np.ndarray
    quantity: np.ndarray
    gc_km: np.ndarray
    road_km: np.ndarray
    tonnes: np.ndarray
    treatment_avoided: np.ndarray
    purchase_avoided: np.ndarray
    transport_cost: np.ndarray
    fixed_cost: np.ndarray
    pretreatment_cost: np.ndarray
    gain: np.ndarray
    co2_disposal: np.ndarray
    co2_virgin: np.ndarray
    co2_process: np.ndarray
    co2_transport: np.ndarray
    co2_t: np.ndarray
    diverted_t: np.ndarray
    basis: np.ndarray

    def __len__(self) -> int:
        return len(self.rule)

    def take(self, index) -> Candidates:
        return Candidates(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def concat(cls, parts: list[Candidates]) -> Candidates:
        if not parts:
            return cls.empty()
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    @classmethod
    def empty(cls) -> Candidates:
        ints = {"rule", "s_flow", "t_flow", "basis"}
        return cls(**{f.name: np.empty(0, np.int64 if f.name in ints else float) for f in fields(cls)})


def flow_groups(ctx: Context) -> dict[tuple[int, int], np.ndarray]:
    """Positions of the flows with a positive quantity, grouped by (direction, resource)."""
    positive = np.flatnonzero(ctx.f_qty > 0)
    if len(positive) == 0:
        return {}
    key = ctx.f_dir[positive].astype(np.int64) * len(ctx.resource_codes) + ctx.f_res[positive]
    order = np.argsort(key, kind="stable")
    key, positive = key[order], positive[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.empty(0, np.int64)
    ends = np.r_[starts[1:], len(key)]
    n_res = len(ctx.resource_codes)
    return {
        (int(key[s] // n_res), int(key[s] % n_res)): positive[s:e] for s, e in zip(starts, ends, strict=True)
    }


def receiver_mask(
    ctx: Context, rule, naf_ids: np.ndarray, unique_ancestors: list[tuple[str, ...]]
) -> np.ndarray:
    accepted = np.fromiter(
        (rule.accepts(anc) for anc in unique_ancestors), dtype=bool, count=len(unique_ancestors)
    )
    return accepted[naf_ids]


def objective_values(c: Candidates, objective: str) -> np.ndarray:
    return c.co2_t if objective == "co2" else c.gain


class DemandIndexes:
    """Spatial indexes of demand flows, built once per run for each set of demands: many rules share an
    input resource and receiving sectors, and so the same demands."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._cache: dict[tuple, NeighbourIndex] = {}

    def get(self, key: tuple, demands: np.ndarray) -> NeighbourIndex:
        # The demands themselves are part of the key: rules with the same input may accept different
        # receivers (sectors, exclusions).
        key = (*key, len(demands), demands.tobytes())
        index = self._cache.get(key)
        if index is None:
            t_comp = self.ctx.f_comp[demands]
            index = self._cache[key] = NeighbourIndex(self.ctx.lat[t_comp], self.ctx.lon[t_comp], keys=t_comp)
        return index


def _neighbours(
    ctx: Context,
    supplies: np.ndarray,
    demands: np.ndarray,
    radius: float,
    indexes: DemandIndexes | None = None,
    key: tuple = (),
):
    """(supply flow, demand flow, great-circle km) of the nearest demands of each supply.

    Declared (and workshop) supplies also look among declared demands alone, so that estimated demands
    nearby never hide a receiver that declared its need: adding estimates to the companies' own data
    loses none of the matches that data gives.
    """
    params = ctx.params
    estimated = BASES.index("estimated")
    passes = [(supplies, demands)]
    fact_supplies = supplies[ctx.f_basis[supplies] < estimated]
    fact_demands = demands[ctx.f_basis[demands] < estimated]
    if len(fact_supplies) and len(fact_demands) and len(fact_demands) < len(demands):
        passes.append((fact_supplies, fact_demands))
    found = []
    for number, (sup, dem) in enumerate(passes):
        s_comp = ctx.f_comp[sup]
        if indexes is not None:
            index = indexes.get((*key, number), dem)
        else:
            t_comp = ctx.f_comp[dem]
            index = NeighbourIndex(ctx.lat[t_comp], ctx.lon[t_comp], keys=t_comp)
        k = neighbour_count(params, len(sup))
        rows, cols, gc = index.query(ctx.lat[s_comp], ctx.lon[s_comp], k=k + 1, radius_km=radius)
        found.append((sup[rows], dem[cols], gc))
    if len(found) == 1:
        return found[0]
    s_flow = np.concatenate([f[0] for f in found])
    t_flow = np.concatenate([f[1] for f in found])
    gc = np.concatenate([f[2] for f in found])
    _, first = np.unique(s_flow.astype(np.int64) * len(ctx.f_qty) + t_flow, return_index=True)
    first = np.sort(first)
    return s_flow[first], t_flow[first], gc[first]


def neighbour_count(params, n_supplies: int) -> int:
    """Receivers examined per supply: rare supplies look farther down the list of their neighbours (a
    big receiver a little farther away must not be hidden behind small close ones), common ones stay at
    ``neighbours_per_source`` so that the work stays proportional to the number of establishments."""
    budget = 150_000 // max(n_supplies, 1)
    return int(min(params.max_neighbours_per_source, max(params.neighbours_per_source, budget)))


def rule_distance_limit(ctx: Context, rule, out_res) -> float:
    """Largest road distance of a rule: the transport class's ceiling, the rule's own, the caller's."""
    params = ctx.params
    dmax = out_res.transport.max_distance_km
    if rule.max_distance_km:
        dmax = min(dmax, rule.max_distance_km)
    if params.max_distance_km is not None:
        dmax = min(dmax, params.max_distance_km)
    return dmax


def road_km(ctx: Context, s_flow: np.ndarray, t_flow: np.ndarray, gc: np.ndarray) -> np.ndarray:
    params = ctx.params
    if params.router is None:
        return gc * params.detour_factor
    sc, tc = ctx.f_comp[s_flow], ctx.f_comp[t_flow]
    return np.asarray(
        [params.router(ctx.lat[a], ctx.lon[a], ctx.lat[b], ctx.lon[b]) for a, b in zip(sc, tc, strict=True)],
        dtype=float,
    )


def rule_candidates(ctx: Context, *, objective: str = "gain", stats: dict | None = None):
    """Yield ``(rule, candidates, in_range)`` for each rule with pairs in range: the candidates that pass
    the thresholds (before the best few per supply are kept) and ``in_range``, the (supply flow, demand
    flow) arrays of every pair the neighbour search found within the rule's distance: the matching of
    :func:`find_substitutions`, one rule at a time."""
    params = ctx.params
    groups = flow_groups(ctx)
    naf_unique, naf_ids = np.unique(np.asarray(ctx.naf, dtype=object), return_inverse=True)
    unique_ancestors = [tuple(naf_module.naf_ancestors(code)) for code in naf_unique]
    pairs_in_range = passing_count = 0
    threshold = params.min_co2_t if objective == "co2" else params.min_gain_eur
    estimated = BASES.index("estimated")
    indexes = DemandIndexes(ctx)
    position = 0
    for base_rule in ctx.kb.rules:
        rule = ctx.rule(base_rule)
        if rule is None:
            continue
        out_r, in_r = ctx.resource_index[rule.output], ctx.resource_index[rule.input]
        supplies = groups.get((1, out_r))
        demands = groups.get((0, in_r))
        if supplies is None or demands is None:
            continue
        demands = demands[receiver_mask(ctx, rule, naf_ids, unique_ancestors)[ctx.f_comp[demands]]]
        if len(demands) == 0:
            continue
        out_res, in_res = ctx.resources[out_r], ctx.resources[in_r]
        dmax = rule_distance_limit(ctx, rule, out_res)
        radius = dmax if params.router is not None else dmax / params.detour_factor
        s_flow, t_flow, gc = _neighbours(
            ctx,
            supplies,
            demands,
            radius,
            indexes,
            (in_r, "*" in rule.receivers or tuple(sorted(rule.receivers))),
        )
        other = ctx.f_comp[s_flow] != ctx.f_comp[t_flow]
        s_flow, t_flow, gc = s_flow[other], t_flow[other], gc[other]
        road = road_km(ctx, s_flow, t_flow, gc)
        in_range = road <= dmax + 1e-9
        s_flow, t_flow, gc, road = s_flow[in_range], t_flow[in_range], gc[in_range], road[in_range]
        pairs_in_range += len(s_flow)
        if len(s_flow) == 0:
            continue
        part = _economics(ctx, position, rule, out_res, in_res, s_flow, t_flow, gc, road)
        position += 1
        value = objective_values(part, objective)
        keep = value >= threshold
        if rule.output == rule.input:
            # A gisement and a besoin of the same resource that companies declared always match, whatever
            # the default prices say: the explanation tells the officer the gain is to be checked.
            keep |= (ctx.f_basis[part.s_flow] < estimated) & (ctx.f_basis[part.t_flow] < estimated)
        part = part.take(np.flatnonzero((part.quantity > 0) & keep))
        passing_count += len(part)
        yield rule, part, (s_flow, t_flow)
    if stats is not None:
        stats["substitution_pairs_in_range"] = int(pairs_in_range)
        stats["substitution_candidates_above_threshold"] = int(passing_count)


def find_substitutions(
    ctx: Context, *, objective: str = "gain", stats: dict | None = None
) -> tuple[list, Candidates]:
    """All substitution candidates that pass the thresholds, best few per supply, and the rules used."""
    rules = []
    parts: list[Candidates] = []
    keep_per_source = ctx.params.max_candidates_per_source * 3
    for rule, part, _in_range in rule_candidates(ctx, objective=objective, stats=stats):
        rules.append(rule)
        # The best few per supply over all rules are among the best few of each rule: trim early so
        # that memory follows the number of supplies, not the number of pairs looked at.
        parts.append(cap_per_source(ctx, part, objective, keep_per_source))
    # Each step's input is let go as soon as the next one exists (on a tile of Paris the candidates of the
    # rules weigh 500 MB; holding the parts, their concatenation and the best per pair at once tripled it).
    merged = Candidates.concat(parts)
    parts.clear()
    best = best_rule_per_pair(ctx, merged, objective)
    del merged
    capped = cap_per_source(ctx, best, objective, keep_per_source)
    del best
    if stats is not None:
        stats["substitution_candidates_after_source_cap"] = len(capped)
    return rules, capped


def ranking_key(ctx: Context, c: Candidates, objective: str) -> list[np.ndarray]:
    """Sort keys (for np.lexsort, last key first) that put the most reliable then the best first: the
    least reliable side of the pair, then the more reliable side, then the objective; ties by rule and
    establishments so that results never depend on input order.  The objective is weighted by the
    gisement's current treatment (``Parameters.current_operation_factors``: disposal before recovery)."""
    value = ranking_values(ctx, objective_values(c, objective), c.s_flow)
    if ctx.params.rank_by_confidence_first:
        worst = np.maximum(ctx.f_basis[c.s_flow], ctx.f_basis[c.t_flow]).astype(np.int64)
        best = np.minimum(ctx.f_basis[c.s_flow], ctx.f_basis[c.t_flow]).astype(np.int64)
    else:
        worst = best = np.zeros(len(c), np.int64)
    return [c.rule, ctx.f_comp[c.t_flow], ctx.f_comp[c.s_flow], -value, best, worst]


def ranking_values(ctx: Context, value: np.ndarray, s_flow: np.ndarray) -> np.ndarray:
    """The objective values used for ordering: a positive value is multiplied by the rank factor of the
    supply's current treatment (a waste going to disposal, D, is a better lead than one already
    recovered, R), a negative one divided by it, so that the factor always favours disposal."""
    factor = ctx.f_rank_factor[s_flow] if len(ctx.f_rank_factor) else np.ones(len(value))
    return np.where(value >= 0, value * factor, value / factor)


def best_rule_per_pair(ctx: Context, c: Candidates, objective: str) -> Candidates:
    """One candidate per (supply flow, receiving establishment, need): the best rule, when several rules
    lead from one gisement to the same need of a receiver (its input's resource group). Two needs of one
    receiver keep a candidate each, so that a full need (see the per-need cap) leaves room for the other."""
    if len(c) == 0:
        return c
    order = np.lexsort(ranking_key(ctx, c, objective))
    t_comp = ctx.f_comp[c.t_flow[order]].astype(np.int64)
    need = ctx.resource_group[ctx.f_res[c.t_flow[order]]].astype(np.int64)
    n_needs = int(ctx.resource_group.max()) + 1 if len(ctx.resource_group) else 1
    pair = (c.s_flow[order].astype(np.int64) * len(ctx.establishments) + t_comp) * n_needs + need
    _, first = np.unique(pair, return_index=True)
    return c.take(np.sort(order[first]))


def cap_per_source(ctx: Context, c: Candidates, objective: str, cap: int) -> Candidates:
    """Keep, for each supply flow, its ``cap`` best candidates (declared before estimated), and every
    candidate whose two flows are declared or from a workshop."""
    if len(c) == 0:
        return c
    keys = ranking_key(ctx, c, objective)
    order = np.lexsort([*keys, c.s_flow])
    sorted_s = c.s_flow[order]
    starts = np.r_[0, np.flatnonzero(sorted_s[1:] != sorted_s[:-1]) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(sorted_s)]))
    rank = np.arange(len(sorted_s)) - group_start
    estimated = BASES.index("estimated")
    facts = (ctx.f_basis[c.s_flow[order]] < estimated) & (ctx.f_basis[c.t_flow[order]] < estimated)
    return c.take(np.sort(order[(rank < cap) | facts]))


def pipe_scale(params, transport, out_res, quantity: np.ndarray) -> np.ndarray | float:
    """How much a pipe sized to ``quantity`` costs per km, relative to the class's quoted cost."""
    if transport.reference_flow is None or out_res.unit != transport.reference_unit:
        return 1.0
    low, high = params.pipe_scale_bounds
    ratio = np.maximum(np.asarray(quantity, dtype=float), 1e-12) / transport.reference_flow
    return np.clip(ratio**params.pipe_scale_exponent, low, high)


def _economics(ctx: Context, rule_pos, rule, out_res, in_res, s_flow, t_flow, gc, road) -> Candidates:
    params = ctx.params
    ratio = rule.ratio
    qs, qt = ctx.f_qty[s_flow], ctx.f_qty[t_flow]
    q = np.minimum(qs, qt / ratio)
    transport = out_res.transport
    tonnes = q * out_res.t_per_unit if np.isfinite(out_res.t_per_unit) else np.zeros_like(q)
    treatment = q * out_res.treatment_cost
    purchase = q * ratio * in_res.price
    if transport.mode == "truck":
        transport_cost = tonnes * (transport.eur_per_t + transport.eur_per_t_km * road)
        co2_transport = tonnes * transport.co2_kg_per_t_km * road
    else:
        transport_cost = np.zeros_like(q)
        co2_transport = np.zeros_like(q)
    if transport.mode == "pipe" and params.include_infrastructure_cost:
        fixed = transport.fixed_eur_per_km_year * road * pipe_scale(params, transport, out_res, q)
    else:
        fixed = np.zeros_like(q)
    pretreatment = q * rule.pretreatment_cost
    gain = treatment + purchase - transport_cost - fixed - pretreatment
    co2_disposal = q * out_res.disposal_co2
    co2_virgin = q * ratio * in_res.virgin_co2
    co2_process = q * rule.process_co2
    co2_t = (co2_disposal + co2_virgin - co2_process - co2_transport) / 1000.0
    diverted = tonnes if out_res.is_waste else np.zeros_like(q)
    basis = np.maximum(ctx.f_basis[s_flow], ctx.f_basis[t_flow]).astype(np.int64)
    return Candidates(
        rule=np.full(len(q), rule_pos, dtype=np.int64),
        s_flow=s_flow.astype(np.int64),
        t_flow=t_flow.astype(np.int64),
        quantity=q,
        gc_km=gc,
        road_km=road,
        tonnes=tonnes,
        treatment_avoided=treatment,
        purchase_avoided=purchase,
        transport_cost=transport_cost,
        fixed_cost=fixed,
        pretreatment_cost=pretreatment,
        gain=gain,
        co2_disposal=co2_disposal,
        co2_virgin=co2_virgin,
        co2_process=co2_process,
        co2_transport=co2_transport,
        co2_t=co2_t,
        diverted_t=diverted,
        basis=basis,
    )
