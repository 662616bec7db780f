"""The receiver's authorisation to take a waste, from the rubriques of its installation classée (ICPE).

A lead whose receiver takes in a waste has the regulatory point « the receiver must hold the ICPE
authorisation for this waste ». Given the receiver's rubriques (``detect(..., authorisations=...)``), the
point becomes one of three states:

- ``authorised``: a rubrique of the receiver covers this waste (its hazard class, its family of List of
  Waste codes when the rubrique names one, and what the receiver does with it);
- ``to_check``: no ICPE data for the receiver, or a rubrique that may cover it (same class of waste, but
  another operation, a regime below the thresholds, or a family the waste's codes do not show);
- ``not_authorised``: the receiver has ICPE data and no rubrique receives this class of waste.

Knowledge: ``data/icpe_rubriques.yaml`` (annexe à l'article R. 511-9 du code de l'environnement).

>>> kb = rubrique_knowledge()
>>> sorted(kb.categories("2791").hazard), sorted(kb.categories("2791").operations)
(['inert', 'non_hazardous'], ['material', 'physico_chemical'])
>>> sorted(kb.categories("2770").hazard), kb.categories("2770").operations
(['hazardous'], ('thermal',))
>>> kb.categories("2760", "3").hazard
('inert',)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

__all__ = [
    "AUTHORISATION_STATES",
    "AUTHORISED",
    "NOT_AUTHORISED",
    "TO_CHECK",
    "Authorisation",
    "AuthorisedRubrique",
    "RubriqueCategories",
    "RubriqueKnowledge",
    "assess",
    "parse_rubrique",
    "required_operation",
    "rubrique_knowledge",
    "waste_hazard",
]

AUTHORISED, TO_CHECK, NOT_AUTHORISED = "authorised", "to_check", "not_authorised"
AUTHORISATION_STATES = (AUTHORISED, TO_CHECK, NOT_AUTHORISED)
#: The regulatory flag that replaces the generic ``icpe_receveur`` in each state (knowledge.REGULATORY_FLAGS).
STATE_FLAGS = {
    AUTHORISED: "icpe_receveur_autorise",
    TO_CHECK: "icpe_receveur_a_verifier",
    NOT_AUTHORISED: "icpe_receveur_non_autorise",
}
#: Regimes under which a rubrique lets the site receive (A autorisation, E enregistrement, DC/D
#: déclaration). "NC" (non classé: below the thresholds) covers only small quantities: to check.
_REGIMES = {
    "a": "A",
    "autorisation": "A",
    "e": "E",
    "enregistrement": "E",
    "dc": "DC",
    "déclaration avec contrôle": "DC",
    "declaration avec controle": "DC",
    "d": "D",
    "déclaration": "D",
    "declaration": "D",
    "nc": "NC",
    "non classé": "NC",
    "non classe": "NC",
    "autres régimes": "NC",
    "sans objet": "NC",
}
COVERING_REGIMES = ("A", "E", "DC", "D")

DATA_FILE = Path(__file__).parent / "data" / "icpe_rubriques.yaml"
_HAZARD_LABELS = {"hazardous": "dangereux", "non_hazardous": "non dangereux", "inert": "inertes"}
_OPERATION_LABELS = {
    "transit": "transit, regroupement, tri",
    "material": "valorisation matière ou traitement",
    "physico_chemical": "traitement physico-chimique",
    "biological": "traitement biologique",
    "composting": "compostage",
    "methanisation": "méthanisation",
    "thermal": "traitement thermique (incinération, co-incinération)",
    "landfill": "stockage",
    "animal_byproducts": "transformation de sous-produits animaux",
}


def normalise_regime(value: str | None) -> str:
    """``"Autorisation"`` → ``"A"``, ``"Déclaration avec contrôle"`` → ``"DC"``; unknown text → ``""``.

    >>> normalise_regime("Enregistrement"), normalise_regime("DC"), normalise_regime("Inconnu")
    ('E', 'DC', '')
    """
    return _REGIMES.get(" ".join(str(value or "").lower().split()), "")


@dataclass(frozen=True)
class AuthorisedRubrique:
    """One rubrique of a receiver's installation, as the caller knows it (``source`` says where from)."""

    code: str
    alinea: str = ""
    regime: str = ""
    label: str = ""
    source: str = ""


def parse_rubrique(value: str | AuthorisedRubrique) -> AuthorisedRubrique:
    """``"2791-1"`` or ``"2791"`` (or an :class:`AuthorisedRubrique`) as an :class:`AuthorisedRubrique`.

    >>> parse_rubrique("2760-2-a")
    AuthorisedRubrique(code='2760', alinea='2-a', regime='', label='', source='')
    """
    if isinstance(value, AuthorisedRubrique):
        return value
    code, _sep, alinea = str(value).strip().partition("-")
    return AuthorisedRubrique(code.strip(), alinea.strip())


