"""Why two establishments were (or were not) matched: every gisement of one against every besoin of the
other, in both directions, with the first reason that stopped each combination.

Reasons, in the order the detection applies them (``PairReason.code``):

* ``found``: the lead is in the result (its rank is given);
* ``no_gisement`` / ``no_besoin``: the supplier has no gisement, or the receiver no besoin, at all;
* ``no_rule``: no substitution rule leads from any gisement of one to any besoin of the other;
* ``disabled``: the rule is switched off by the caller's parameters;
* ``sector``: a rule exists but does not accept the receiver's activity code;
* ``quantity``: the flow's quantity is zero after netting or after commitments elsewhere;
* ``distance``: the road distance exceeds the limit of the resource's transport (or of the rule);
* ``neighbours``: within reach, but the supply has more than ``k`` nearer receivers for that rule;
* ``threshold``: the yearly gain (or CO2) is under the minimum;
* ``other_rule``: a better rule links the same gisement to the same receiver;
* ``source_cap`` / ``receiver_cap`` / ``pair`` / ``reverse``: cut by a limit of the final list (the
  supply's receivers, the receiver's leads, one estimated lead per pair and direction, the reverse pair);
* ``max_results``: beyond the caller's cap on the number of results.

>>> from tremplin.engine.model import Establishment
>>> sites = [Establishment("plant", "Centrale", "35.11Z", 55.660, 11.080, 300),
...          Establishment("board", "Plâtrerie", "23.62Z", 55.668, 11.098, 175)]
>>> diagnosis = why_not(sites, a="plant", b="board")
>>> any(r.code == "found" and r.resource == "gypsum_fgd" for r in diagnosis.reasons)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import naf as naf_module
from .context import ADJUSTMENTS, Context
from .detect import _select, run_stages
from .exceptions import InputError
from .explain import fr
from .geo import great_circle_km_array
from .model import Establishment, Flow, Parameters
from .substitution import Candidates, _economics, neighbour_count, objective_values, rule_distance_limit

__all__ = ["PairDiagnosis", "PairReason", "why_not"]


@dataclass(frozen=True)
class PairReason:
    supplier_id: str
    receiver_id: str
    code: str
    message: str
    resource: str | None = None
    input_resource: str | None = None
    rule_id: str | None = None
    figures: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "supplier_id": self.supplier_id,
            "receiver_id": self.receiver_id,
            "code": self.code,
            "message": self.message,
            "resource": self.resource,
            "input_resource": self.input_resource,
            "rule_id": self.rule_id,
            "figures": dict(self.figures),
        }


@dataclass
class PairDiagnosis:
    a: str
    b: str
    reasons: list[PairReason]

    @property
    def found(self) -> list[PairReason]:
        return [r for r in self.reasons if r.code == "found"]

    def text(self) -> str:
        lines = [f"Établissements {self.a} et {self.b} :"]
        for r in self.reasons:
            what = f", {r.resource} → {r.input_resource} ({r.rule_id})" if r.rule_id else ""
            lines.append(f"- {r.supplier_id} → {r.receiver_id}{what} : {r.message}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "reasons": [r.as_dict() for r in self.reasons]}


_CAP_MESSAGES = {
    "source_cap": "écartée par la limite de receveurs par gisement ({cap} meilleurs gardés)",
    "receiver_cap": "écartée par la limite de pistes pour ce besoin du receveur ({cap} meilleures gardées)",
    "pair": "une meilleure piste relie déjà ces deux établissements dans ce sens",
    "reverse": "la piste inverse, de la même ressource, est déjà proposée",
}


def why_not(
    establishments: Iterable[Establishment],
    flows: Iterable[Flow] | None = None,
    *,
    a: str,
    b: str,
    params: Parameters | None = None,
    kb=None,
    objective: str = "gain",
    committed: Iterable[Flow] | None = None,
) -> PairDiagnosis:
    """Explain, for establishments ``a`` and ``b`` (identifiers), every lead found between them and why
    each other combination of a gisement and a besoin was not proposed, in both directions."""
    stages = run_stages(establishments, flows, params=params, kb=kb, objective=objective, committed=committed)
    ctx = stages.ctx
    for ident in (a, b):
        if ident not in ctx.position:
            raise InputError(f"établissement inconnu {ident!r}", field="id")
    trace: dict[int, str] = {}
    selected = _select(ctx, stages.candidates, stages.groups, objective, trace)
    rank_of = {index: rank for rank, (kind, index) in enumerate(selected, start=1) if kind == 0}
    limit = ctx.params.max_results
    reasons: list[PairReason] = []
    for supplier, receiver in ((a, b), (b, a)):
        reasons.extend(_direction(ctx, stages, supplier, receiver, objective, trace, rank_of, limit))
    return PairDiagnosis(a, b, reasons)


def _direction(ctx: Context, stages, supplier: str, receiver: str, objective, trace, rank_of, limit):
    params = ctx.params
    s_pos, t_pos = ctx.position[supplier], ctx.position[receiver]
    out_flows = np.flatnonzero((ctx.f_comp == s_pos) & (ctx.f_dir == 1))
    in_flows = np.flatnonzero((ctx.f_comp == t_pos) & (ctx.f_dir == 0))
    reasons: list[PairReason] = []

    def add(code, message, **kwargs):
        reasons.append(PairReason(supplier, receiver, code, message, **kwargs))

    if len(out_flows) == 0:
        add("no_gisement", "aucun gisement (déclaré ou estimé) chez le fournisseur")
        return reasons
    if len(in_flows) == 0:
        add("no_besoin", "aucun besoin (déclaré ou estimé) chez le receveur")
        return reasons
    by_input = {int(ctx.f_res[f]): int(f) for f in in_flows}
    ancestors = tuple(naf_module.naf_ancestors(ctx.naf[t_pos]))
    gc = float(
        great_circle_km_array(ctx.lat[s_pos], ctx.lon[s_pos], np.asarray([ctx.lat[t_pos]]), [ctx.lon[t_pos]])[
            0
        ]
    )
    c = stages.candidates
    rule_position = {rule.id: i for i, rule in enumerate(stages.rules)}
    any_rule = False
    for s_flow in out_flows.tolist():
        out_r = int(ctx.f_res[s_flow])
        out_res = ctx.resources[out_r]
        for base_rule in ctx.kb.rules:
            if base_rule.output != out_res.code:
                continue
            in_r = ctx.resource_index[base_rule.input]
            t_flow = by_input.get(in_r)
            if t_flow is None:
                continue
            any_rule = True
            in_res = ctx.resources[in_r]
            info = {"resource": out_res.code, "input_resource": in_res.code, "rule_id": base_rule.id}
            rule = ctx.rule(base_rule)
            if rule is None:
                add("disabled", f"règle {base_rule.id} désactivée par les paramètres", **info)
                continue
            if not rule.accepts(ancestors):
                add(
                    "sector",
                    f"règle {rule.id} ({out_res.label} → {in_res.label}) réservée aux secteurs "
                    f"{', '.join(rule.receivers)} ; le receveur est en {ctx.naf[t_pos]}",
                    **info,
                )
                continue
            zero = [f for f in (s_flow, t_flow) if ctx.f_qty[f] <= 0]
            if zero:
                f = zero[0]
                why = ADJUSTMENTS.get(int(ctx.f_adjusted[f]), "nulle")
                what = "gisement" if f == s_flow else "besoin"
                add("quantity", f"quantité du {what} nulle, {why}", **info)
                continue
            dmax = rule_distance_limit(ctx, rule, out_res)
            road = (
                params.router(ctx.lat[s_pos], ctx.lon[s_pos], ctx.lat[t_pos], ctx.lon[t_pos])
                if params.router is not None
                else gc * params.detour_factor
            )
            figures = {"road_km": road, "limit_km": dmax}
            if road > dmax + 1e-9:
                add(
                    "distance",
                    f"{fr(road, 1)} km par la route, au-delà de la limite de {fr(dmax, 1)} km du transport "
                    f"« {out_res.transport.label} »" + (" (ou de la règle)" if rule.max_distance_km else ""),
                    figures=figures,
                    **info,
                )
                continue
            part = _economics(
                ctx,
                0,
                rule,
                out_res,
                in_res,
                np.asarray([s_flow]),
                np.asarray([t_flow]),
                np.asarray([gc]),
                np.asarray([road]),
            )
            value = float(objective_values(part, objective)[0])
            threshold = params.min_co2_t if objective == "co2" else params.min_gain_eur
            figures |= {"gain_eur_per_year": float(part.gain[0]), "co2_t_per_year": float(part.co2_t[0])}
            index = _candidate_index(c, s_flow, t_flow, rule_position.get(rule.id))
            if index is None:
                if value < threshold:
                    unit = "t CO2e/an" if objective == "co2" else "€/an"
                    add(
                        "threshold",
                        f"{'CO2 évité' if objective == 'co2' else 'gain net'} de {fr(value)} {unit}, sous le "
                        f"minimum de {fr(threshold)} {unit}",
                        figures=figures,
                        **info,
                    )
                    continue
                nearer = _nearer_receivers(ctx, rule, in_r, s_pos, t_pos, gc)
                k = neighbour_count(params, _supply_count(ctx, out_r))
                if nearer >= k:
                    add(
                        "neighbours",
                        f"{nearer} receveurs possibles sont plus proches du gisement ; seuls les {k} plus "
                        "proches sont examinés par règle",
                        figures=figures | {"nearer_receivers": nearer, "examined": k},
                        **info,
                    )
                    continue
                other = (
                    np.flatnonzero((c.s_flow == s_flow) & (ctx.f_comp[c.t_flow] == t_pos)) if len(c) else []
                )
                if len(other):
                    better = stages.rules[int(c.rule[other[0]])]
                    add(
                        "other_rule",
                        f"la règle {better.id} relie ce gisement à ce receveur avec un meilleur résultat",
                        figures=figures,
                        **info,
                    )
                else:
                    kept = params.max_candidates_per_source * 3
                    add(
                        "source_cap",
                        f"ce receveur n'est pas parmi les {kept} meilleurs receveurs de ce gisement",
                        figures=figures,
                        **info,
                    )
                continue
            if index in rank_of:
                position = rank_of[index]
                if limit is not None and position > limit:
                    add("max_results", f"au rang {position}, au-delà des {limit} résultats demandés", **info)
                else:
                    add("found", f"piste proposée au rang {position}", figures=figures, **info)
                continue
            code = trace.get(index, "source_cap")
            cap = (
                params.max_candidates_per_source
                if code == "source_cap"
                else params.max_leads_per_establishment
            )
            add(code, _CAP_MESSAGES[code].format(cap=cap), figures=figures, **info)
    if not any_rule:
        gisements = ", ".join(ctx.resource_codes[int(ctx.f_res[f])] for f in out_flows)
        besoins = ", ".join(ctx.resource_codes[int(ctx.f_res[f])] for f in in_flows)
        add(
            "no_rule",
            f"aucune règle ne relie ses gisements ({gisements}) aux besoins du receveur ({besoins})",
        )
    return reasons


def _candidate_index(c: Candidates, s_flow: int, t_flow: int, rule_pos: int | None) -> int | None:
    if rule_pos is None or len(c) == 0:
        return None
    hits = np.flatnonzero((c.s_flow == s_flow) & (c.t_flow == t_flow) & (c.rule == rule_pos))
    return int(hits[0]) if len(hits) else None


def _supply_count(ctx: Context, out_r: int) -> int:
    return int(((ctx.f_dir == 1) & (ctx.f_res == out_r) & (ctx.f_qty > 0)).sum())


def _nearer_receivers(ctx: Context, rule, in_r: int, s_pos: int, t_pos: int, gc: float) -> int:
    demand = np.flatnonzero((ctx.f_dir == 0) & (ctx.f_res == in_r) & (ctx.f_qty > 0))
    comp = ctx.f_comp[demand]
    comp = comp[comp != s_pos]
    accepted = np.asarray([rule.accepts(ctx.naf_ancestors[p]) for p in comp.tolist()], dtype=bool)
    comp = comp[accepted] if len(comp) else comp
    if len(comp) == 0:
        return 0
    d = great_circle_km_array(ctx.lat[s_pos], ctx.lon[s_pos], ctx.lat[comp], ctx.lon[comp])
    return int(((d < gc - 1e-9) | ((np.abs(d - gc) <= 1e-9) & (comp < t_pos))).sum())
