"""Turns computed candidates and groups into :class:`Opportunity` objects that explain themselves in
plain French: rule, figures, assumptions, sources.

>>> fr(1234567.891, 1)
'1 234 567,9'
>>> fr(-0.5, 2)
'-0,50'
"""

from __future__ import annotations

from . import naf as naf_module
from .context import ADJUSTMENTS, Context
from .knowledge import REGULATORY_FLAGS
from .model import BASES, BASIS_LABELS, Opportunity, ParticipantGain, operation_kind
from .mutualisation import Group, unit_cost
from .substitution import Candidates, pipe_scale

__all__ = ["fr", "mutualisation_opportunity", "substitution_opportunity"]


def fr(value: float, decimals: int = 0) -> str:
    """French number formatting: space as thousands separator, comma as decimal mark."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def _name(ctx: Context, position: int) -> str:
    e = ctx.establishments[position]
    return f"{e.name} ({e.id})" if e.name else e.id


def _unit(unit: str) -> str:
    return f"{unit}/an"


def _flags_for(resource, rule_flags) -> tuple[str, ...]:
    flags = []
    if resource.is_waste:
        flags.append("statut_dechet")
    if resource.hazardous:
        flags.append("dechet_dangereux")
    flags.extend(f for f in rule_flags if f not in flags)
    return tuple(flags)


def citation(kb, key: str) -> str:
    """A source as a person reads it (title, publisher, year), never an internal key."""
    cite = getattr(kb, "citation", None)
    return cite(key) if cite is not None else kb.source_title(key)


def reference(kb, key: str) -> dict:
    """A source as structured data for exports: key, title, publisher, year, url and kind."""
    found = getattr(kb, "reference", None)
    if found is not None:
        ref = found(key)
        return {
            "key": key,
            "title": ref.title,
            "publisher": getattr(ref, "publisher", ""),
            "year": getattr(ref, "year", None),
            "url": getattr(ref, "url", ""),
            "kind": getattr(ref, "kind", ""),
        }
    entry = kb.sources.get(key, {})
    return {"key": key, "title": entry.get("title", key), "url": entry.get("url", "")}


def _flow_notes(ctx: Context, flow: int, what: str) -> list[str]:
    notes = []
    if len(ctx.f_bounded) and ctx.f_bounded[flow]:
        notes.append(
            f"Quantité estimée du {what} plafonnée au maximum plausible d'un site de ce secteur "
            "et de cette taille."
        )
    reason = int(ctx.f_adjusted[flow]) if len(ctx.f_adjusted) else 0
    if reason:
        unit = ctx.resources[int(ctx.f_res[flow])].unit
        notes.append(
            f"Quantité du {what} : {fr(float(ctx.f_gross[flow]))} {unit}/an au départ, {ADJUSTMENTS[reason]}."
        )
    return notes


def _correspondence_notes(ctx: Context, positions) -> list[str]:
    """For each participant registered in NAF 2025, how its code reached the NAF rév. 2 sector profile."""
    notes = []
    for position in positions:
        note = naf_module.correspondence_note(ctx.naf[position])
        if note:
            notes.append(f"{_name(ctx, position)} — {note}")
    return notes


def current_operation_text(ctx: Context, flow: int) -> str:
    """What the register says of the gisement's treatment today, e.g. « Actuellement éliminé (D10) »."""
    if not len(ctx.f_operation):
        return ""
    code = str(ctx.f_operation[flow])
    kind = operation_kind(code)
    factor = float(ctx.f_rank_factor[flow])
    if kind == "D":
        return (
            f"Actuellement éliminé ({code}) : un déchet qui part en élimination est une meilleure piste "
            f"qu'un déchet déjà valorisé (classement × {fr(factor, 2)})."
        )
    if kind == "R":
        return f"Déjà valorisé ({code}) : piste classée après les déchets éliminés (× {fr(factor, 2)})."
    return ""