@dataclass(frozen=True)
class RubriqueCategories:
    """What a rubrique (at an alinéa) lets a site receive."""

    code: str
    label: str
    hazard: tuple[str, ...]
    operations: tuple[str, ...]
    families: tuple[str, ...] = ()
    regimes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def describe(self) -> str:
        hazard = ", ".join(_HAZARD_LABELS[h] for h in self.hazard)
        operations = ", ".join(_OPERATION_LABELS[o] for o in self.operations)
        family = " (familles de déchets limitées)" if self.families else ""
        return f"déchets {hazard}{family} : {operations}"


@dataclass(frozen=True)
class RubriqueKnowledge:
    rubriques: Mapping[str, dict]
    inert_codes: frozenset[str]
    route_operations: Mapping[str, str]
    operation_kinds: Mapping[str, str]
    input_operations: Mapping[str, str]
    not_assessed: frozenset[str]
    version: str = ""

    def is_waste_rubrique(self, code: str) -> bool:
        return code in self.rubriques

    def categories(self, code: str, alinea: str = "") -> RubriqueCategories | None:
        """The categories of waste a rubrique receives (an alinéa may narrow its hazard classes)."""
        entry = self.rubriques.get(code)
        if entry is None:
            return None
        alineas = entry.get("alineas") or {}
        key = alinea.strip().lower().replace(" ", "")
        narrow = alineas.get(key) or alineas.get(key.split("-", 1)[0]) or {}
        return RubriqueCategories(
            code=code,
            label=entry["label"],
            hazard=tuple(narrow.get("hazard") or entry["hazard"]),
            operations=tuple(entry["operations"]),
            families=tuple(entry.get("families") or ()),
            regimes=tuple(narrow.get("regimes") or entry.get("regimes") or ()),
            sources=tuple(entry.get("sources") or ()),
        )


@cache
def rubrique_knowledge(path: Path = DATA_FILE) -> RubriqueKnowledge:
    """The rubriques of ``data/icpe_rubriques.yaml`` (loaded once)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rubriques = {str(code): entry for code, entry in data["rubriques"].items()}
    for code, entry in rubriques.items():
        for key in ("hazard", "operations"):
            for value in entry[key]:
                if value not in (_HAZARD_LABELS if key == "hazard" else _OPERATION_LABELS):
                    raise ValueError(f"icpe_rubriques.yaml: rubrique {code}: {key} inconnu {value!r}")
    return RubriqueKnowledge(
        rubriques=rubriques,
        inert_codes=frozenset(data.get("inert_codes") or ()),
        route_operations=dict(data.get("route_operations") or {}),
        operation_kinds=dict(data.get("operation_kinds") or {}),
        input_operations=dict(data.get("input_operations") or {}),
        not_assessed=frozenset(data.get("not_assessed") or ()),
        version=str(data.get("version", "")),
    )


def waste_hazard(resource, knowledge: RubriqueKnowledge) -> str:
    """``hazardous`` when one of its List of Waste codes is (``*``), ``inert`` when all are inert wastes
    (arrêté du 12 décembre 2014, annexe I), else ``non_hazardous``."""
    if resource.hazardous:
        return "hazardous"
    if resource.waste_codes and all(c.code in knowledge.inert_codes for c in resource.waste_codes):
        return "inert"
    return "non_hazardous"


def required_operation(rule, knowledge: RubriqueKnowledge) -> str | None:
    """What the receiver does with the waste under ``rule``; None when no waste rubrique is asked of it."""
    if rule.operation in knowledge.not_assessed:
        return None
    if rule.origin == "recovery":
        route = rule.id.removeprefix("REC-")
        for code, operation in knowledge.route_operations.items():
            if route.startswith(code + "-"):
                return operation
        return knowledge.operation_kinds.get(rule.operation, "material")
    return knowledge.input_operations.get(rule.input, "material")


@dataclass(frozen=True)
class Authorisation:
    """The state of the receiver's authorisation for one lead, with the rubriques it rests on."""

    state: str
    reason: str
    hazard: str
    operation: str
    rubriques: tuple[dict, ...] = ()

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "reason": self.reason,
            "hazard": self.hazard,
            "operation": self.operation,
            "rubriques": [dict(r) for r in self.rubriques],
        }


def _in_family(resource, families: tuple[str, ...]) -> bool:
    return not families or any(c.code.startswith(prefix) for c in resource.waste_codes for prefix in families)


def _row(rubrique: AuthorisedRubrique, categories: RubriqueCategories | None) -> dict:
    return {
        "code": rubrique.code,
        "alinea": rubrique.alinea,
        "regime": rubrique.regime,
        "label": rubrique.label or (categories.label if categories else ""),
        "receives": categories.describe() if categories else "",
        "source": rubrique.source,
    }


