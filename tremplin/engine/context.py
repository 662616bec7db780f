"""Internal working tables of one detection: establishments and flows as numpy arrays, and the
knowledge-base figures resolved with the caller's overrides.  Not part of the public API."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from . import naf as naf_module
from .estimate import estimate_flow_arrays
from .exceptions import InputError, UnitError, UnknownResource
from .knowledge import KnowledgeBase, MutualisationKind, SubstitutionRule, TransportClass
from .model import BASES, Establishment, Flow, Parameters
from .units import convert

_RESOURCE_FIELDS = {"price", "treatment_cost", "virgin_co2", "disposal_co2", "density", "mwh_per_t"}


@dataclass
class ResolvedResource:
    code: str
    label: str
    unit: str
    price: float
    treatment_cost: float
    virgin_co2: float
    disposal_co2: float
    t_per_unit: float  # tonnes per default unit (nan when no conversion is known)
    is_waste: bool
    hazardous: bool
    waste_codes: tuple[str, ...]
    transport: TransportClass
    sources: dict[str, str]


@dataclass
class Context:
    kb: KnowledgeBase
    params: Parameters
    establishments: list[Establishment]
    naf: list[str]
    naf_ancestors: list[tuple[str, ...]]
    lat: np.ndarray
    lon: np.ndarray
    headcount: np.ndarray
    resource_codes: list[str]
    resource_index: dict[str, int]
    resources: list[ResolvedResource]
    # Flow table (one row per establishment, direction and resource).
    f_comp: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    f_dir: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    f_res: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    f_qty: np.ndarray = field(default_factory=lambda: np.empty(0))
    f_basis: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.establishments]

    def flows(self) -> list[Flow]:
        return [
            Flow(
                self.establishments[c].id,
                "out" if d else "in",
                self.resource_codes[r],
                float(q),
                self.resources[r].unit,
                BASES[b],
            )
            for c, d, r, q, b in zip(
                self.f_comp, self.f_dir, self.f_res, self.f_qty, self.f_basis, strict=True
            )
        ]

    def rule(self, rule: SubstitutionRule) -> SubstitutionRule | None:
        """The rule with the caller's overrides applied, or None when disabled."""
        override = dict(self.params.rule_overrides.get(rule.id, {}))
        if override.pop("enabled", True) is False:
            return None
        return replace(rule, **override) if override else rule

    def kind(self, kind: MutualisationKind) -> MutualisationKind | None:
        override = dict(self.params.mutualisation_overrides.get(kind.code, {}))
        if override.pop("enabled", True) is False:
            return None
        return replace(kind, **override) if override else kind


def _point(value, price_point: float) -> float:
    if isinstance(value, (list, tuple)):
        low, high = float(value[0]), float(value[1])
        return low + price_point * (high - low)
    return float(value)


def resolve_resources(kb: KnowledgeBase, params: Parameters) -> list[ResolvedResource]:
    unknown = set(params.resource_overrides) - set(kb.resources)
    if unknown:
        raise UnknownResource(sorted(unknown)[0])
    resolved = []
    for code, res in kb.resources.items():
        override = params.resource_overrides.get(code, {})
        bad = set(override) - _RESOURCE_FIELDS
        if bad:
            raise ValueError(f"champ de ressource non modifiable : {sorted(bad)}")
        transport = kb.transport_classes[res.transport]
        t_override = params.transport_overrides.get(res.transport, {})
        if t_override:
            transport = replace(transport, **t_override)
        density = override.get("density", res.density)
        mwh_per_t = override.get("mwh_per_t", res.mwh_per_t)
        try:
            t_per_unit = convert(1.0, res.unit, "t", density=density, mwh_per_t=mwh_per_t)
        except UnitError:
            t_per_unit = math.nan
        resolved.append(
            ResolvedResource(
                code=code,
                label=res.label,
                unit=res.unit,
                price=_point(override.get("price", res.price), params.price_point),
                treatment_cost=_point(override.get("treatment_cost", res.treatment_cost), params.price_point),
                virgin_co2=float(override.get("virgin_co2", res.virgin_co2)),
                disposal_co2=float(override.get("disposal_co2", res.disposal_co2)),
                t_per_unit=t_per_unit,
                is_waste=res.is_waste,
                hazardous=res.hazardous,
                waste_codes=tuple(str(c) for c in res.waste_codes),
                transport=transport,
                sources=res.sources,
            )
        )
    return resolved


