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

from collections.abc import Callable, Collection, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .allocation import solve_allocation
from .authorisation import annotate
from .context import Context, build_context
from .explain import mutualisation_opportunity, substitution_opportunity
from .knowledge import KnowledgeBase, default_knowledge_base
from .model import BASES, Allocation, DetectionResult, Establishment, Flow, Opportunity, Parameters, Plan
from .mutualisation import Group, find_groups, group_gain
from .networks import HeatNetwork, NetworkSites
from .substitution import Candidates, find_substitutions, flow_groups, ranking_values

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
    committed: Iterable[Flow] | None = None,
    authorisations: Mapping[str, Iterable] | None = None,
    heat_networks: Iterable[HeatNetwork] | None = None,
    core: Collection[str] | None = None,
) -> DetectionResult:
    """Detect ranked, quantified, explained synergy opportunities among ``establishments``.

    ``flows`` are declared (or workshop) flows; missing ones are estimated from sector profiles unless
    ``params.estimate_missing_flows`` is False.  ``committed`` are quantities already promised in
    synergies under way (same form as flows): they are taken off before matching, so that a supply is
    never offered twice from one run to the next.  ``objective`` ("gain" or "co2") orders the list and
    drives the optimal plan, computed when ``plan`` is True (the plan's totals are the figures to show:
    they never count a supply twice).  ``progress(fraction, message)`` is called along the way.  Results
    do not depend on the order of the inputs.  ``authorisations`` maps establishment ids to the rubriques
    of their installation classée (codes such as ``"2791-1"`` or :class:`AuthorisedRubrique`); when given,
    the receiver's authorisation of each waste lead is authorised, to check or not authorised
    (:mod:`tremplin.engine.authorisation`) instead of a generic point to check.
    ``heat_networks`` (see :mod:`tremplin.engine.networks`) are receivers of waste heat reached at the
    nearest point of their trace.
    ``core`` (a partitioned run, see :mod:`tremplin.engine.partition`): the ids of the partition's core
    establishments, the others being its margin. Every candidate is matched and competes for the caps,
    as in one big run, but only the leads owned by a core establishment (a substitution by its
    supplier, a group by its seed) are explained, ranked and returned; the plan allocates the margin's
    selected substitutions too (they share demands and supplies) but holds the core's allocations only.
    None: all are core.
    """
    report = progress or (lambda fraction, message: None)
    stages = run_stages(
        establishments,
        flows,
        params=params,
        kb=kb,
        objective=objective,
        report=report,
        committed=committed,
        heat_networks=heat_networks,
        core=core,
    )
    ctx, rules, candidates, groups = stages.ctx, stages.rules, stages.candidates, stages.groups
    params, stats = ctx.params, stages.stats
    report(0.7, "Classement et explications")
    opportunities: list[Opportunity] = []
    row_of: dict[str, int] = {}
    group_of: dict[str, Group] = {}
    selected = _select(ctx, candidates, groups, objective)
    plan_rows: list[int] | None = None
    if ctx.core is not None:
        # Leads owned by the margin took their place in the caps (as in one big run); now they go, but
        # for their quantities in the plan (see _plan's ``plan_rows``).
        plan_rows = [index for kind, index in selected if kind == 0]
        selected = [entry for entry in selected if _owned(ctx, candidates, groups, *entry)]
    for entry_type, index in selected:
        if entry_type == 0:
            rule = rules[int(candidates.rule[index])]
            opportunity = substitution_opportunity(ctx, rule, candidates, index)
            row_of[opportunity.id] = index
        else:
            opportunity = mutualisation_opportunity(ctx, groups[index])
            group_of[opportunity.id] = groups[index]
        opportunities.append(opportunity)
    if stages.networks is not None:
        stages.networks.annotate(ctx, opportunities)
    if params.max_results is not None:
        opportunities = opportunities[: params.max_results]
    if authorisations is not None:
        by_id = {rule.id: rule for rule in rules}
        stats["receiver_authorisation"] = annotate(opportunities, ctx.kb.resources, by_id, authorisations)
    for rank, opportunity in enumerate(opportunities, start=1):
        opportunity.rank = rank
    stats["opportunities"] = len(opportunities)
    stats["substitutions"] = sum(1 for o in opportunities if o.type == "substitution")
    stats["mutualisations"] = len(opportunities) - stats["substitutions"]
    the_plan = None
    if plan:
        report(0.85, "Optimisation de l'allocation (HiGHS)")
        the_plan = _plan(ctx, opportunities, rules, candidates, row_of, group_of, objective, plan_rows)
    report(1.0, "Détection terminée")
    return _Result(
        ctx, opportunities=opportunities, plan=the_plan, stats=stats, knowledge_base_version=ctx.kb.version
    )


