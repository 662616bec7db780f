"""The detection pipeline: estimate and merge flows, match substitutions, form mutualisation groups, rank,
keep what an officer can review, explain, and optionally optimise the network allocation.

>>> from tremplin.engine.model import Establishment
>>> sites = [Establishment("plant", "Centrale", "35.11Z", 55.660, 11.080, 300),
...          Establishment("board", "Plâtrerie", "23.62Z", 55.668, 11.098, 175)]
>>> result = detect(sites)
>>> [o.rule_id for o in result.opportunities if o.resource == "gypsum_fgd"]
['SUB-GYP-01']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

import numpy as np

from .allocation import solve_allocation
from .context import Context, build_context
from .explain import mutualisation_opportunity, substitution_opportunity
from .knowledge import KnowledgeBase, default_knowledge_base
from .model import BASES, Allocation, DetectionResult, Establishment, Flow, Opportunity, Parameters, Plan
from .mutualisation import Group, find_groups, group_gain
from .substitution import Candidates, find_substitutions, flow_groups

__all__ = ["OBJECTIVES", "detect"]

OBJECTIVES = ("gain", "co2")

Progress = Callable[[float, str], None]


class _Result(DetectionResult):
    """DetectionResult whose ``flows`` list is built only when asked for (it can hold a million rows)."""

    def __init__(self, ctx: Context, **kwargs) -> None:
        self._ctx = ctx
        super().__init__(flows=[], **kwargs)
        del self.flows

    @cached_property
    def flows(self) -> list[Flow]:  # type: ignore[override]
        return self._ctx.flows()


def detect(
    establishments: Iterable[Establishment],
    flows: Iterable[Flow] | None = None,
    *,
    params: Parameters | None = None,
    kb: KnowledgeBase | None = None,
    plan: bool = False,
    objective: str = "gain",
    progress: Progress | None = None,
) -> DetectionResult:
    """Detect ranked, quantified, explained synergy opportunities among ``establishments``.

    ``flows`` are declared (or workshop) flows; missing ones are estimated from sector profiles unless
    ``params.estimate_missing_flows`` is False.  ``objective`` ("gain" or "co2") orders the list and drives
    the optimal plan, computed when ``plan`` is True.  ``progress(fraction, message)`` is called along the
    way.  Results do not depend on the order of the inputs.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objectif inconnu {objective!r} (attendu : {', '.join(OBJECTIVES)})")
    params = params or Parameters()
    kb = kb or default_knowledge_base()
    report = progress or (lambda fraction, message: None)
    report(0.0, "Préparation des établissements et des flux")
    ctx = build_context(list(establishments), list(flows) if flows is not None else None, kb, params)
    stats: dict = {
        "establishments": len(ctx.establishments),
        "flows": len(ctx.f_qty),
        "flows_by_basis": {b: int((ctx.f_basis == i).sum()) for i, b in enumerate(BASES)},
    }
    report(0.15, "Recherche des substitutions")
    rules, candidates = find_substitutions(ctx, objective=objective, stats=stats)
    groups: list[Group] = []
    if params.mutualisation:
        report(0.5, "Recherche des mutualisations")
        groups = find_groups(ctx, flow_groups(ctx), stats=stats)
    report(0.7, "Classement et explications")
    kept_subs, kept_groups = _rank_and_cap(ctx, candidates, groups, objective)
    opportunities: list[Opportunity] = []
    row_of: dict[str, int] = {}
    group_of: dict[str, Group] = {}
    for entry_type, index in _merge(ctx, candidates, kept_subs, groups, kept_groups, objective):
        if entry_type == 0:
            rule = rules[int(candidates.rule[index])]
            opportunity = substitution_opportunity(ctx, rule, candidates, index)
            row_of[opportunity.id] = index
        else:
            opportunity = mutualisation_opportunity(ctx, groups[index])
            group_of[opportunity.id] = groups[index]
        opportunities.append(opportunity)
    if params.max_results is not None:
        opportunities = opportunities[: params.max_results]
    for rank, opportunity in enumerate(opportunities, start=1):
        opportunity.rank = rank
    stats["opportunities"] = len(opportunities)
    stats["substitutions"] = sum(1 for o in opportunities if o.type == "substitution")
    stats["mutualisations"] = len(opportunities) - stats["substitutions"]
    the_plan = None
    if plan:
        report(0.85, "Optimisation de l'allocation (HiGHS)")
        the_plan = _plan(ctx, opportunities, rules, candidates, row_of, group_of, objective)
    report(1.0, "Détection terminée")
    return _Result(
        ctx, opportunities=opportunities, plan=the_plan, stats=stats, knowledge_base_version=kb.version
    )


def _objective(values_gain, values_co2, objective):
    return values_co2 if objective == "co2" else values_gain


