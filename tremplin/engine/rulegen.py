"""Substitution rules generated from the structures of the catalogue, beside the named ones.

Four generators, applied in this order of precedence after the named rules of
``substitution_rules.yaml``:

* **substitute** — a resource declares the virgin or market inputs it can replace
  (``substitutes:`` in ``resources/*.yaml``): one rule per declared input;
* **recovery** — a resource lists the recovery routes that accept it (``recovery:``, routes of
  ``recovery.yaml``): one rule per route, towards the route's feedstock, whose receivers are the
  route's activities (composting platforms, cement kilns in co-processing, electric-arc steelworks…)
  and whose input price is minus the route's gate fee;
* **cascade** — inside a net group (all steam levels, all hot-water temperatures, water qualities, CO2
  purities), a supply of a higher or equal grade serves a demand of a lower grade;
* **identity** — every material, energy or water resource: a supply of R serves a demand of R, ratio 1,
  any receiver, so that declared flows of the same resource always match.

A generated rule never duplicates an earlier one for the same (output, input) pair: receivers already
covered by a rule of higher precedence are listed in its ``excluded`` field, and a rule left with no
receiver of its own is dropped.  A recovery rule is moreover the fallback of the documented
substitutions: the receivers to which a named or substitute rule already sends the resource (paper
mills for recovered paper, steelworks for scrap) are excluded from it, so that one exchange is not
proposed twice, once as a substitution and once as a recovery operation.  Identifiers say where a rule
comes from: ``SBS-<output>-<input>``, ``REC-<route>-<output>``, ``CAS-<from>-<to>``, ``ID-<resource>``.

>>> from tremplin.engine.knowledge import default_knowledge_base
>>> kb = default_knowledge_base()
>>> rule = kb.rule("ID-steam_mp")
>>> rule.origin, rule.input, rule.ratio, rule.receivers
('identity', 'steam_mp', 1.0, ('*',))
>>> kb.rule("CAS-steam_hp-steam_lp").origin
'cascade'
>>> kb.rule("REC-R3-compostage-bio_green_waste").operation
'R3'
"""

from __future__ import annotations

from dataclasses import replace

from . import naf as naf_module
from .exceptions import KnowledgeBaseError
from .knowledge import Family, NetGroup, RecoveryRoute, Resource, SubstitutionRule

__all__ = ["IDENTITY_SOURCE", "generate_rules"]

#: Reference of the identity rules (a resource replaces itself unit for unit).
IDENTITY_SOURCE = "tremplin_regle_identite"
_IDENTITY_KINDS = ("material", "energy", "water")
_NO_IDENTITY_ROLES = ("feedstock", "shareable")


def _substitute_rules(resources: dict[str, Resource]) -> list[SubstitutionRule]:
    rules = []
    for resource in resources.values():
        for sub in resource.substitutes:
            rules.append(
                SubstitutionRule(
                    id=f"SBS-{resource.code}-{sub.input}",
                    output=resource.code,
                    input=sub.input,
                    receivers=sub.receivers,
                    ratio=sub.ratio,
                    pretreatment=sub.pretreatment,
                    pretreatment_cost=sub.pretreatment_cost,
                    process_co2=sub.process_co2,
                    flags=sub.flags,
                    note=sub.note,
                    max_distance_km=sub.max_distance_km,
                    sources=dict(sub.sources),
                    origin="substitute",
                )
            )
    return rules


def _recovery_rules(
    resources: dict[str, Resource], routes: dict[str, RecoveryRoute]
) -> list[SubstitutionRule]:
    rules = []
    for resource in resources.values():
        for code in resource.recovery:
            route = routes[code]
            rules.append(
                SubstitutionRule(
                    id=f"REC-{route.code}-{resource.code}",
                    output=resource.code,
                    input=route.feedstock,
                    receivers=route.receivers,
                    ratio=1.0,
                    pretreatment=route.pretreatment,
                    pretreatment_cost=route.pretreatment_cost,
                    process_co2=route.process_co2,
                    flags=route.flags,
                    note=f"{route.label}." + (f" {route.note}" if route.note else ""),
                    sources=dict(route.sources),
                    origin="recovery",
                    operation=route.operation,
                )
            )
    return rules