@dataclass
class Stages:
    """Intermediate tables of one detection, before the final selection (used by ``why_not``)."""

    ctx: Context
    rules: list
    candidates: Candidates
    groups: list[Group]
    stats: dict
    networks: NetworkSites | None = None


def run_stages(
    establishments,
    flows=None,
    *,
    params: Parameters | None = None,
    kb: KnowledgeBase | None = None,
    objective: str = "gain",
    report: Progress | None = None,
    committed=None,
    heat_networks=None,
    core: Collection[str] | None = None,
) -> Stages:
    if objective not in OBJECTIVES:
        raise ValueError(f"objectif inconnu {objective!r} (attendu : {', '.join(OBJECTIVES)})")
    params = params or Parameters()
    kb = kb or default_knowledge_base()
    report = report or (lambda fraction, message: None)
    report(0.0, "Préparation des établissements et des flux")
    networks = NetworkSites(heat_networks) if heat_networks else None
    if networks is not None:
        establishments, flows = networks.merge(establishments, flows)
    ctx = build_context(
        list(establishments),
        list(flows) if flows is not None else None,
        kb,
        params,
        committed=list(committed) if committed is not None else None,
    )
    if core is not None:
        core_ids = core if isinstance(core, (set, frozenset)) else set(core)
        ctx.core = np.fromiter((e.id in core_ids for e in ctx.establishments), bool, len(ctx.establishments))
    stats: dict = {
        "establishments": len(ctx.establishments),
        "flows": len(ctx.f_qty),
        "flows_by_basis": {b: int((ctx.f_basis == i).sum()) for i, b in enumerate(BASES)},
        "flows_netted": int((ctx.f_adjusted == 1).sum() + (ctx.f_adjusted == 2).sum()),
        "flows_reduced_by_commitments": int((ctx.f_adjusted == 3).sum()),
        "estimates_bounded": int(ctx.f_bounded.sum()) if len(ctx.f_bounded) else 0,
    }
    if ctx.core is not None:
        stats["core_establishments"] = int(ctx.core.sum())
    report(0.15, "Recherche des substitutions")
    with networks.hidden(ctx) if networks is not None else nullcontext():
        rules, candidates = find_substitutions(ctx, objective=objective, stats=stats)
        groups: list[Group] = []
        if params.mutualisation:
            report(0.5, "Recherche des mutualisations")
            groups = find_groups(ctx, flow_groups(ctx), stats=stats)
    if networks is not None:
        rules, candidates = networks.add_candidates(ctx, rules, candidates, objective=objective, stats=stats)
    return Stages(ctx, rules, candidates, groups, stats, networks)


def _owned(ctx: Context, c: Candidates, groups: list[Group], entry_type: int, index: int) -> bool:
    """Whether a selected lead belongs to the partition's core: a substitution by its supplier, a group
    by its seed (the first of its flows)."""
    flow = int(c.s_flow[index]) if entry_type == 0 else int(groups[index].flows[0])
    return bool(ctx.core[ctx.f_comp[flow]])


def _objective(values_gain, values_co2, objective):
    return values_co2 if objective == "co2" else values_gain