def _register_notes(ctx: Context, flow: int, what: str) -> list[str]:
    notes = []
    if BASES[int(ctx.f_basis[flow])] == "register":
        notes.append(
            f"Quantité du {what} lue dans un registre public (IREP) : elle remplace l'estimation, et ce "
            "que l'entreprise déclare la remplace."
        )
    if len(ctx.f_upper_bound) and ctx.f_upper_bound[flow]:
        unit = _unit(ctx.resources[int(ctx.f_res[flow])].unit)
        notes.append(
            f"Quantité du {what} inférieure au seuil de déclaration du registre : le seuil "
            f"({fr(float(ctx.f_gross[flow]))} {unit}/an) est retenu comme majorant, jamais comme 0 ; "
            "les gains sont donc des plafonds."
        )
    return notes


def _common_assumptions(ctx: Context, basis: int) -> list[str]:
    params = ctx.params
    items = []
    if BASES[basis] == "estimated":
        items.append(
            "Quantités estimées d'après le code NAF et l'effectif (profils sectoriels) : piste à "
            "vérifier sur site, pas une synergie établie."
        )
    items.append(
        f"Prix et coûts pris au point {fr(params.price_point, 2)} des fourchettes du catalogue "
        "(0 = bas, 1 = haut)."
    )
    if params.router is None:
        items.append(
            f"Distance routière estimée : distance à vol d'oiseau × facteur de détour "
            f"{fr(params.detour_factor, 2)}."
        )
    else:
        items.append("Distance routière calculée par le calculateur d'itinéraire configuré.")
    return items


