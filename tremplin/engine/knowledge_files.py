"""Reading and validating the reference files of the knowledge base (YAML and CSV under ``data/``).

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
    REGULATORY_FLAGS,
    Family,
    KnowledgeBase,
    MutualisationKind,
    ProfileRow,
    Resource,
    SubstitutionRule,
    TransportClass,
    WasteCode,
)
from .units import canonical_unit, unit_kind

_WASTE_CODE = re.compile(r"^(\d{2}) ?(\d{2}) ?(\d{2})(\*?)$")


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

    def range(self, entry: dict, key: str, where: str) -> tuple[float, float]:
        value = self.get(entry, key, where)
        if not isinstance(value, list) or len(value) != 2:
            self.fail(f"{where}.{key}", f"intervalle [bas, haut] attendu, trouvé {value!r}")
        low = self.check_number(value[0], f"{where}.{key}[0]")
        high = self.check_number(value[1], f"{where}.{key}[1]")
        if low > high:
            self.fail(f"{where}.{key}", f"borne basse {low} supérieure à la borne haute {high}")
        return low, high

    def source_map(self, entry: dict, where: str, *, required: bool = True) -> dict[str, str]:
        value = self.get(entry, "sources", where, required=required, default={})
        if not isinstance(value, dict):
            self.fail(f"{where}.sources", "table {figure: clé de source} attendue")
        for figure, key in value.items():
            self.source_key(key, f"{where}.sources.{figure}")
        return {str(k): str(v) for k, v in value.items()}

    def source_key(self, key: Any, where: str) -> str:
        if not isinstance(key, str) or key not in self.sources:
            self.fail(where, f"clé de source inconnue {key!r} (voir sources.yaml)")
        return key


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise KnowledgeBaseError("fichier introuvable", path=str(path)) from None
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"YAML invalide : {error}", path=str(path)) from None


def _load_sources(path: Path) -> dict[str, dict[str, str]]:
    data = _read_yaml(path)
    check = _Checker(path)
    if not isinstance(data, dict) or not data:
        check.fail("", "table de sources attendue")
    for key, entry in data.items():
        check.text(entry, "title", str(key))
    return {str(k): {kk: str(vv) for kk, vv in v.items()} for k, v in data.items()}


def _unique(check: _Checker, seen: set[str], code: str, where: str) -> None:
    if code in seen:
        check.fail(where, f"code en double : {code!r}")
    seen.add(code)


def _load_resources(path: Path, sources) -> tuple[str, dict, dict, dict]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    if not isinstance(data, dict):
        check.fail("", "document YAML de type table attendu")
    version = str(check.get(data, "version", "document"))
    families: dict[str, Family] = {}
    for i, entry in enumerate(check.get(data, "families", "document")):
        where = f"families[{i}]"
        code = check.text(entry, "code", where)
        _unique(check, set(families), code, f"{where}.code")
        kind = check.text(entry, "kind", where)
        if kind not in ("material", "energy", "water", "shareable"):
            check.fail(f"{where}.kind", f"type de famille inconnu {kind!r}")
        families[code] = Family(code, check.text(entry, "label", where), kind)
    classes: dict[str, TransportClass] = {}
    for i, entry in enumerate(check.get(data, "transport_classes", "document")):
        where = f"transport_classes[{i}]"
        code = check.text(entry, "code", where)
        _unique(check, set(classes), code, f"{where}.code")
        mode = check.text(entry, "mode", where)
        if mode not in ("truck", "pipe", "grid", "local"):
            check.fail(f"{where}.mode", f"mode inconnu {mode!r}")
        classes[code] = TransportClass(
            code=code,
            label=check.text(entry, "label", where),
            mode=mode,
            max_distance_km=check.number(entry, "max_distance_km", where, positive=True),
            eur_per_t_km=check.number(entry, "eur_per_t_km", where, minimum=0),
            eur_per_t=check.number(entry, "eur_per_t", where, minimum=0),
            co2_kg_per_t_km=check.number(entry, "co2_kg_per_t_km", where, minimum=0),
            fixed_eur_per_km_year=check.number(entry, "fixed_eur_per_km_year", where, minimum=0),
            sources=check.source_map(entry, where),
        )
    resources: dict[str, Resource] = {}
    for i, entry in enumerate(check.get(data, "resources", "document")):
        where = f"resources[{i}]"
        code = check.text(entry, "code", where)
        where = f"resources[{i}] ({code})"
        _unique(check, set(resources), code, f"{where}.code")
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
        if classes[transport].mode == "truck" and unit_kind(unit) != "mass" and density is None:
            check.fail(
                f"{where}.density", "densité requise pour un transport routier d'une ressource en volume"
            )
        codes = []
        for j, raw in enumerate(check.get(entry, "waste_codes", where, required=False, default=[]) or []):
            match = _WASTE_CODE.match(str(raw).strip())
            if not match:
                check.fail(
                    f"{where}.waste_codes[{j}]", f"code de la liste européenne des déchets invalide {raw!r}"
                )
            codes.append(WasteCode(" ".join(match.groups()[:3]), bool(match.group(4))))
        sources_map = check.source_map(entry, where)
        figures = {"price": "price", "treatment_cost": "treatment_cost"}
        for figure, key in figures.items():
            low_high = entry.get(key)
            if low_high and any(low_high) and figure not in sources_map:
                check.fail(f"{where}.sources", f"source manquante pour {figure}")
        if (entry.get("virgin_co2") or entry.get("disposal_co2")) and "co2" not in sources_map:
            check.fail(f"{where}.sources", "source manquante pour les facteurs d'émission (co2)")
        resources[code] = Resource(
            code=code,
            family=family,
            label=check.text(entry, "label", where),
            unit=unit,
            transport=transport,
            price=check.range(entry, "price", where),
            treatment_cost=check.range(entry, "treatment_cost", where),
            virgin_co2=check.number(entry, "virgin_co2", where, minimum=0),
            disposal_co2=check.number(entry, "disposal_co2", where, minimum=0),
            density=density,
            mwh_per_t=mwh_per_t,
            waste_codes=tuple(codes),
            sources=sources_map,
        )
    if not resources:
        check.fail("resources", "catalogue vide")
    return version, families, classes, resources


def _load_rules(path: Path, sources, resources) -> list[SubstitutionRule]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    rules: list[SubstitutionRule] = []
    seen: set[str] = set()
    for i, entry in enumerate(check.get(data, "rules", "document")):
        rule_id = check.text(entry, "id", f"rules[{i}]")
        where = f"rules[{i}] ({rule_id})"
        _unique(check, seen, rule_id, f"{where}.id")
        output = check.text(entry, "output", where)
        input_ = check.text(entry, "input", where)
        for key, code in (("output", output), ("input", input_)):
            if code not in resources:
                check.fail(f"{where}.{key}", f"ressource inconnue {code!r}")
        receivers = check.get(entry, "receivers", where)
        if not isinstance(receivers, list) or not receivers:
            check.fail(f"{where}.receivers", 'liste de codes NAF (ou "*") attendue')
        normalised = []
        for j, code in enumerate(receivers):
            if code == "*":
                normalised.append("*")
                continue
            try:
                normalised.append(naf_module.normalise_naf(str(code)))
            except naf_module.UnknownNafCode:
                check.fail(f"{where}.receivers[{j}]", f"code NAF inconnu {code!r}")
        flags = tuple(check.get(entry, "flags", where, required=False, default=[]) or [])
        for j, flag in enumerate(flags):
            if flag not in REGULATORY_FLAGS:
                check.fail(f"{where}.flags[{j}]", f"point réglementaire inconnu {flag!r}")
        rules.append(
            SubstitutionRule(
                id=rule_id,
                output=output,
                input=input_,
                receivers=tuple(normalised),
                ratio=check.number(entry, "ratio", where, positive=True),
                pretreatment=check.text(entry, "pretreatment", where),
                pretreatment_cost=check.number(entry, "pretreatment_cost", where, minimum=0),
                process_co2=check.number(entry, "process_co2", where, minimum=0),
                flags=flags,
                note=check.text(entry, "note", where, required=False),
                max_distance_km=check.number(entry, "max_distance_km", where, required=False, positive=True),
                sources=check.source_map(entry, where),
            )
        )
    return rules


_PROFILE_HEADER = [
    "naf",
    "direction",
    "resource",
    "per_employee",
    "per_establishment",
    "min_headcount",
    "source",
    "note",
]


def _load_profiles(path: Path, sources, resources) -> dict[str, list[ProfileRow]]:
    check = _Checker(path, sources)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise KnowledgeBaseError("fichier introuvable", path=str(path)) from None
    profiles: dict[str, list[ProfileRow]] = {}
    seen: set[tuple[str, str, str]] = set()
    with handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != _PROFILE_HEADER:
            check.fail("ligne 1", f"en-tête attendu {','.join(_PROFILE_HEADER)}, trouvé {reader.fieldnames}")
        for line, row in enumerate(reader, start=2):
            where = f"ligne {line}"
            code = (row["naf"] or "").strip()
            if code != "*":
                try:
                    code = naf_module.normalise_naf(code)
                except naf_module.UnknownNafCode:
                    check.fail(f"{where}, naf", f"code NAF inconnu {code!r}")
            direction = row["direction"]
            if direction not in ("in", "out"):
                check.fail(f"{where}, direction", f"« in » ou « out » attendu, trouvé {direction!r}")
            if row["resource"] not in resources:
                check.fail(f"{where}, resource", f"ressource inconnue {row['resource']!r}")
            values = {}
            for key in ("per_employee", "per_establishment", "min_headcount"):
                try:
                    values[key] = float(row[key])
                except (TypeError, ValueError):
                    check.fail(f"{where}, {key}", f"nombre attendu, trouvé {row[key]!r}")
                if not math.isfinite(values[key]) or values[key] < 0:
                    check.fail(f"{where}, {key}", f"nombre positif ou nul attendu, trouvé {row[key]!r}")
            check.source_key(row["source"], f"{where}, source")
            key = (code, direction, row["resource"])
            if key in seen:
                check.fail(where, f"profil en double pour {key}")
            seen.add(key)
            profiles.setdefault(code, []).append(
                ProfileRow(
                    code,
                    direction,
                    row["resource"],
                    values["per_employee"],
                    values["per_establishment"],
                    values["min_headcount"],
                    row["source"],
                    row["note"] or "",
                )
            )
    return profiles


def _load_mutualisation(path: Path, sources, resources) -> list[MutualisationKind]:
    data = _read_yaml(path)
    check = _Checker(path, sources)
    kinds: list[MutualisationKind] = []
    seen: set[str] = set()
    for i, entry in enumerate(check.get(data, "kinds", "document")):
        code = check.text(entry, "code", f"kinds[{i}]")
        where = f"kinds[{i}] ({code})"
        _unique(check, seen, code, f"{where}.code")
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
            )
        )
    return kinds


def read_knowledge_base(base: Path) -> KnowledgeBase:
    sources = _load_sources(base / "sources.yaml")
    version, families, classes, resources = _load_resources(base / "resources.yaml", sources)
    rules = _load_rules(base / "substitution_rules.yaml", sources, resources)
    profiles = _load_profiles(base / "sector_profiles.csv", sources, resources)
    kinds = _load_mutualisation(base / "mutualisation.yaml", sources, resources)
    return KnowledgeBase(version, sources, families, classes, resources, rules, profiles, kinds)