def _select(
    ctx: Context, c: Candidates, groups: list[Group], objective: str, trace: dict | None = None
) -> list[tuple[int, int]]:
    """Ranked list of the leads kept, as (type, index): type 0 a substitution candidate, 1 a group.

    One greedy pass in ranking order (most reliable first, then by the objective weighted by the supply's
    current treatment, a waste going to disposal before one already recovered): a substitution is kept
    while its supply has fewer than ``max_candidates_per_source`` receivers and its receiver fewer than
    ``max_leads_per_establishment`` leads for that need (the resource group of the input: steam, heat,
    feed…); a group while each member has room for one more lead for that resource and fewer than
    ``max_mutualisations_per_establishment`` groups. A pair whose two flows are declared (or stated
    in a workshop) is always kept: caps exist to keep estimated leads few, not to hide what companies
    said. The reverse pair of one already kept (B→A of the same resource group as A→B) is left out, and
    two establishments get one estimated lead per direction (the best resource), not one per resource.
    """
    params = ctx.params
    basis_on = params.rank_by_confidence_first
    # Within one basis, disposal before recovery (Parameters.current_operation_factors).
    value = ranking_values(ctx, _objective(c.gain, c.co2_t, objective), c.s_flow)
    estimated = BASES.index("estimated")
    s_basis, t_basis = ctx.f_basis[c.s_flow], ctx.f_basis[c.t_flow]
    s_comp = ctx.f_comp[c.s_flow].astype(np.int64)
    t_comp = ctx.f_comp[c.t_flow].astype(np.int64)
    n_subs = len(c)
    if basis_on:
        worst = np.maximum(s_basis, t_basis).astype(np.int64)
        best = np.minimum(s_basis, t_basis).astype(np.int64)
    else:
        worst = best = np.zeros(n_subs, np.int64)
    keys = [_group_key(ctx, group, objective) for group in groups]
    # The ranking order: (worst basis, best basis, -value, type, supplier or first member, receiver, rule),
    # ties in the order given (substitutions first): a stable sort of both kinds on these keys.
    columns = [
        np.r_[worst, [k[0] for k in keys]],
        np.r_[best, [k[0] for k in keys]],
        np.r_[-np.asarray(value, dtype=float), [float(k[1]) for k in keys]],
        np.r_[np.zeros(n_subs, np.int64), np.ones(len(keys), np.int64)],
        np.r_[s_comp, [k[2] for k in keys]],
        np.r_[t_comp, np.zeros(len(keys), np.int64)],
        np.r_[np.asarray(c.rule, dtype=np.int64), np.zeros(len(keys), np.int64)],
    ]
    order = np.lexsort(columns[::-1]) if n_subs + len(keys) else np.empty(0, np.int64)
    del columns
    # The caps' keys as integers (no tuple built per candidate): a receiver's need (establishment x
    # resource group), the pair (supplier, receiver), the pair and resource group of the supply (to
    # leave out the reverse of a pair kept).
    n_est = len(ctx.establishments)
    n_groups = int(ctx.resource_group.max()) + 1 if len(ctx.resource_group) else 1
    need = ctx.resource_group[ctx.f_res[c.t_flow]].astype(np.int64) if n_subs else np.empty(0, np.int64)
    net = ctx.resource_group[ctx.f_res[c.s_flow]].astype(np.int64) if n_subs else np.empty(0, np.int64)
    need_keys = t_comp * n_groups + need
    pairs = s_comp * n_est + t_comp
    forward = pairs * n_groups + net
    reverse = (t_comp * n_est + s_comp) * n_groups + net
    facts_all = (s_basis < estimated) & (t_basis < estimated)
    del need, net
    supply_count = [0] * len(ctx.f_qty)
    # Leads received, per (establishment, resource group of the need): three proposals for each need.
    lead_count: dict[int, int] = {}
    group_count = [0] * len(ctx.establishments)
    kept_pairs: set[int] = set()
    estimated_pairs: set[int] = set()
    cap_source, cap_leads = params.max_candidates_per_source, params.max_leads_per_establishment
    cap_groups = params.max_mutualisations_per_establishment
    selected = []
    # In ranking order, a chunk at a time: the keys of a chunk's substitutions as plain lists (fast to
    # read one by one), so that memory holds one chunk's Python integers, not millions of them (on a
    # tile of Paris, 3 million candidates, the lists of all of them weighed 600 MB).
    for start in range(0, len(order), _SELECT_CHUNK):
        chunk = order[start : start + _SELECT_CHUNK]
        subs = chunk[chunk < n_subs]
        s_flow_of = c.s_flow[subs].tolist()
        need_key_of = need_keys[subs].tolist()
        pair_of = pairs[subs].tolist()
        forward_of = forward[subs].tolist()
        reverse_of = reverse[subs].tolist()
        facts_of = facts_all[subs].tolist()
        j = -1
        for position in chunk.tolist():
            if position < n_subs:
                index = position
                j += 1  # the substitution's place among the chunk's
                if reverse_of[j] in kept_pairs:
                    if trace is not None:
                        trace[index] = "reverse"
                    continue
                s_flow, need_key = s_flow_of[j], need_key_of[j]
                facts = facts_of[j]
                if not facts:
                    reason = (
                        "source_cap"
                        if supply_count[s_flow] >= cap_source
                        else "receiver_cap"
                        if lead_count.get(need_key, 0) >= cap_leads
                        else "pair"
                        if pair_of[j] in estimated_pairs
                        else None
                    )
                    if reason is not None:
                        if trace is not None:
                            trace[index] = reason
                        continue
                supply_count[s_flow] += 1
                lead_count[need_key] = lead_count.get(need_key, 0) + 1
                kept_pairs.add(forward_of[j])
                if not facts:
                    estimated_pairs.add(pair_of[j])
                selected.append((0, index))
            else:
                index = position - n_subs
                group = groups[index]
                members = ctx.f_comp[group.flows].tolist()
                facts = group.basis < estimated
                group_need = int(ctx.resource_group[group.resource])
                member_keys = [m * n_groups + group_need for m in members]
                distinct = set(members)
                full = any(lead_count.get(k, 0) >= cap_leads for k in member_keys) or any(
                    group_count[m] >= cap_groups for m in distinct
                )
                if not facts and full:
                    continue
                for k in member_keys:
                    lead_count[k] = lead_count.get(k, 0) + 1
                for m in distinct:
                    group_count[m] += 1
                selected.append((1, index))
    return selected