def build_context(
    establishments: list[Establishment], flows: list[Flow] | None, kb: KnowledgeBase, params: Parameters
) -> Context:
    """Sort inputs canonically (results never depend on input order), estimate missing flows and merge
    declared ones (a declared flow replaces the estimate of the same resource and direction)."""
    ests = sorted(establishments, key=lambda e: e.id)
    seen: set[str] = set()
    for e in ests:
        if e.id in seen:
            raise InputError(f"identifiant d'établissement en double : {e.id!r}", field="id")
        seen.add(e.id)
    naf_codes = []
    for e in ests:
        try:
            naf_codes.append(naf_module.normalise_naf(e.naf))
        except naf_module.UnknownNafCode:
            raise InputError(f"code NAF inconnu {e.naf!r} (établissement {e.id})", field="naf") from None
    codes = list(kb.resources)
    index = {c: i for i, c in enumerate(codes)}
    ancestors_cache: dict[str, tuple[str, ...]] = {}
    ancestors = []
    for code in naf_codes:
        if code not in ancestors_cache:
            ancestors_cache[code] = tuple(naf_module.naf_ancestors(code))
        ancestors.append(ancestors_cache[code])
    ctx = Context(
        kb=kb,
        params=params,
        establishments=ests,
        naf=naf_codes,
        naf_ancestors=ancestors,
        lat=np.asarray([e.lat for e in ests], dtype=float),
        lon=np.asarray([e.lon for e in ests], dtype=float),
        headcount=np.asarray([float(e.headcount or 0) for e in ests], dtype=float),
        resource_codes=codes,
        resource_index=index,
        resources=resolve_resources(kb, params),
    )
    position = {e.id: i for i, e in enumerate(ests)}
    declared: dict[tuple[int, int, int], list[float]] = {}
    for flow in flows or ():
        if flow.company_id not in position:
            raise InputError(f"établissement inconnu {flow.company_id!r}", field="company_id")
        if flow.resource not in index:
            raise UnknownResource(flow.resource)
        if flow.direction not in ("in", "out"):
            raise InputError(
                f"direction « in » ou « out » attendue, trouvé {flow.direction!r}", field="direction"
            )
        if flow.basis not in BASES:
            raise InputError(f"base inconnue {flow.basis!r}", field="basis")
        if not math.isfinite(flow.quantity) or flow.quantity < 0:
            raise InputError(f"quantité invalide {flow.quantity!r}", field="quantity")
        res = kb.resources[flow.resource]
        override = params.resource_overrides.get(flow.resource, {})
        qty = convert(
            flow.quantity,
            flow.unit,
            res.unit,
            density=override.get("density", res.density),
            mwh_per_t=override.get("mwh_per_t", res.mwh_per_t),
        )
        key = (position[flow.company_id], 1 if flow.direction == "out" else 0, index[flow.resource])
        entry = declared.setdefault(key, [0.0, BASES.index(flow.basis)])
        entry[0] += qty
        entry[1] = min(entry[1], BASES.index(flow.basis))
    if params.estimate_missing_flows:
        comp, direction, res_pos, qty = estimate_flow_arrays(naf_codes, ctx.headcount, kb, index)
        if declared:
            keys = np.asarray(list(declared), dtype=np.int64).reshape(-1, 3)
            width = len(codes) * 2
            declared_code = keys[:, 0] * width + keys[:, 1] * len(codes) + keys[:, 2]
            est_code = comp * width + direction.astype(np.int64) * len(codes) + res_pos
            keep = ~np.isin(est_code, declared_code)
            comp, direction, res_pos, qty = comp[keep], direction[keep], res_pos[keep], qty[keep]
        basis = np.full(len(comp), BASES.index("estimated"), dtype=np.int8)
    else:
        comp, direction, res_pos, qty, basis = (
            np.empty(0, np.int64),
            np.empty(0, np.int8),
            np.empty(0, np.int32),
            np.empty(0),
            np.empty(0, np.int8),
        )
    if declared:
        items = sorted(declared.items())
        comp = np.concatenate([comp, np.asarray([k[0] for k, _ in items], dtype=np.int64)])
        direction = np.concatenate([direction, np.asarray([k[1] for k, _ in items], dtype=np.int8)])
        res_pos = np.concatenate([res_pos, np.asarray([k[2] for k, _ in items], dtype=np.int32)])
        qty = np.concatenate([qty, np.asarray([v[0] for _, v in items], dtype=float)])
        basis = np.concatenate([basis, np.asarray([v[1] for _, v in items], dtype=np.int8)])
    order = np.lexsort((res_pos, direction, comp))
    ctx.f_comp, ctx.f_dir, ctx.f_res = comp[order], direction[order], res_pos[order]
    ctx.f_qty, ctx.f_basis = qty[order], basis[order]
    return ctx