def _rank_and_cap(ctx: Context, c: Candidates, groups: list[Group], objective: str):
    """Apply the per-establishment limits in ranked order; return kept substitution and group indices."""
    params = ctx.params
    value = _objective(c.gain, c.co2_t, objective)
    basis = c.basis if params.rank_by_confidence_first else np.zeros_like(c.basis)
    s_comp, t_comp = ctx.f_comp[c.s_flow], ctx.f_comp[c.t_flow]
    order = np.lexsort((c.rule, t_comp, s_comp, -value, basis))
    counts = np.zeros(len(ctx.establishments), dtype=np.int64)
    cap = params.max_leads_per_establishment
    kept = []
    s_list, t_list = s_comp[order].tolist(), t_comp[order].tolist()
    for position, s, t in zip(order.tolist(), s_list, t_list, strict=True):
        if counts[s] < cap and counts[t] < cap:
            counts[s] += 1
            counts[t] += 1
            kept.append(position)
    kept_subs = np.asarray(sorted(kept), dtype=np.int64)
    group_order = sorted(range(len(groups)), key=lambda g: _group_key(ctx, groups[g], objective))
    counts[:] = 0
    kept_groups = []
    gcap = params.max_mutualisations_per_establishment
    for g in group_order:
        members = ctx.f_comp[groups[g].flows]
        if (counts[members] < gcap).all():
            counts[members] += 1
            kept_groups.append(g)
    return kept_subs, sorted(kept_groups)


def _group_key(ctx: Context, group: Group, objective: str):
    value = group.co2_t if objective == "co2" else group.gain
    basis = group.basis if ctx.params.rank_by_confidence_first else 0
    members = ctx.f_comp[group.flows]
    return (basis, -value, int(members.min()), group.kind.code, ctx.resource_codes[group.resource])


def _merge(ctx, c: Candidates, kept_subs, groups, kept_groups, objective):
    """Single ranked order of the kept substitutions (type 0) and groups (type 1)."""
    basis_on = ctx.params.rank_by_confidence_first
    value = _objective(c.gain, c.co2_t, objective)
    entries = []
    for i in kept_subs.tolist():
        entries.append(
            (
                (int(c.basis[i]) if basis_on else 0),
                -float(value[i]),
                0,
                int(ctx.f_comp[c.s_flow[i]]),
                int(ctx.f_comp[c.t_flow[i]]),
                int(c.rule[i]),
                i,
            )
        )
    for g in kept_groups:
        key = _group_key(ctx, groups[g], objective)
        entries.append((key[0], key[1], 1, key[2], 0, 0, g))
    entries.sort(key=lambda e: e[:6])
    return [(e[2], e[6]) for e in entries]


def _plan(
    ctx: Context,
    opportunities: list[Opportunity],
    rules,
    c: Candidates,
    row_of: dict[str, int],
    groups: dict[str, Group],
    objective: str,
) -> Plan:
    params = ctx.params
    subs = [o for o in opportunities if o.type == "substitution"]
    rows = np.asarray([row_of[o.id] for o in subs], dtype=np.int64)
    ratio = np.asarray([rules[int(r)].ratio for r in c.rule[rows]], dtype=float)
    q = c.quantity[rows]
    fixed = c.fixed_cost[rows]
    safe_q = np.maximum(q, 1e-12)
    variable_gain = (c.gain[rows] + fixed) / safe_q  # EUR per unit, pipe annuity apart
    co2_per_unit = c.co2_t[rows] / safe_q
    x = np.empty(0)
    if len(rows):
        s_ids, s_of = np.unique(c.s_flow[rows], return_inverse=True)
        t_ids, t_of = np.unique(c.t_flow[rows], return_inverse=True)
        x = solve_allocation(
            gain_per_unit=co2_per_unit if objective == "co2" else variable_gain,
            fixed=np.zeros_like(fixed) if objective == "co2" else fixed,
            ratio=ratio,
            supply_of=s_of,
            supply=ctx.f_qty[s_ids],
            demand_of=t_of,
            demand=ctx.f_qty[t_ids],
            upper=q,
            time_limit=params.plan_time_limit_s,
        )
    allocations = []
    used = np.zeros(len(ctx.f_qty))
    for j, o in enumerate(subs):
        qty = float(x[j])
        o.in_plan = qty > 0
        o.plan_quantity = qty
        if qty > 0:
            i = rows[j]
            allocations.append(
                Allocation(o.id, qty, float(variable_gain[j] * qty - fixed[j]), float(co2_per_unit[j] * qty))
            )
            used[c.s_flow[i]] += qty
            used[c.t_flow[i]] += qty * ratio[j]
    # Mutualisations pool what the substitutions of the plan leave over.
    for o in opportunities:
        if o.type != "mutualisation":
            continue
        g = groups[o.id]
        remaining = np.maximum(ctx.f_qty[g.flows] - used[g.flows], 0.0)
        gain = group_gain(g.kind, g.reference_cost, remaining)[0] if (remaining > 0).all() else 0.0
        o.in_plan = bool(gain >= params.min_mutualisation_gain_eur)
        o.plan_quantity = float(remaining.sum()) if o.in_plan else 0.0
        if o.in_plan:
            share = o.plan_quantity / max(o.quantity, 1e-12)
            allocations.append(Allocation(o.id, o.plan_quantity, gain, o.co2_avoided_t_per_year * share))
    return Plan(
        objective=objective,
        status="optimal",
        allocations=allocations,
        total_gain_eur_per_year=float(sum(a.gain_eur_per_year for a in allocations)),
        total_co2_avoided_t_per_year=float(sum(a.co2_avoided_t_per_year for a in allocations)),
    )
