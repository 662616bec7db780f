"""Reference data of the demonstration generator: sector mixes per kind of territory, activity zones.

Read from ``data/territory_profiles.yaml`` and ``data/names.yaml``, validated on load (every NAF code
against NAF rév. 2, every band against INSEE's headcount bands, every cross-reference), and kept in
memory. Pure Python: no Django.

>>> profiles = load_profiles()
>>> profiles.plan_for(EpciProfileKey("200010700", "CA", 77_495, 575.0)).kinds
(('port_heavy_industry', 1.0),)
>>> profiles.classify("CC", 5_000, 240.0)
'rural_agrifood'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tremplin.engine.headcount import UnknownHeadcountBand, headcount_band
from tremplin.engine.naf import UnknownNafCode, naf_level, normalise_naf

__all__ = [
    "PLACEMENTS",
    "ActivityZone",
    "CountRule",
    "DemoProfileError",
    "EpciProfileKey",
    "KindProfile",
    "NameVocabulary",
    "Profiles",
    "SectorProfile",
    "TerritoryPlan",
    "load_profiles",
]

DATA_DIR = Path(__file__).parent / "data"
PROFILES_FILE = DATA_DIR / "territory_profiles.yaml"
NAMES_FILE = DATA_DIR / "names.yaml"

PLACEMENTS = ("zone", "anywhere", "centre", "rural")
EPCI_KINDS = ("CC", "CA", "CU", "ME")


class DemoProfileError(Exception):
    """The reference data of the demonstration is wrong; the message says where and why."""

    def __init__(self, path: Path | str, where: str, reason: str) -> None:
        self.path = Path(path)
        self.where = where
        self.reason = reason
        super().__init__(f"{self.path.name}, {where}: {reason}")


@dataclass(frozen=True)
class CountRule:
    base: float
    exponent: float
    minimum: int
    maximum: int

    def count(self, population: int) -> int:
        """Number of establishments for a population.

        >>> CountRule(130, 0.55, 40, 1200).count(77_495)
        401
        """
        raw = round(self.base * (max(population, 0) / 10_000) ** self.exponent)
        return min(max(raw, self.minimum), self.maximum)


@dataclass(frozen=True)
class SectorProfile:
    code: str
    group: str
    placement: str
    zone_share: float
    headcount: tuple[tuple[str, float], ...]
    name_style: str
    max_per_territory: int | None


@dataclass(frozen=True)
class KindProfile:
    key: str
    rationale: str
    mix: tuple[tuple[str, float], ...]
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class ActivityZone:
    name: str
    address_label: str
    latitude: float
    longitude: float
    radius_km: float
    weight: float
    hosts: frozenset[str]
    streets: tuple[str, ...] = ()


@dataclass(frozen=True)
class TerritoryPlan:
    """What the generator needs to know about one territory beyond its geography."""

    kinds: tuple[tuple[str, float], ...]
    zones: tuple[ActivityZone, ...]
    place_words: tuple[str, ...]
    overridden: bool


@dataclass(frozen=True)
class EpciProfileKey:
    """The facts about an EPCI that decide its plan."""

    siren: str
    kind: str
    population: int
    area_km2: float


@dataclass(frozen=True)
class NameVocabulary:
    surnames: tuple[str, ...]
    first_names: tuple[str, ...]
    coined_prefixes: tuple[str, ...]
    coined_suffixes: tuple[str, ...]
    legal_forms: tuple[str, ...]
    default_place_words: tuple[str, ...]
    lieux: tuple[str, ...]
    care_home_names: tuple[str, ...]
    streets: dict[str, tuple[str, ...]]
    styles: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Rule:
    epci_kinds: frozenset[str]
    min_density: float
    kind: str


@dataclass(frozen=True)
class _Override:
    kinds: tuple[tuple[str, float], ...]
    zones: tuple[ActivityZone, ...]
    place_words: tuple[str, ...]


@dataclass(frozen=True)
class Profiles:
    count_rule: CountRule
    sectors: dict[str, SectorProfile]
    kinds: dict[str, KindProfile]
    names: NameVocabulary
    rules: tuple[_Rule, ...]
    overrides: dict[str, _Override]

    def classify(self, epci_kind: str, population: int, area_km2: float) -> str:
        """Kind of territory of an EPCI by the classification rule (overrides not considered)."""
        density = population / area_km2 if area_km2 > 0 else 0.0
        for rule in self.rules:
            if epci_kind in rule.epci_kinds and density >= rule.min_density:
                return rule.kind
        return "mixed"

    def plan_for(self, epci: EpciProfileKey) -> TerritoryPlan:
        override = self.overrides.get(epci.siren)
        if override is not None:
            return TerritoryPlan(override.kinds, override.zones, override.place_words, overridden=True)
        kind = self.classify(epci.kind, epci.population, epci.area_km2)
        return TerritoryPlan(((kind, 1.0),), (), self.names.default_place_words, overridden=False)

    def sector_weights(self, plan: TerritoryPlan) -> dict[str, float]:
        """Blend of the plan's kinds: each kind's mix normalised to 1, then weighted by its share."""
        weights: dict[str, float] = {}
        for kind_key, share in plan.kinds:
            mix = self.kinds[kind_key].mix
            total = sum(weight for _code, weight in mix)
            for code, weight in mix:
                weights[code] = weights.get(code, 0.0) + share * weight / total
        return weights

    def anchors(self, plan: TerritoryPlan) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for kind_key, _share in plan.kinds:
            seen.update(dict.fromkeys(self.kinds[kind_key].anchors))
        return tuple(seen)


@cache
def load_profiles() -> Profiles:
    """The demonstration's reference data, read and validated once."""
    return read_profiles(PROFILES_FILE, NAMES_FILE)


