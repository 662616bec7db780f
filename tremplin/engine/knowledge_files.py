"""Reading and validating the reference files of the knowledge base (YAML and CSV under ``data/``).

Layout of ``data/`` (each file is described in ``data/SOURCES.md``)::

    references.yaml            registry of references (every source key of every other file)
    catalogue.yaml             version, families, net groups, transport classes
    list_of_waste.txt          the European List of Waste (codes, * = hazardous)
    recovery.yaml              recovery operations R1-R13 and the routes that carry them out
    resources/*.yaml           the resource catalogue, one file per List of Waste chapter and utilities
    substitution_rules.yaml    named substitution rules (generated ones come from rulegen)
    profiles/*.csv             sector profiles (flows per employee and per site, per NAF code)
    mutualisation.yaml         kinds of pooling between neighbours

Every problem raises :class:`~tremplin.engine.exceptions.KnowledgeBaseError` naming the file and the
entry; nothing is skipped silently. :func:`tremplin.engine.knowledge.load_knowledge_base` is the entry point.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any

import yaml

from . import naf as naf_module
from .exceptions import KnowledgeBaseError, UnitError
from .knowledge import (
    REFERENCE_KINDS,
    REGULATORY_FLAGS,
    RESOURCE_ROLES,
    Family,
    KnowledgeBase,
    MutualisationKind,
    NetGroup,
    ProfileRow,
    RecoveryOperation,
    RecoveryRoute,
    Reference,
    Resource,
    Substitute,
    SubstitutionRule,
    TransportClass,
    WasteCode,
)
from .units import canonical_unit, unit_kind

_WASTE_CODE = re.compile(r"^(\d{2}) ?(\d{2}) ?(\d{2})(\*?)$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_ESTIMATE_PREFIX = "Estimation Tremplin d'après "
#: Database columns of the platform hold codes, rule ids and labels up to these lengths.
MAX_CODE_LENGTH = 64
MAX_LABEL_LENGTH = 200


class _Checker:
    """Small helper that reads typed fields and raises errors located in the file."""

    def __init__(self, path: Path, sources: dict[str, Any] | None = None) -> None:
        self.path = str(path)
        self.sources = sources or {}

    def fail(self, where: str, message: str) -> None:
        raise KnowledgeBaseError(message, path=self.path, where=where)

    def get(self, entry: dict, key: str, where: str, *, required: bool = True, default: Any = None) -> Any:
        if not isinstance(entry, dict):
            self.fail(where, "une table (mapping) est attendue")
        if key not in entry or entry[key] is None:
            if required:
                self.fail(f"{where}.{key}", "champ obligatoire manquant")
            return default
        return entry[key]

    def text(self, entry: dict, key: str, where: str, *, required: bool = True, default: str = "") -> str:
        value = self.get(entry, key, where, required=required, default=default)
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(f"{where}.{key}", f"texte attendu, trouvé {value!r}")
        return value

    def code(self, entry: dict, key: str, where: str) -> str:
        value = self.text(entry, key, where)
        if not _CODE.match(value) or len(value) > MAX_CODE_LENGTH:
            self.fail(
                f"{where}.{key}",
                f"code attendu (minuscules, chiffres, _ ; {MAX_CODE_LENGTH} caractères au plus),"
                f" trouvé {value!r}",
            )
        return value

    def number(
        self,
        entry: dict,
        key: str,
        where: str,
        *,
        required: bool = True,
        default: float | None = None,
        minimum: float | None = None,
        positive: bool = False,
    ) -> float | None:
        value = self.get(entry, key, where, required=required, default=default)
        if value is None:
            return None
        return self.check_number(value, f"{where}.{key}", minimum=minimum, positive=positive)

    def check_number(self, value: Any, where: str, *, minimum=None, positive=False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(where, f"nombre attendu, trouvé {value!r}")
        if minimum is not None and value < minimum:
            self.fail(where, f"doit être ≥ {minimum}, trouvé {value}")
        if positive and value <= 0:
            self.fail(where, f"doit être > 0, trouvé {value}")
        return float(value)

    def range(self, entry: dict, key: str, where: str, *, default=None) -> tuple[float, float]:
        value = self.get(entry, key, where, required=default is None, default=default)
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            self.fail(f"{where}.{key}", f"intervalle [bas, haut] attendu, trouvé {value!r}")
        low = self.check_number(value[0], f"{where}.{key}[0]")
        high = self.check_number(value[1], f"{where}.{key}[1]")
        if low > high:
            self.fail(f"{where}.{key}", f"borne basse {low} supérieure à la borne haute {high}")
        return low, high

    def string_list(self, entry: dict, key: str, where: str) -> tuple[str, ...]:
        value = self.get(entry, key, where, required=False, default=[]) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}.{key}", f"liste de textes attendue, trouvé {value!r}")
        return tuple(value)

    def source_map(self, entry: dict, where: str, *, required: bool = True) -> dict[str, str]:
        value = self.get(entry, "sources", where, required=required, default={})
        if not isinstance(value, dict):
            self.fail(f"{where}.sources", "table {figure: clé de source} attendue")
        for figure, key in value.items():
            self.source_key(key, f"{where}.sources.{figure}")
        return {str(k): str(v) for k, v in value.items()}

    def source_key(self, key: Any, where: str) -> str:
        if not isinstance(key, str) or key not in self.sources:
            self.fail(where, f"clé de source inconnue {key!r} (voir references.yaml)")
        return key

    def flags(self, entry: dict, where: str) -> tuple[str, ...]:
        flags = self.string_list(entry, "flags", where)
        for j, flag in enumerate(flags):
            if flag not in REGULATORY_FLAGS:
                self.fail(f"{where}.flags[{j}]", f"point réglementaire inconnu {flag!r}")
        return flags

    def receivers(self, entry: dict, where: str, *, key: str = "receivers", required: bool = True):
        receivers = self.get(entry, key, where, required=required, default=["*"])
        if not isinstance(receivers, list) or not receivers:
            self.fail(f"{where}.{key}", 'liste de codes NAF (ou "*") attendue')
        return tuple(self.naf_code(code, f"{where}.{key}[{j}]") for j, code in enumerate(receivers))

    def naf_code(self, code: Any, where: str, *, star: bool = True) -> str:
        if star and code == "*":
            return "*"
        try:
            return naf_module.normalise_naf(str(code))
        except naf_module.UnknownNafCode:
            self.fail(where, f"code NAF inconnu {code!r}")


#: The C parser of PyYAML (libyaml) is about ten times faster than the pure-Python one; same results.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise KnowledgeBaseError("fichier introuvable", path=str(path)) from None
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"YAML invalide : {error}", path=str(path)) from None


def _unique(check: _Checker, seen, code: str, where: str) -> None:
    if code in seen:
        check.fail(where, f"code en double : {code!r}")


# --- references -------------------------------------------------------------------------------------------


def _load_references(path: Path) -> dict[str, Reference]:
    data = _read_yaml(path)
    check = _Checker(path)
    if not isinstance(data, dict) or not data:
        check.fail("", "table de références attendue")
    references: dict[str, Reference] = {}
    for key, entry in data.items():
        where = str(key)
        if not _CODE.match(str(key)):
            check.fail(where, "clé attendue en minuscules, chiffres et _")
        kind = check.text(entry, "kind", where)
        if kind not in REFERENCE_KINDS:
            check.fail(f"{where}.kind", f"type inconnu {kind!r} (attendu : {', '.join(REFERENCE_KINDS)})")
        year = check.get(entry, "year", where, required=False)
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not 1800 < year < 2100
        ):
            check.fail(f"{where}.year", f"année attendue, trouvé {year!r}")
        url = check.text(entry, "url", where, required=False)
        if url and not url.startswith(("http://", "https://")):
            check.fail(f"{where}.url", f"adresse http(s) attendue, trouvé {url!r}")
        rests_on = check.text(entry, "rests_on", where, required=kind == "estimate")
        method = check.text(entry, "method", where, required=kind == "estimate")
        if kind == "estimate":
            title = check.text(entry, "title", where, required=False) or (
                f"{_ESTIMATE_PREFIX}{rests_on} (méthode : {method})"
            )
            if not title.startswith(_ESTIMATE_PREFIX):
                check.fail(f"{where}.title", f"le titre d'une estimation commence par « {_ESTIMATE_PREFIX}»")
            publisher = check.text(entry, "publisher", where, required=False) or "Tremplin"
        else:
            title = check.text(entry, "title", where)
            publisher = check.text(entry, "publisher", where)
        references[str(key)] = Reference(
            key=str(key),
            kind=kind,
            title=title,
            publisher=publisher,
            year=year,
            url=url,
            note=check.text(entry, "note", where, required=False),
            rests_on=rests_on,
            method=method,
            based_on=tuple(str(k) for k in check.get(entry, "based_on", where, required=False) or ()),
        )
    for key, reference in references.items():
        for j, base in enumerate(reference.based_on):
            if base not in references:
                check.fail(f"{key}.based_on[{j}]", f"référence inconnue {base!r}")
            if references[base].is_estimate:
                check.fail(
                    f"{key}.based_on[{j}]",
                    f"une estimation repose sur des références publiées, pas sur {base!r}",
                )
    return references


# --- catalogue: families, net groups, transport -----------------------------------------------------------


def _load_catalogue(path: Path, sources) -> tuple[str, dict, dict, dict]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    if not isinstance(data, dict):
        check.fail("", "document YAML de type table attendu")
    version = str(check.get(data, "version", "document"))
    families: dict[str, Family] = {}
    for i, entry in enumerate(check.get(data, "families", "document")):
        where = f"families[{i}]"
        code = check.code(entry, "code", where)
        _unique(check, families, code, f"{where}.code")
        kind = check.text(entry, "kind", where)
        if kind not in ("material", "energy", "water", "shareable"):
            check.fail(f"{where}.kind", f"type de famille inconnu {kind!r}")
        families[code] = Family(code, check.text(entry, "label", where), kind)
    groups: dict[str, NetGroup] = {}
    for i, entry in enumerate(check.get(data, "net_groups", "document", required=False, default=[])):
        where = f"net_groups[{i}]"
        code = check.code(entry, "code", where)
        _unique(check, groups, code, f"{where}.code")
        groups[code] = NetGroup(
            code=code,
            label=check.text(entry, "label", where),
            scale=check.text(entry, "scale", where),
            cascade_ratio=check.number(entry, "cascade_ratio", where, positive=True),
            pretreatment=check.text(entry, "pretreatment", where),
            pretreatment_cost=check.number(entry, "pretreatment_cost", where, minimum=0),
            sources=check.source_map(entry, where),
        )
    classes: dict[str, TransportClass] = {}
    for i, entry in enumerate(check.get(data, "transport_classes", "document")):
        where = f"transport_classes[{i}]"
        code = check.code(entry, "code", where)
        where = f"transport_classes[{i}] ({code})"
        _unique(check, classes, code, f"{where}.code")
        mode = check.text(entry, "mode", where)
        if mode not in ("truck", "pipe", "grid", "local"):
            check.fail(f"{where}.mode", f"mode inconnu {mode!r}")
        capex = check.number(entry, "capex_eur_per_km", where, required=False, default=0.0, minimum=0)
        lifetime = check.number(entry, "lifetime_years", where, required=False, default=0.0, minimum=0)
        rate = check.number(entry, "discount_rate", where, required=False, default=0.0, minimum=0)
        om = check.number(entry, "om_share", where, required=False, default=0.0, minimum=0)
        fixed = check.number(entry, "fixed_eur_per_km_year", where, required=False, minimum=0)
        if capex:
            if lifetime <= 0:
                check.fail(f"{where}.lifetime_years", "durée de vie requise avec un investissement par km")
            computed = capex * (TransportClass.annuity_factor(rate, lifetime) + om)
            if fixed is not None and abs(fixed - computed) > 1.0:
                check.fail(
                    f"{where}.fixed_eur_per_km_year",
                    f"incohérent avec l'investissement : {computed:.0f} €/km/an attendu, trouvé {fixed:.0f}",
                )
            fixed = round(computed, 2)
        elif fixed is None:
            fixed = 0.0
        if mode == "pipe" and fixed <= 0:
            check.fail(f"{where}.capex_eur_per_km", "une canalisation a un coût par km et par an")
        reference_flow = check.number(entry, "reference_flow", where, required=False, positive=True)
        reference_unit = check.text(entry, "reference_unit", where, required=False)
        if (reference_flow is None) != (not reference_unit):
            check.fail(f"{where}.reference_flow", "débit de référence et son unité vont ensemble")
        sources_map = check.source_map(entry, where)
        needed = ["distance"] + (["cost"] if mode in ("truck", "pipe") else [])
        if reference_flow is not None:
            needed.append("reference_flow")
        for figure in needed:
            if figure not in sources_map:
                check.fail(f"{where}.sources", f"source manquante pour {figure}")
        classes[code] = TransportClass(
            code=code,
            label=check.text(entry, "label", where),
            mode=mode,
            max_distance_km=check.number(entry, "max_distance_km", where, positive=True),
            eur_per_t_km=check.number(entry, "eur_per_t_km", where, required=False, default=0.0, minimum=0),
            eur_per_t=check.number(entry, "eur_per_t", where, required=False, default=0.0, minimum=0),
            co2_kg_per_t_km=check.number(
                entry, "co2_kg_per_t_km", where, required=False, default=0.0, minimum=0
            ),
            fixed_eur_per_km_year=fixed,
            capex_eur_per_km=capex,
            lifetime_years=lifetime,
            discount_rate=rate,
            om_share=om,
            reference_flow=reference_flow,
            reference_unit=reference_unit,
            note=check.text(entry, "note", where, required=False),
            sources=sources_map,
        )
    return version, families, groups, classes


# --- List of Waste ----------------------------------------------------------------------------------------


def _load_list_of_waste(path: Path) -> dict[str, bool]:
    check = _Checker(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise KnowledgeBaseError("fichier introuvable", path=str(path)) from None
    codes: dict[str, bool] = {}
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        for raw in line.split():
            match = _WASTE_CODE.match(raw)
            if not match:
                check.fail(f"ligne {number}", f"code de la liste européenne des déchets invalide {raw!r}")
            code = " ".join(match.groups()[:3])
            if code in codes:
                check.fail(f"ligne {number}", f"code en double {code!r}")
            codes[code] = bool(match.group(4))
    if not codes:
        check.fail("", "liste vide")
    return codes


# --- recovery operations and routes -----------------------------------------------------------------------


def _load_recovery(path: Path, sources, classes, families) -> tuple[dict, dict, dict[str, Resource]]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    if not isinstance(data, dict):
        check.fail("", "document YAML de type table attendu")
    operations: dict[str, RecoveryOperation] = {}
    for i, entry in enumerate(check.get(data, "operations", "document")):
        where = f"operations[{i}]"
        code = check.text(entry, "code", where)
        if not re.match(r"^R(1[0-3]|[1-9])$", code):
            check.fail(f"{where}.code", f"opération R1 à R13 attendue, trouvé {code!r}")
        _unique(check, operations, code, f"{where}.code")
        operations[code] = RecoveryOperation(code, check.text(entry, "label", where))
    family = check.text(data, "feedstock_family", "document")
    if family not in families:
        check.fail("feedstock_family", f"famille inconnue {family!r}")
    routes: dict[str, RecoveryRoute] = {}
    feedstocks: dict[str, Resource] = {}
    for i, entry in enumerate(check.get(data, "routes", "document")):
        where = f"routes[{i}]"
        code = check.text(entry, "code", where)
        where = f"routes[{i}] ({code})"
        operation = code.split("-", 1)[0]
        if operation not in operations or not re.match(r"^R\d{1,2}-[a-z0-9_]+$", code):
            check.fail(f"{where}.code", "code « Rn-nom » attendu, Rn étant une opération déclarée")
        _unique(check, routes, code, f"{where}.code")
        transport = check.text(entry, "transport", where)
        if transport not in classes:
            check.fail(f"{where}.transport", f"classe de transport inconnue {transport!r}")
        gate_fee = check.range(entry, "gate_fee", where)
        sources_map = check.source_map(entry, where)
        for figure in ("gate_fee", "avoided_co2"):
            if figure not in sources_map:
                check.fail(f"{where}.sources", f"source manquante pour {figure}")
        feedstock = "rec_" + code.lower().replace("-", "_")
        label = check.text(entry, "label", where)
        avoided = check.number(entry, "avoided_co2", where, minimum=0)
        routes[code] = RecoveryRoute(
            code=code,
            operation=operation,
            label=label,
            feedstock=feedstock,
            receivers=check.receivers(entry, where),
            gate_fee=gate_fee,
            pretreatment=check.text(entry, "pretreatment", where),
            pretreatment_cost=check.number(entry, "pretreatment_cost", where, minimum=0),
            process_co2=check.number(entry, "process_co2", where, minimum=0),
            avoided_co2=avoided,
            transport=transport,
            flags=check.flags(entry, where),
            note=check.text(entry, "note", where, required=False),
            sources=sources_map,
        )
        feedstocks[feedstock] = Resource(
            code=feedstock,
            family=family,
            label=check.text(entry, "feedstock_label", where),
            unit="t",
            transport=transport,
            price=(-gate_fee[1], -gate_fee[0]),
            treatment_cost=(0.0, 0.0),
            virgin_co2=avoided,
            disposal_co2=0.0,
            sources={"price": sources_map["gate_fee"], "co2": sources_map["avoided_co2"]},
            role="feedstock",
            description=f"Capacité d'accueil d'une installation de {label[0].lower() + label[1:]} ; le prix "
            "négatif est le prix d'entrée payé par le détenteur du déchet.",
        )
    return operations, routes, feedstocks


# --- resources --------------------------------------------------------------------------------------------

_RESOURCE_KEYS = {
    "code", "family", "label", "unit", "transport", "price", "treatment_cost", "virgin_co2", "disposal_co2",
    "density", "mwh_per_t", "waste_codes", "sources", "net_group", "grade", "recovery", "substitutes", "role",
    "description", "traded_by",
}  # fmt: skip
_SUBSTITUTE_KEYS = {
    "input", "ratio", "receivers", "pretreatment", "cost", "co2", "flags", "note", "max_distance_km",
    "sources",
}  # fmt: skip


def _merge_defaults(defaults: dict, entry: dict) -> dict:
    merged = {**defaults, **entry}
    if isinstance(defaults.get("sources"), dict) and isinstance(entry.get("sources"), dict):
        merged["sources"] = {**defaults["sources"], **entry["sources"]}
    return merged


def _load_resource_file(path: Path, sources, families, classes, groups, lists) -> list[dict]:
    """Raw, merged entries of one resources/*.yaml file (validated in :func:`_build_resources`)."""
    data = _read_yaml(path)
    check = _Checker(path, sources)
    if not isinstance(data, dict):
        check.fail("", "document YAML de type table attendu")
    defaults = check.get(data, "defaults", "document", required=False, default={})
    if not isinstance(defaults, dict):
        check.fail("defaults", "table attendue")
    entries = check.get(data, "resources", "document")
    if not isinstance(entries, list):
        check.fail("resources", "liste attendue")
    return [
        (path, i, _merge_defaults(defaults, entry) if isinstance(entry, dict) else entry)
        for i, entry in enumerate(entries)
    ]


def _build_resource(path, i, entry, sources, families, classes, groups, list_of_waste, routes) -> Resource:
    check = _Checker(path, sources)
    where = f"resources[{i}]"
    code = check.code(entry, "code", where)
    where = f"resources[{i}] ({code})"
    unknown = set(entry) - _RESOURCE_KEYS
    if unknown:
        check.fail(where, f"champ inconnu {sorted(unknown)[0]!r}")
    family = check.text(entry, "family", where)
    if family not in families:
        check.fail(f"{where}.family", f"famille inconnue {family!r}")
    try:
        unit = canonical_unit(check.text(entry, "unit", where))
    except UnitError as error:
        check.fail(f"{where}.unit", str(error))
    transport = check.text(entry, "transport", where)
    if transport not in classes:
        check.fail(f"{where}.transport", f"classe de transport inconnue {transport!r}")
    density = check.number(entry, "density", where, required=False, positive=True)
    mwh_per_t = check.number(entry, "mwh_per_t", where, required=False, positive=True)
    if classes[transport].mode == "truck":
        kind = unit_kind(unit)
        if kind == "energy" and mwh_per_t is None:
            check.fail(f"{where}.mwh_per_t", "contenu énergétique (MWh/t) requis pour un transport routier")
        elif kind not in ("mass", "energy") and density is None:
            check.fail(
                f"{where}.density", "densité requise pour un transport routier d'une ressource en volume"
            )
    label = check.text(entry, "label", where)
    if len(label) > MAX_LABEL_LENGTH:
        check.fail(f"{where}.label", f"libellé de plus de {MAX_LABEL_LENGTH} caractères")
    codes = []
    for j, raw in enumerate(check.get(entry, "waste_codes", where, required=False, default=[]) or []):
        match = _WASTE_CODE.match(str(raw).strip())
        if not match:
            check.fail(
                f"{where}.waste_codes[{j}]", f"code de la liste européenne des déchets invalide {raw!r}"
            )
        waste = WasteCode(" ".join(match.groups()[:3]), bool(match.group(4)))
        if list_of_waste:
            if waste.code not in list_of_waste:
                check.fail(
                    f"{where}.waste_codes[{j}]", f"code absent de la liste européenne des déchets {raw!r}"
                )
            if list_of_waste[waste.code] != waste.hazardous:
                state = "dangereux (*)" if list_of_waste[waste.code] else "non dangereux (sans *)"
                check.fail(f"{where}.waste_codes[{j}]", f"le code {waste.code} est {state} dans la liste")
        codes.append(waste)
    sources_map = check.source_map(entry, where)
    for figure in ("price", "treatment_cost"):
        low_high = entry.get(figure)
        if low_high and any(low_high) and figure not in sources_map:
            check.fail(f"{where}.sources", f"source manquante pour {figure}")
    if (entry.get("virgin_co2") or entry.get("disposal_co2")) and "co2" not in sources_map:
        check.fail(f"{where}.sources", "source manquante pour les facteurs d'émission (co2)")
    net_group = check.text(entry, "net_group", where, required=False)
    grade = check.number(entry, "grade", where, required=False)
    if net_group and net_group != code and net_group not in groups:
        check.fail(
            f"{where}.net_group", f"groupe de compensation inconnu {net_group!r} (voir catalogue.yaml)"
        )
    if grade is not None and (not net_group or net_group not in groups):
        check.fail(f"{where}.grade", "un niveau (grade) n'a de sens que dans un groupe déclaré")
    recovery = check.string_list(entry, "recovery", where)
    for j, route in enumerate(recovery):
        if route not in routes:
            check.fail(
                f"{where}.recovery[{j}]", f"voie de valorisation inconnue {route!r} (voir recovery.yaml)"
            )
    role = check.text(entry, "role", where, required=False)
    if role and role not in RESOURCE_ROLES:
        check.fail(f"{where}.role", f"rôle inconnu {role!r} (attendu : {', '.join(RESOURCE_ROLES)})")
    if role == "waste" and not codes:
        check.fail(f"{where}.role", "un déchet a au moins un code de la liste européenne")
    substitutes = []
    raw_subs = check.get(entry, "substitutes", where, required=False, default=[]) or []
    if not isinstance(raw_subs, list):
        check.fail(f"{where}.substitutes", "liste attendue")
    for j, sub in enumerate(raw_subs):
        swhere = f"{where}.substitutes[{j}]"
        unknown = set(sub) - _SUBSTITUTE_KEYS if isinstance(sub, dict) else set()
        if unknown:
            check.fail(swhere, f"champ inconnu {sorted(unknown)[0]!r}")
        smap = check.source_map(sub, swhere)
        if "ratio" not in smap:
            check.fail(f"{swhere}.sources", "source manquante pour ratio")
        substitutes.append(
            Substitute(
                input=check.code(sub, "input", swhere),
                ratio=check.number(sub, "ratio", swhere, positive=True),
                receivers=check.receivers(sub, swhere, required=False),
                pretreatment=check.text(sub, "pretreatment", swhere, required=False) or "Aucun",
                pretreatment_cost=check.number(sub, "cost", swhere, required=False, default=0.0, minimum=0),
                process_co2=check.number(sub, "co2", swhere, required=False, default=0.0, minimum=0),
                flags=check.flags(sub, swhere),
                note=check.text(sub, "note", swhere, required=False),
                max_distance_km=check.number(sub, "max_distance_km", swhere, required=False, positive=True),
                sources=smap,
            )
        )
    return Resource(
        code=code,
        family=family,
        label=label,
        unit=unit,
        transport=transport,
        price=check.range(entry, "price", where, default=(0, 0)),
        treatment_cost=check.range(entry, "treatment_cost", where, default=(0, 0)),
        virgin_co2=check.number(entry, "virgin_co2", where, required=False, default=0.0, minimum=0),
        disposal_co2=check.number(entry, "disposal_co2", where, required=False, default=0.0, minimum=0),
        density=density,
        mwh_per_t=mwh_per_t,
        waste_codes=tuple(codes),
        sources=sources_map,
        net_group=net_group,
        grade=grade,
        recovery=recovery,
        substitutes=tuple(substitutes),
        role=role,
        description=check.text(entry, "description", where, required=False),
        traded_by=_traded_by(check, entry, where),
    )


def _traded_by(check: _Checker, entry: dict, where: str) -> tuple[str, ...]:
    """NAF codes (any level, no "*") of the activities that buy and sell the resource as their trade."""
    codes = check.string_list(entry, "traded_by", where)
    result = []
    for j, code in enumerate(codes):
        normalised = check.naf_code(code, f"{where}.traded_by[{j}]", star=False)
        if normalised in result:
            check.fail(f"{where}.traded_by[{j}]", f"code NAF en double {code!r}")
        result.append(normalised)
    return tuple(result)


def _load_resources(base: Path, sources, families, classes, groups, list_of_waste, routes, feedstocks):
    folder = base / "resources"
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise KnowledgeBaseError("aucun fichier de ressources", path=str(folder))
    resources: dict[str, Resource] = {}
    origin: dict[str, str] = {}
    for path in files:
        for file_path, i, entry in _load_resource_file(
            path, sources, families, classes, groups, list_of_waste
        ):
            resource = _build_resource(
                file_path, i, entry, sources, families, classes, groups, list_of_waste, routes
            )
            if resource.code in resources or resource.code in feedstocks:
                first = origin.get(resource.code, "recovery.yaml")
                raise KnowledgeBaseError(
                    f"code en double : {resource.code!r} (déjà défini dans {first})",
                    path=str(file_path),
                    where=f"resources[{i}] ({resource.code})",
                )
            resources[resource.code] = resource
            origin[resource.code] = file_path.name
    resources.update(feedstocks)
    # Cross-checks that need the whole catalogue.
    for code, resource in resources.items():
        for j, sub in enumerate(resource.substitutes):
            if sub.input not in resources:
                raise KnowledgeBaseError(
                    f"ressource inconnue {sub.input!r}",
                    path=str(folder / origin.get(code, "")),
                    where=f"{code}.substitutes[{j}].input",
                )
    by_group: dict[str, set[str]] = {}
    for resource in resources.values():
        if resource.net_group in groups:
            by_group.setdefault(resource.net_group, set()).add(resource.unit)
    for group, units in by_group.items():
        if len(units) > 1:
            raise KnowledgeBaseError(
                f"les ressources du groupe {group!r} n'ont pas toutes la même unité ({sorted(units)})",
                path=str(folder),
            )
    return resources


# --- named substitution rules -----------------------------------------------------------------------------


def _load_rules(path: Path, sources, resources) -> list[SubstitutionRule]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    rules: list[SubstitutionRule] = []
    seen: set[str] = set()
    for i, entry in enumerate(check.get(data, "rules", "document")):
        rule_id = check.text(entry, "id", f"rules[{i}]")
        where = f"rules[{i}] ({rule_id})"
        _unique(check, seen, rule_id, f"{where}.id")
        seen.add(rule_id)
        if len(rule_id) > MAX_CODE_LENGTH:
            check.fail(f"{where}.id", f"identifiant de plus de {MAX_CODE_LENGTH} caractères")
        output = check.text(entry, "output", where)
        input_ = check.text(entry, "input", where)
        for key, code in (("output", output), ("input", input_)):
            if code not in resources:
                check.fail(f"{where}.{key}", f"ressource inconnue {code!r}")
        operation = check.text(entry, "operation", where, required=False)
        if operation and not re.match(r"^R(1[0-3]|[1-9])$", operation):
            check.fail(f"{where}.operation", f"opération R1 à R13 attendue, trouvé {operation!r}")
        rules.append(
            SubstitutionRule(
                id=rule_id,
                output=output,
                input=input_,
                receivers=check.receivers(entry, where),
                ratio=check.number(entry, "ratio", where, positive=True),
                pretreatment=check.text(entry, "pretreatment", where),
                pretreatment_cost=check.number(entry, "pretreatment_cost", where, minimum=0),
                process_co2=check.number(entry, "process_co2", where, minimum=0),
                flags=check.flags(entry, where),
                note=check.text(entry, "note", where, required=False),
                max_distance_km=check.number(entry, "max_distance_km", where, required=False, positive=True),
                sources=check.source_map(entry, where),
                origin="named",
                operation=operation,
            )
        )
    return rules


# --- sector profiles --------------------------------------------------------------------------------------

_PROFILE_HEADER = [
    "naf",
    "direction",
    "resource",
    "per_employee",
    "per_establishment",
    "min_headcount",
    "max_per_site",
    "source",
    "note",
]


def _load_profile_file(path: Path, sources, resources, profiles, seen) -> None:
    check = _Checker(path, sources)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise KnowledgeBaseError("fichier introuvable", path=str(path)) from None
    with handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != _PROFILE_HEADER:
            check.fail("ligne 1", f"en-tête attendu {','.join(_PROFILE_HEADER)}, trouvé {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            where = f"ligne {line}"
            code = (row["naf"] or "").strip()
            if code != "*":
                code = check.naf_code(code, f"{where}, naf", star=False)
            direction = row["direction"]
            if direction not in ("in", "out"):
                check.fail(f"{where}, direction", f"« in » ou « out » attendu, trouvé {direction!r}")
            if row["resource"] not in resources:
                check.fail(f"{where}, resource", f"ressource inconnue {row['resource']!r}")
            values = {}
            for key in ("per_employee", "per_establishment", "min_headcount", "max_per_site"):
                raw = (row[key] or "").strip()
                if key == "max_per_site" and raw == "":
                    values[key] = math.inf
                    continue
                try:
                    values[key] = float(raw)
                except (TypeError, ValueError):
                    check.fail(f"{where}, {key}", f"nombre attendu, trouvé {row[key]!r}")
                if not math.isfinite(values[key]) or values[key] < 0:
                    check.fail(f"{where}, {key}", f"nombre positif ou nul attendu, trouvé {row[key]!r}")
            active = values["per_employee"] > 0 or values["per_establishment"] > 0
            if active and not math.isfinite(values["max_per_site"]):
                check.fail(f"{where}, max_per_site", "maximum plausible par site obligatoire")
            if active and values["max_per_site"] <= 0:
                check.fail(f"{where}, max_per_site", "maximum plausible par site > 0 attendu")
            keys = tuple(k.strip() for k in (row["source"] or "").split(";") if k.strip())
            if not keys:
                check.fail(f"{where}, source", "source manquante")
            for key in keys:
                check.source_key(key, f"{where}, source")
            unit_key = (code, direction, row["resource"])
            if unit_key in seen:
                check.fail(where, f"profil en double pour {unit_key} (déjà dans {seen[unit_key]})")
            seen[unit_key] = path.name
            profiles.setdefault(code, []).append(
                ProfileRow(
                    code,
                    direction,
                    row["resource"],
                    values["per_employee"],
                    values["per_establishment"],
                    values["min_headcount"],
                    keys[0],
                    row["note"] or "",
                    max_per_site=values["max_per_site"],
                    sources=keys,
                )
            )


def _load_profiles(base: Path, sources, resources) -> dict[str, list[ProfileRow]]:
    folder = base / "profiles"
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise KnowledgeBaseError("aucun fichier de profils sectoriels", path=str(folder))
    profiles: dict[str, list[ProfileRow]] = {}
    seen: dict[tuple[str, str, str], str] = {}
    for path in files:
        _load_profile_file(path, sources, resources, profiles, seen)
    return profiles


# --- mutualisation ----------------------------------------------------------------------------------------


def _load_mutualisation(path: Path, sources, resources) -> list[MutualisationKind]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    kinds: list[MutualisationKind] = []
    seen: set[str] = set()
    for i, entry in enumerate(check.get(data, "kinds", "document")):
        code = check.text(entry, "code", f"kinds[{i}]")
        where = f"kinds[{i}] ({code})"
        _unique(check, seen, code, f"{where}.code")
        seen.add(code)
        trigger = check.text(entry, "trigger", where)
        if trigger not in ("shared_waste", "shared_need"):
            check.fail(f"{where}.trigger", f"déclencheur inconnu {trigger!r}")
        codes = check.get(entry, "resources", where)
        for j, res in enumerate(codes):
            if res not in resources:
                check.fail(f"{where}.resources[{j}]", f"ressource inconnue {res!r}")
        unit_cost = check.get(entry, "unit_cost", where)
        if isinstance(unit_cost, str):
            if unit_cost not in ("price", "treatment_cost"):
                check.fail(f"{where}.unit_cost", "nombre, « price » ou « treatment_cost » attendu")
        else:
            unit_cost = check.check_number(unit_cost, f"{where}.unit_cost", positive=True)
        by_resource = {}
        for key in ("unit_cost_by_resource", "co2_kg_per_unit_by_resource"):
            table = check.get(entry, key, where, required=False, default={}) or {}
            for res, value in table.items():
                if res not in resources:
                    check.fail(f"{where}.{key}", f"ressource inconnue {res!r}")
                check.check_number(value, f"{where}.{key}.{res}", minimum=0)
            by_resource[key] = {str(k): float(v) for k, v in table.items()}
        min_members = int(check.number(entry, "min_members", where, minimum=2))
        max_members = int(check.number(entry, "max_members", where, minimum=2))
        if max_members < min_members:
            check.fail(f"{where}.max_members", "doit être ≥ min_members")
        floor = check.number(entry, "floor", where, positive=True)
        ceiling = check.number(entry, "ceiling", where, positive=True)
        if ceiling < floor:
            check.fail(f"{where}.ceiling", "doit être ≥ floor")
        level = check.text(entry, "same_sector_level", where, required=False)
        if level and level not in ("section", "division", "group", "class"):
            check.fail(f"{where}.same_sector_level", f"niveau NAF inconnu {level!r}")
        allowed = check.receivers(entry, where, key="naf_allowed", required=False)
        excluded = check.receivers(entry, where, key="naf_excluded", required=False)
        kinds.append(
            MutualisationKind(
                code=code,
                label=check.text(entry, "label", where),
                description=check.text(entry, "description", where),
                trigger=trigger,
                resources=tuple(codes),
                radius_km=check.number(entry, "radius_km", where, positive=True),
                min_members=min_members,
                max_members=max_members,
                unit_cost=unit_cost,
                reference_quantity=check.number(entry, "reference_quantity", where, positive=True),
                scale_exponent=check.number(entry, "scale_exponent", where, minimum=0),
                floor=floor,
                ceiling=ceiling,
                coordination_eur_per_member=check.number(
                    entry, "coordination_eur_per_member", where, minimum=0
                ),
                co2_kg_per_unit=check.number(entry, "co2_kg_per_unit", where, minimum=0),
                diversion_fraction=check.number(entry, "diversion_fraction", where, minimum=0),
                unit_cost_by_resource=by_resource["unit_cost_by_resource"],
                co2_kg_per_unit_by_resource=by_resource["co2_kg_per_unit_by_resource"],
                sources=check.source_map(entry, where),
                naf_allowed=() if allowed == ("*",) else allowed,
                naf_excluded=() if excluded == ("*",) else excluded,
                same_sector_level=level,
                min_headcount=check.number(
                    entry, "min_headcount", where, required=False, default=0.0, minimum=0
                ),
                min_member_gain_eur=check.number(
                    entry, "min_member_gain_eur", where, required=False, default=0.0, minimum=0
                ),
            )
        )
    return kinds


def read_knowledge_base(base: Path) -> KnowledgeBase:
    from .rulegen import generate_rules

    references = _load_references(base / "references.yaml")
    version, families, groups, classes = _load_catalogue(base / "catalogue.yaml", references)
    list_of_waste = _load_list_of_waste(base / "list_of_waste.txt")
    operations, routes, feedstocks = _load_recovery(base / "recovery.yaml", references, classes, families)
    resources = _load_resources(
        base, references, families, classes, groups, list_of_waste, routes, feedstocks
    )
    named = _load_rules(base / "substitution_rules.yaml", references, resources)
    profiles = _load_profiles(base, references, resources)
    kinds = _load_mutualisation(base / "mutualisation.yaml", references, resources)
    rules = generate_rules(named, resources, families, groups, routes)
    return KnowledgeBase(
        version=version,
        references=references,
        families=families,
        transport_classes=classes,
        resources=resources,
        rules=rules,
        profiles=profiles,
        mutualisation_kinds=kinds,
        net_groups=groups,
        operations=operations,
        routes=routes,
        list_of_waste=list_of_waste,
    )