_SELECT_CHUNK = 1 << 16


def _group_key(ctx: Context, group: Group, objective: str):
    value = group.co2_t if objective == "co2" else group.gain
    basis = group.basis if ctx.params.rank_by_confidence_first else 0
    members = ctx.f_comp[group.flows]
    return (basis, -value, int(members.min()), group.kind.code, ctx.resource_codes[group.resource])


def _plan(
    ctx: Context,
    opportunities: list[Opportunity],
    rules,
    c: Candidates,
    row_of: dict[str, int],
    groups: dict[str, Group],
    objective: str,
    plan_rows: list[int] | None = None,
) -> Plan:
    """The optimal allocation of the substitutions among ``opportunities``, then what the groups pool of
    the rest. ``plan_rows`` (a partitioned run) are the candidate rows of every selected substitution,
    the margin's included, in ranking order: all are allocated, so that a receiver's demand and a supply
    are shared as in one big run (and the problem is the one a run without ``core`` solves), but the
    allocations of the margin's leads are not part of the plan returned. (On the generated case of
    tests/engine/test_partition.py the partitions' plans then add up to the big run's within 0.6 %,
    against 2 % less when the core's leads had the demands to themselves.)"""
    params = ctx.params
    subs = [o for o in opportunities if o.type == "substitution"]
    owned_at = {row_of[o.id]: o for o in subs}
    rows = np.asarray([row_of[o.id] for o in subs] if plan_rows is None else plan_rows, dtype=np.int64)
    ratio = np.asarray([rules[int(r)].ratio for r in c.rule[rows]], dtype=float)
    q = c.quantity[rows]
    fixed = c.fixed_cost[rows]
    safe_q = np.maximum(q, 1e-12)
    variable_gain = (c.gain[rows] + fixed) / safe_q  # EUR per unit, pipe annuity apart
    co2_per_unit = c.co2_t[rows] / safe_q
    x = np.empty(0)
    needed = None
    if plan_rows is not None:
        # A part of the plan that holds none of the partition's own leads, and none of the flows its
        # groups pool, changes nothing the partition returns: it is not solved.
        owned_flows = np.zeros(len(ctx.f_qty), bool)
        for o in opportunities:
            if o.type == "mutualisation":
                owned_flows[groups[o.id].flows] = True
        needed = np.fromiter((row in owned_at for row in rows.tolist()), bool, len(rows))
        needed |= owned_flows[c.s_flow[rows]] | owned_flows[c.t_flow[rows]]
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
            mip_gap=params.plan_mip_gap,
            needed=needed,
        )
    allocations = []
    used = np.zeros(len(ctx.f_qty))
    for j, row in enumerate(rows.tolist()):
        o = owned_at.get(row)
        qty = float(x[j])
        if o is None:  # the margin's: it uses its supply and its demand, nothing more
            used[c.s_flow[row]] += qty
            used[c.t_flow[row]] += qty * ratio[j]
            continue
        o.in_plan = qty > 0
        o.plan_quantity = qty
        if qty > 0:
            i = rows[j]
            share = qty / max(float(q[j]), 1e-12)
            allocations.append(
                Allocation(
                    o.id,
                    qty,
                    float(variable_gain[j] * qty - fixed[j]),
                    float(co2_per_unit[j] * qty),
                    float(c.diverted_t[i] * share),
                    o.confidence,
                )
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
            allocations.append(
                Allocation(
                    o.id,
                    o.plan_quantity,
                    gain,
                    o.co2_avoided_t_per_year * share,
                    o.tonnes_diverted_per_year * share,
                    o.confidence,
                )
            )
    by_basis: dict[str, dict[str, float]] = {}
    for a in allocations:
        entry = by_basis.setdefault(
            a.basis,
            {
                "leads": 0,
                "gain_eur_per_year": 0.0,
                "co2_avoided_t_per_year": 0.0,
                "tonnes_diverted_per_year": 0.0,
            },
        )
        entry["leads"] += 1
        entry["gain_eur_per_year"] += a.gain_eur_per_year
        entry["co2_avoided_t_per_year"] += a.co2_avoided_t_per_year
        entry["tonnes_diverted_per_year"] += a.tonnes_diverted_per_year
    return Plan(
        objective=objective,
        status="optimal",
        allocations=allocations,
        total_gain_eur_per_year=float(sum(a.gain_eur_per_year for a in allocations)),
        total_co2_avoided_t_per_year=float(sum(a.co2_avoided_t_per_year for a in allocations)),
        total_tonnes_diverted_per_year=float(sum(a.tonnes_diverted_per_year for a in allocations)),
        totals_by_basis={b: by_basis[b] for b in BASES if b in by_basis},
    )