def substitution_opportunity(ctx: Context, rule, c: Candidates, i: int) -> Opportunity:
    params = ctx.params
    s_flow, t_flow = int(c.s_flow[i]), int(c.t_flow[i])
    s_pos, t_pos = int(ctx.f_comp[s_flow]), int(ctx.f_comp[t_flow])
    out_r, in_r = int(ctx.f_res[s_flow]), int(ctx.f_res[t_flow])
    out_res, in_res = ctx.resources[out_r], ctx.resources[in_r]
    transport = out_res.transport
    q = float(c.quantity[i])
    basis = int(c.basis[i])
    treatment, purchase = float(c.treatment_avoided[i]), float(c.purchase_avoided[i])
    transport_cost, fixed, pretreatment = (
        float(c.transport_cost[i]),
        float(c.fixed_cost[i]),
        float(c.pretreatment_cost[i]),
    )
    gain = float(c.gain[i])
    source_gain = gain * params.source_gain_share
    transfer = source_gain - treatment  # what the receiver pays the supplier (negative: supplier pays)
    target_gain = gain - source_gain
    supplier = ParticipantGain(
        ctx.establishments[s_pos].id,
        "fournisseur",
        source_gain,
        (("Traitement évité", treatment), ("Prix de cession reçu", transfer)),
    )
    receiver_items = [("Achat évité", purchase), ("Prix de cession payé", -transfer)]
    if transport_cost:
        receiver_items.append(("Transport", -transport_cost))
    if fixed:
        receiver_items.append(("Annuité de canalisation", -fixed))
    if pretreatment:
        receiver_items.append(("Prétraitement", -pretreatment))
    receiver = ParticipantGain(ctx.establishments[t_pos].id, "receveur", target_gain, tuple(receiver_items))
    gc, road = float(c.gc_km[i]), float(c.road_km[i])
    co2 = float(c.co2_t[i])
    breakdown = {
        "elimination_evitee": float(c.co2_disposal[i]) / 1000,
        "production_vierge_evitee": float(c.co2_virgin[i]) / 1000,
        "procede": -float(c.co2_process[i]) / 1000,
        "transport": -float(c.co2_transport[i]) / 1000,
    }
    factors = {
        "ratio": rule.ratio,
        "cout_traitement_eur_par_unite": out_res.treatment_cost,
        "prix_intrant_eur_par_unite": in_res.price,
        "facteur_elimination_kgco2e_par_unite": out_res.disposal_co2,
        "facteur_production_vierge_kgco2e_par_unite": in_res.virgin_co2,
        "emissions_procede_kgco2e_par_unite": rule.process_co2,
        "cout_pretraitement_eur_par_unite": rule.pretreatment_cost,
        "facteur_detour": params.detour_factor,
        # The whole gisement and besoin behind the lead, so that totals over several leads of one supply
        # can be bounded by it (see tremplin.synergies.potential).
        "quantite_gisement": float(ctx.f_qty[s_flow]),
        "quantite_besoin": float(ctx.f_qty[t_flow]),
    }
    if transport.mode == "truck":
        factors |= {
            "transport_eur_par_t_km": transport.eur_per_t_km,
            "manutention_eur_par_t": transport.eur_per_t,
            "transport_kgco2e_par_t_km": transport.co2_kg_per_t_km,
        }
    if transport.mode == "pipe":
        scale = float(pipe_scale(params, transport, out_res, q))
        factors["annuite_canalisation_eur_par_km"] = transport.fixed_eur_per_km_year * scale
        factors["echelle_canalisation"] = scale
    flags = _flags_for(out_res, rule.flags)
    s_qty, t_qty = float(ctx.f_qty[s_flow]), float(ctx.f_qty[t_flow])
    s_basis, t_basis = BASIS_LABELS[BASES[ctx.f_basis[s_flow]]], BASIS_LABELS[BASES[ctx.f_basis[t_flow]]]
    unit = out_res.unit
    distance_text = (
        f"{fr(road, 1)} km ({fr(gc, 1)} km à vol d'oiseau × détour {fr(params.detour_factor, 2)})"
        if params.router is None
        else f"{fr(road, 1)} km par la route"
    )
    parts = [
        f"Substitution (règle {rule.id}) : le gisement « {out_res.label} » de {_name(ctx, s_pos)} "
        f"({fr(s_qty)} {_unit(unit)}, {s_basis}) peut remplacer « {in_res.label} » chez {_name(ctx, t_pos)} "
        f"(besoin {fr(t_qty)} {_unit(in_res.unit)}, {t_basis}) : {fr(q, 1)} {_unit(unit)} échangeables, "
        f"1 {unit} remplace {fr(rule.ratio, 2)} {in_res.unit}.",
        f"Distance {distance_text}.",
        f"Gain net estimé {fr(gain)} €/an (traitement évité {fr(treatment)} €, achat évité {fr(purchase)} €"
        + (f", transport −{fr(transport_cost)} €" if transport_cost else "")
        + (f", annuité de canalisation −{fr(fixed)} €" if fixed else "")
        + (f", prétraitement « {rule.pretreatment} » −{fr(pretreatment)} €" if pretreatment else "")
        + f") ; fournisseur {fr(source_gain)} €, receveur {fr(target_gain)} €.",
        f"CO2e évité {fr(co2, 1)} t/an (élimination évitée {fr(breakdown['elimination_evitee'], 1)} t à "
        f"{fr(out_res.disposal_co2)} kg/{unit}, production vierge évitée "
        f"{fr(breakdown['production_vierge_evitee'], 1)} t à {fr(in_res.virgin_co2)} kg/{in_res.unit}, "
        f"procédé {fr(breakdown['procede'], 1)} t, transport {fr(breakdown['transport'], 1)} t).",
    ]
    if c.diverted_t[i] > 0:
        parts.append(
            f"Déchets détournés de l'élimination : {fr(float(c.diverted_t[i]), 1)} t/an"
            + (f" (codes déchets {', '.join(out_res.waste_codes)})." if out_res.waste_codes else ".")
        )
    operation_text = current_operation_text(ctx, s_flow)
    if operation_text:
        parts.append(operation_text)
    if rule.note:
        parts.append(rule.note)
    if flags:
        parts.append("Points réglementaires : " + " ".join(REGULATORY_FLAGS[f] for f in flags))
    parts.append(f"Confiance : {BASIS_LABELS[BASES[basis]]}.")
    assumptions = _common_assumptions(ctx, basis)
    assumptions.extend(_register_notes(ctx, s_flow, "gisement"))
    assumptions.extend(_register_notes(ctx, t_flow, "besoin"))
    assumptions.append(
        f"Transport et prétraitement à la charge du receveur ; prix de cession fixé pour partager le gain "
        f"({fr(params.source_gain_share * 100)} % au fournisseur)."
    )
    if transport.mode == "pipe" and params.include_infrastructure_cost:
        text = "Canalisation dédiée : annuité d'investissement proportionnelle à la distance"
        if transport.reference_flow is not None and out_res.unit == transport.reference_unit:
            text += (
                f", dimensionnée pour {fr(q)} {out_res.unit}/an (coût par km × "
                f"{fr(factors['echelle_canalisation'], 2)} par rapport à une canalisation de "
                f"{fr(transport.reference_flow)} {transport.reference_unit}/an)"
            )
        assumptions.append(text + ".")
    if gain < params.min_gain_eur:
        assumptions.append(
            f"Gain estimé de {fr(gain)} €/an aux prix et coûts par défaut, sous le seuil de "
            f"{fr(params.min_gain_eur)} €/an : les deux entreprises ont déclaré ce flux, la piste est "
            "proposée pour qu'elles en parlent ; vérifier leurs prix réels."
        )
    for position, what in ((s_pos, "du fournisseur"), (t_pos, "du receveur")):
        if len(ctx.headcount_unknown) and ctx.headcount_unknown[position]:
            assumptions.append(
                f"Effectif {what} inconnu : un site de {fr(params.unknown_headcount)} salariés (tranche "
                "50 à 99) est supposé pour estimer ses flux."
            )
    assumptions.extend(_correspondence_notes(ctx, (s_pos, t_pos)))
    assumptions.extend(_flow_notes(ctx, s_flow, "gisement"))
    assumptions.extend(_flow_notes(ctx, t_flow, "besoin"))
    keys = sorted(
        set(rule.sources.values())
        | set(out_res.sources.values())
        | set(in_res.sources.values())
        | set(transport.sources.values())
        | ({"circuity"} if params.router is None and "circuity" in ctx.kb.sources else set())
    )
    sources = tuple(citation(ctx.kb, key) for key in keys)
    parts.append("Sources : " + " ; ".join(sources) + ".")
    return Opportunity(
        id=f"S:{rule.id}:{ctx.establishments[s_pos].id}>{ctx.establishments[t_pos].id}",
        type="substitution",
        resource=out_res.code,
        resource_label=out_res.label,
        unit=unit,
        quantity=q,
        distance_km=road,
        gain_eur_per_year=gain,
        co2_avoided_t_per_year=co2,
        tonnes_diverted_per_year=float(c.diverted_t[i]),
        confidence=BASES[basis],
        explanation=" ".join(parts),
        source_id=ctx.establishments[s_pos].id,
        target_id=ctx.establishments[t_pos].id,
        input_resource=in_res.code,
        rule_id=rule.id,
        great_circle_km=gc,
        distance_method="router" if params.router is not None else "great_circle_x_detour",
        participants=(supplier, receiver),
        co2_breakdown=breakdown,
        factors=factors,
        regulatory_flags=flags,
        waste_codes=out_res.waste_codes,
        assumptions=tuple(assumptions),
        sources=sources,
        references=tuple(reference(ctx.kb, key) for key in keys),
    )