def read_profiles(profiles_path: Path | str, names_path: Path | str) -> Profiles:
    names = _read_names(Path(names_path))
    return _Reader(Path(profiles_path), names).read()


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as error:
        raise DemoProfileError(path, "file", f"cannot open ({error.strerror or error})") from error
    except yaml.YAMLError as error:
        raise DemoProfileError(path, "file", f"YAML syntax error ({error})") from error
    if not isinstance(data, dict):
        raise DemoProfileError(path, "file", "expected a mapping at the top level")
    return data


def _str_list(path: Path, where: str, value: Any, *, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise DemoProfileError(path, where, "expected a list of non-empty strings")
    if not value and not allow_empty:
        raise DemoProfileError(path, where, "the list is empty")
    return tuple(item.strip() for item in value)


def _read_names(path: Path) -> NameVocabulary:
    data = _load_yaml(path)
    lists = {
        key: _str_list(path, key, data.get(key))
        for key in (
            "surnames",
            "first_names",
            "coined_prefixes",
            "coined_suffixes",
            "legal_forms",
            "default_place_words",
            "lieux",
            "care_home_names",
        )
    }
    streets_data = data.get("streets")
    if not isinstance(streets_data, dict) or set(streets_data) != {"centre", "industrial", "rural"}:
        raise DemoProfileError(path, "streets", "expected the keys centre, industrial and rural")
    streets = {key: _str_list(path, f"streets.{key}", value) for key, value in streets_data.items()}
    styles_data = data.get("styles")
    if not isinstance(styles_data, dict) or not styles_data:
        raise DemoProfileError(path, "styles", "expected a mapping of naming styles")
    styles = {str(key): _str_list(path, f"styles.{key}", value) for key, value in styles_data.items()}
    return NameVocabulary(**lists, streets=streets, styles=styles)


def _number(path: Path, where: str, value: Any, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DemoProfileError(path, where, f"expected a number, found {value!r}")
    if positive and value <= 0:
        raise DemoProfileError(path, where, f"expected a positive number, found {value!r}")
    return float(value)


class _Reader:
    def __init__(self, path: Path, names: NameVocabulary) -> None:
        self.path = path
        self.names = names
        self.data = _load_yaml(path)

    def fail(self, where: str, reason: str) -> DemoProfileError:
        return DemoProfileError(self.path, where, reason)

    def section(self, key: str, kind: type) -> Any:
        value = self.data.get(key)
        if not isinstance(value, kind) or not value:
            raise self.fail(key, f"missing or not a non-empty {kind.__name__}")
        return value

    def naf(self, where: str, code: Any) -> str:
        if not isinstance(code, str):
            raise self.fail(where, f"NAF code {code!r} is not a string")
        try:
            canonical = normalise_naf(code)
        except UnknownNafCode as error:
            raise self.fail(where, str(error)) from None
        if canonical != code or naf_level(canonical) != "subclass":
            raise self.fail(where, f"{code!r} must be a NAF rév. 2 sous-classe written as INSEE does")
        return canonical

    def read(self) -> Profiles:
        rule = self.section("count_rule", dict)
        count_rule = CountRule(
            base=_number(self.path, "count_rule.base", rule.get("base")),
            exponent=_number(self.path, "count_rule.exponent", rule.get("exponent")),
            minimum=int(_number(self.path, "count_rule.minimum", rule.get("minimum"))),
            maximum=int(_number(self.path, "count_rule.maximum", rule.get("maximum"))),
        )
        if count_rule.minimum > count_rule.maximum:
            raise self.fail("count_rule", "minimum is above maximum")
        headcounts = self.read_headcounts()
        sectors = self.read_sectors(headcounts)
        kinds = self.read_kinds(sectors)
        rules = self.read_rules(kinds)
        overrides = self.read_overrides(kinds, {s.group for s in sectors.values()})
        return Profiles(count_rule, sectors, kinds, self.names, rules, overrides)

    def read_headcounts(self) -> dict[str, tuple[tuple[str, float], ...]]:
        profiles = {}
        for key, distribution in self.section("headcount_profiles", dict).items():
            where = f"headcount_profiles.{key}"
            if not isinstance(distribution, dict) or not distribution:
                raise self.fail(where, "expected a mapping of band codes to weights")
            bands = []
            for band, weight in distribution.items():
                try:
                    canonical = headcount_band(str(band)).code
                except UnknownHeadcountBand as error:
                    raise self.fail(where, str(error)) from None
                if canonical != band or canonical == "NN":
                    raise self.fail(where, f"band {band!r} must be an employer band written as INSEE does")
                bands.append((canonical, _number(self.path, f"{where}.{band}", weight)))
            profiles[key] = tuple(bands)
        return profiles

    def read_sectors(self, headcounts) -> dict[str, SectorProfile]:
        groups = self.section("groups", dict)
        for key, group in groups.items():
            if not isinstance(group, dict) or group.get("placement") not in PLACEMENTS:
                raise self.fail(f"groups.{key}", f"placement must be one of {PLACEMENTS}")
            if group["placement"] == "zone":
                share = _number(self.path, f"groups.{key}.zone_share", group.get("zone_share"))
                if share > 1:
                    raise self.fail(f"groups.{key}.zone_share", "a share is at most 1")
        sectors = {}
        for code, entry in self.section("sectors", dict).items():
            where = f"sectors.{code}"
            code = self.naf(where, code)
            if not isinstance(entry, dict):
                raise self.fail(where, "expected a mapping")
            group = groups.get(entry.get("group"))
            if group is None:
                raise self.fail(where, f"unknown group {entry.get('group')!r}")
            if entry.get("headcount") not in headcounts:
                raise self.fail(where, f"unknown headcount profile {entry.get('headcount')!r}")
            if entry.get("name") not in self.names.styles:
                raise self.fail(where, f"unknown naming style {entry.get('name')!r} (see names.yaml)")
            placement = entry.get("placement", group["placement"])
            if placement not in PLACEMENTS:
                raise self.fail(where, f"placement must be one of {PLACEMENTS}")
            maximum = entry.get("max")
            if maximum is not None and (not isinstance(maximum, int) or maximum < 1):
                raise self.fail(where, "max must be a positive integer")
            sectors[code] = SectorProfile(
                code=code,
                group=entry["group"],
                placement=placement,
                zone_share=float(group.get("zone_share", 0.0)) if placement == "zone" else 0.0,
                headcount=headcounts[entry["headcount"]],
                name_style=entry["name"],
                max_per_territory=maximum,
            )
        return sectors

    def read_kinds(self, sectors) -> dict[str, KindProfile]:
        kinds = {}
        for key, entry in self.section("kinds", dict).items():
            where = f"kinds.{key}"
            if not isinstance(entry, dict) or not isinstance(entry.get("mix"), dict) or not entry["mix"]:
                raise self.fail(where, "expected a mapping with a non-empty mix")
            mix = []
            for code, weight in entry["mix"].items():
                code = self.naf(f"{where}.mix", code)
                if code not in sectors:
                    raise self.fail(f"{where}.mix", f"{code} is not described under sectors")
                mix.append((code, _number(self.path, f"{where}.mix.{code}", weight)))
            anchors = tuple(self.naf(f"{where}.anchors", code) for code in entry.get("anchors", []))
            missing = [code for code in anchors if code not in entry["mix"]]
            if missing:
                raise self.fail(f"{where}.anchors", f"anchors not in the mix: {', '.join(missing)}")
            kinds[key] = KindProfile(key, str(entry.get("rationale", "")).strip(), tuple(mix), anchors)
        return kinds

    def read_rules(self, kinds) -> tuple[_Rule, ...]:
        rules = []
        for index, entry in enumerate(self.section("classification", list)):
            where = f"classification[{index}]"
            if not isinstance(entry, dict) or entry.get("kind") not in kinds:
                found = entry.get("kind") if isinstance(entry, dict) else entry
                raise self.fail(where, f"unknown kind {found!r}")
            epci_kinds = _str_list(self.path, f"{where}.epci_kinds", entry.get("epci_kinds"))
            unknown = set(epci_kinds) - set(EPCI_KINDS)
            if unknown:
                raise self.fail(where, f"unknown EPCI kinds {sorted(unknown)} (expected {EPCI_KINDS})")
            min_density = _number(self.path, where, entry.get("min_density", 0), positive=False)
            rules.append(_Rule(frozenset(epci_kinds), min_density, entry["kind"]))
        return tuple(rules)

    def read_overrides(self, kinds, groups) -> dict[str, _Override]:
        overrides = {}
        for siren, entry in (self.data.get("overrides") or {}).items():
            where = f"overrides.{siren}"
            if not (isinstance(siren, str) and len(siren) == 9 and siren.isdigit()):
                raise self.fail(where, "an override is keyed by a quoted 9-digit SIREN")
            if not isinstance(entry, dict) or not isinstance(entry.get("kinds"), dict) or not entry["kinds"]:
                raise self.fail(where, "expected a mapping with kinds")
            blend = []
            for kind, share in entry["kinds"].items():
                if kind not in kinds:
                    raise self.fail(f"{where}.kinds", f"unknown kind {kind!r}")
                blend.append((kind, _number(self.path, f"{where}.kinds.{kind}", share)))
            total = sum(share for _kind, share in blend)
            zones = tuple(
                self.read_zone(f"{where}.zones[{i}]", z, groups)
                for i, z in enumerate(entry.get("zones") or [])
            )
            place_words = _str_list(
                self.path,
                f"{where}.place_words",
                entry.get("place_words", list(self.names.default_place_words)),
            )
            overrides[siren] = _Override(
                tuple((kind, share / total) for kind, share in blend), zones, place_words
            )
        return overrides

    def read_zone(self, where: str, entry: Any, groups: set[str]) -> ActivityZone:
        if not isinstance(entry, dict):
            raise self.fail(where, "expected a mapping")
        latitude = _number(self.path, f"{where}.latitude", entry.get("latitude"))
        longitude = _number(self.path, f"{where}.longitude", entry.get("longitude"), positive=False)
        if not (-90 < latitude < 90 and -180 < longitude < 180):
            raise self.fail(where, "coordinates out of range (WGS84 degrees expected)")
        hosts = _str_list(self.path, f"{where}.hosts", entry.get("hosts"))
        unknown = set(hosts) - groups
        if unknown:
            raise self.fail(f"{where}.hosts", f"unknown groups {sorted(unknown)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail(where, "a zone needs a name")
        return ActivityZone(
            name=name.strip(),
            address_label=str(entry.get("address_label") or name).strip(),
            latitude=latitude,
            longitude=longitude,
            radius_km=_number(self.path, f"{where}.radius_km", entry.get("radius_km")),
            weight=_number(self.path, f"{where}.weight", entry.get("weight", 1)),
            hosts=frozenset(hosts),
            streets=_str_list(self.path, f"{where}.streets", entry.get("streets", []), allow_empty=True),
        )