def assess(
    resource,
    rule,
    rubriques: Iterable[str | AuthorisedRubrique] | None,
    knowledge: RubriqueKnowledge | None = None,
) -> Authorisation | None:
    """The receiver's authorisation to take ``resource`` under ``rule``, given its rubriques (None: no ICPE
    data for the receiver). None when no waste rubrique is asked of the receiver (not a waste, spreading).

    >>> from tremplin.engine.knowledge import Resource, SubstitutionRule, WasteCode
    >>> solvent = Resource("solv", "x", "Solvants", "t", "camion", (0, 0), (0, 0), 0, 0,
    ...                    waste_codes=(WasteCode("14 06 03", True),))
    >>> burn = SubstitutionRule("REC-R1-uve-solv", "solv", "rec_R1-uve", ("38.21",), 1.0, "", 0, 0,
    ...                         origin="recovery", operation="R1")
    >>> assess(solvent, burn, ["2770"]).state, assess(solvent, burn, ["2771"]).state
    ('authorised', 'not_authorised')
    >>> assess(solvent, burn, None).state
    'to_check'
    """
    if not resource.waste_codes:
        return None
    knowledge = knowledge or rubrique_knowledge()
    operation = required_operation(rule, knowledge)
    if operation is None:
        return None
    hazard = waste_hazard(resource, knowledge)
    wanted = f"déchet {_HAZARD_LABELS[hazard]}, {_OPERATION_LABELS[operation]}"
    if rubriques is None:
        return Authorisation(
            TO_CHECK,
            f"Aucune donnée ICPE pour le receveur : vérifier qu'il est autorisé à recevoir ce {wanted}.",
            hazard,
            operation,
        )
    covering, possible = [], []
    for rubrique in (parse_rubrique(r) for r in rubriques):
        categories = knowledge.categories(rubrique.code, rubrique.alinea)
        if categories is None or hazard not in categories.hazard:
            continue
        regime = normalise_regime(rubrique.regime) or (rubrique.regime or "").upper()
        exact = (
            operation in categories.operations
            and _in_family(resource, categories.families)
            and (not rubrique.regime or regime in COVERING_REGIMES)
        )
        (covering if exact else possible).append(_row(rubrique, categories))
    if covering:
        names = ", ".join(_name(r) for r in covering)
        return Authorisation(
            AUTHORISED,
            f"Le receveur relève de la rubrique {names} de la nomenclature ICPE, qui couvre ce {wanted}.",
            hazard,
            operation,
            tuple(covering),
        )
    if possible:
        names = ", ".join(_name(r) for r in possible)
        return Authorisation(
            TO_CHECK,
            f"Le receveur relève de la rubrique {names}, qui reçoit des déchets "
            f"{_HAZARD_LABELS[hazard]} mais pour une autre opération, une autre famille de déchets ou sous "
            f"les seuils : vérifier qu'elle couvre ce {wanted}.",
            hazard,
            operation,
            tuple(possible),
        )
    exit_status = "sortie_statut_dechet" in (rule.flags or ())
    return Authorisation(
        TO_CHECK if exit_status else NOT_AUTHORISED,
        f"Aucune rubrique ICPE du receveur ne couvre ce {wanted}"
        + (
            " : possible seulement si le déchet sort d'abord du statut de déchet."
            if exit_status
            else " : une autorisation, un enregistrement ou une déclaration serait nécessaire."
        ),
        hazard,
        operation,
    )


def _name(row: dict) -> str:
    code = row["code"] + (f"-{row['alinea']}" if row["alinea"] else "")
    return code + (f" ({row['regime']})" if row["regime"] else "")


def annotate(
    opportunities, resources, rules: Mapping, authorisations: Mapping[str, Iterable]
) -> dict[str, int]:
    """Give each substitution lead whose receiver takes a waste its authorisation state: the generic flag
    ``icpe_receveur`` (and its sentence in the explanation) gives way to the state's, and
    ``receiver_authorisation`` holds the state, its reason and the rubriques it rests on. ``rules`` maps
    rule ids to rules; ``authorisations`` maps establishment ids to their rubriques (an establishment
    absent from it has no ICPE data). Returns the count of leads per state."""
    from .knowledge import REGULATORY_FLAGS

    knowledge = rubrique_knowledge()
    given = {str(k): list(v) for k, v in authorisations.items()}
    counts = dict.fromkeys(AUTHORISATION_STATES, 0)
    generic = REGULATORY_FLAGS["icpe_receveur"]
    for o in opportunities:
        if o.type != "substitution" or o.rule_id not in rules:
            continue
        result = assess(resources[o.resource], rules[o.rule_id], given.get(str(o.target_id)), knowledge)
        if result is None:
            continue
        flag = STATE_FLAGS[result.state]
        o.receiver_authorisation = result.as_dict()
        o.regulatory_flags = (*(f for f in o.regulatory_flags if f != "icpe_receveur"), flag)
        text = f"{REGULATORY_FLAGS[flag]} {result.reason}"
        if generic in o.explanation:
            o.explanation = o.explanation.replace(generic, text)
        else:
            o.explanation = o.explanation.replace(
                "Confiance :", f"Points réglementaires : {text} Confiance :", 1
            )
        counts[result.state] += 1
    return counts