def mutualisation_opportunity(ctx: Context, group: Group) -> Opportunity:
    params = ctx.params
    kind = group.kind
    res = ctx.resources[group.resource]
    positions = [int(p) for p in ctx.f_comp[group.flows]]
    ids = [ctx.establishments[p].id for p in positions]
    total = float(group.quantities.sum())
    alone = unit_cost(kind, group.reference_cost, group.quantities)
    pooled = unit_cost(kind, group.reference_cost, total)
    participants = tuple(
        ParticipantGain(
            ids[j],
            "membre",
            float(group.member_gains[j]),
            (
                ("Économie d'échelle", float(group.quantities[j] * (alone[j] - pooled))),
                ("Coordination", -kind.coordination_eur_per_member),
            ),
        )
        for j in range(len(ids))
    )
    flags = _flags_for(res, ()) if kind.trigger == "shared_waste" else ()
    unit = res.unit
    names = ", ".join(_name(ctx, p) for p in positions)
    parts = [
        f"Mutualisation « {kind.label} » pour « {res.label} » entre {len(ids)} établissements "
        f"situés à moins de {fr(group.spread_km, 1)} km du premier : {names}.",
        f"Volume cumulé {fr(total, 1)} {_unit(unit)}.",
        f"Coût unitaire {fr(float(alone.min()), 2)} à {fr(float(alone.max()), 2)} €/{unit} chacun seul, "
        f"{fr(pooled, 2)} €/{unit} en commun (modèle d'économies d'échelle "
        f"c(q) = {fr(group.reference_cost, 2)} × (q / {fr(kind.reference_quantity)})"
        f"^−{fr(kind.scale_exponent, 2)}, "
        f"borné entre {fr(kind.floor, 2)} et {fr(kind.ceiling, 2)} fois la référence).",
        f"Gain net estimé {fr(group.gain)} €/an après coordination "
        f"({fr(kind.coordination_eur_per_member)} € par membre).",
    ]
    if group.co2_t:
        parts.append(f"CO2e évité {fr(group.co2_t, 2)} t/an.")
    if group.diverted_t:
        parts.append(
            f"Déchets détournés de l'élimination : {fr(group.diverted_t, 1)} t/an "
            f"({fr(kind.diversion_fraction * 100)} % du flux mis en tri séparé grâce à la mutualisation)."
        )
    if flags:
        parts.append("Points réglementaires : " + " ".join(REGULATORY_FLAGS[f] for f in flags))
    parts.append(f"Confiance : {BASIS_LABELS[BASES[group.basis]]}.")
    keys = sorted(set(kind.sources.values()) | set(res.sources.values()))
    sources = tuple(citation(ctx.kb, key) for key in keys)
    parts.append("Sources : " + " ; ".join(sources) + ".")
    assumptions = _common_assumptions(ctx, group.basis)
    assumptions.append(
        f"Groupes formés dans un rayon de {fr(kind.radius_km, 1)} km, de {kind.min_members} à "
        f"{kind.max_members} membres."
    )
    assumptions.extend(_correspondence_notes(ctx, positions))
    return Opportunity(
        id=f"M:{kind.code}:{res.code}:{'+'.join(sorted(ids))}",
        type="mutualisation",
        resource=res.code,
        resource_label=res.label,
        unit=unit,
        quantity=total,
        distance_km=group.spread_km,
        gain_eur_per_year=group.gain,
        co2_avoided_t_per_year=group.co2_t,
        tonnes_diverted_per_year=group.diverted_t,
        confidence=BASES[group.basis],
        explanation=" ".join(parts),
        members=tuple(ids),
        kind=kind.code,
        great_circle_km=group.spread_km / params.detour_factor,
        distance_method="great_circle_x_detour",
        participants=participants,
        factors={
            "cout_reference_eur_par_unite": group.reference_cost,
            "quantite_reference": kind.reference_quantity,
            "exposant_echelle": kind.scale_exponent,
            "plancher": kind.floor,
            "plafond": kind.ceiling,
            "coordination_eur_par_membre": kind.coordination_eur_per_member,
        },
        regulatory_flags=flags,
        waste_codes=res.waste_codes if kind.trigger == "shared_waste" else (),
        assumptions=tuple(assumptions),
        sources=sources,
        references=tuple(reference(ctx.kb, key) for key in keys),
    )