def _cascade_rules(resources: dict[str, Resource], groups: dict[str, NetGroup]) -> list[SubstitutionRule]:
    rules = []
    members: dict[str, list[Resource]] = {}
    for resource in resources.values():
        if resource.net_group in groups:
            members.setdefault(resource.net_group, []).append(resource)
    for code, group in groups.items():
        for high in members.get(code, ()):
            for low in members[code]:
                if high.code == low.code:
                    continue
                if high.grade is not None and low.grade is not None and high.grade < low.grade:
                    continue
                rules.append(
                    SubstitutionRule(
                        id=f"CAS-{high.code}-{low.code}",
                        output=high.code,
                        input=low.code,
                        receivers=("*",),
                        ratio=group.cascade_ratio,
                        pretreatment=group.pretreatment,
                        pretreatment_cost=group.pretreatment_cost,
                        process_co2=0.0,
                        note=f"Cascade dans le groupe « {group.label} » : {high.label} "
                        f"({_grade(high, group)}) pour un besoin de {low.label} ({_grade(low, group)}).",
                        sources=dict(group.sources),
                        origin="cascade",
                    )
                )
    return rules


def _grade(resource: Resource, group: NetGroup) -> str:
    return "niveau non précisé" if resource.grade is None else f"{resource.grade:g} {group.scale}"


def _identity_rules(resources: dict[str, Resource], families: dict[str, Family]) -> list[SubstitutionRule]:
    rules = []
    for resource in resources.values():
        if families[resource.family].kind not in _IDENTITY_KINDS or resource.role in _NO_IDENTITY_ROLES:
            continue
        rules.append(
            SubstitutionRule(
                id=f"ID-{resource.code}",
                output=resource.code,
                input=resource.code,
                receivers=("*",),
                ratio=1.0,
                pretreatment="Aucun (même ressource)",
                pretreatment_cost=0.0,
                process_co2=0.0,
                note="Un gisement de la ressource répond à un besoin de la même ressource, unité pour unité.",
                sources={"ratio": IDENTITY_SOURCE},
                origin="identity",
            )
        )
    return rules


def _covered(receivers: tuple[str, ...], covered: set[str]) -> bool:
    """Whether every receiver code is already covered (itself or an ancestor) by ``covered``."""
    if "*" in covered:
        return True
    if "*" in receivers:
        return False
    return all(any(code in covered for code in naf_module.naf_ancestors(r)) for r in receivers)


def generate_rules(
    named: list[SubstitutionRule],
    resources: dict[str, Resource],
    families: dict[str, Family],
    groups: dict[str, NetGroup],
    routes: dict[str, RecoveryRoute],
) -> list[SubstitutionRule]:
    """Named rules first, then the generated ones, without two rules for the same receivers of a pair."""
    covered: dict[tuple[str, str], set[str]] = {}
    # Receivers to which a named or substitute rule already sends a resource, whatever it replaces there:
    # a recovery route is the fallback for the receivers that no documented substitution reaches.
    substituted: dict[str, set[str]] = {}
    for rule in named:
        covered.setdefault((rule.output, rule.input), set()).update(rule.receivers)
        substituted.setdefault(rule.output, set()).update(rule.receivers)
    result = list(named)
    ids = {rule.id for rule in named}
    generated = (
        _substitute_rules(resources)
        + _recovery_rules(resources, routes)
        + _cascade_rules(resources, groups)
        + _identity_rules(resources, families)
    )
    for rule in generated:
        key = (rule.output, rule.input)
        already = covered.setdefault(key, set())
        if rule.origin == "recovery":
            already.update(substituted.get(rule.output, ()))
        if _covered(rule.receivers, already):
            continue
        if rule.id in ids:
            raise KnowledgeBaseError(f"règle générée en double : {rule.id!r}", where=rule.id)
        if len(rule.id) > 64:
            raise KnowledgeBaseError(f"identifiant de règle générée trop long : {rule.id!r}", where=rule.id)
        ids.add(rule.id)
        if already:
            rule = replace(rule, excluded=tuple(sorted(already)))
        already.update(rule.receivers)
        if rule.origin == "substitute":
            substituted.setdefault(rule.output, set()).update(rule.receivers)
        result.append(rule)
    return result
