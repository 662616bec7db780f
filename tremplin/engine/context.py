"""Internal working tables of one detection: establishments and flows as numpy arrays, and the
knowledge-base figures resolved with the caller's overrides.  Not part of the public API."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from . import naf as naf_module
from .estimate import estimate_flow_arrays
from .exceptions import InputError, UnitError, UnknownResource
from .knowledge import KnowledgeBase, MutualisationKind, SubstitutionRule, TransportClass
from .model import BASES, Establishment, Flow, Parameters, operation_kind
from .units import convert

#: Reasons of ``Context.f_adjusted``, in French for explanations.
ADJUSTMENTS = {
    1: "compensée avec le flux inverse estimé du même site (le site est fournisseur net ou receveur net)",
    2: "écartée : le site a déclaré le flux inverse de cette ressource",
    3: "diminuée des quantités déjà engagées dans des synergies en cours",
}

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
    #: Quantity before netting and before quantities committed elsewhere were taken off.
    f_gross: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: The estimate was clipped to the sector's plausible maximum per site.
    f_bounded: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    #: Why a flow's quantity changed before matching: 0 none, 1 netted, 2 dropped by a declared flow of
    #: the other direction, 3 committed elsewhere (see ``ADJUSTMENTS``).
    f_adjusted: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    #: Current treatment code of the flow's waste ("D10", "R3"; "" unknown), from a register.
    f_operation: np.ndarray = field(default_factory=lambda: np.empty(0, "<U8"))
    #: The quantity is a ceiling (a register line below the reporting threshold).
    f_upper_bound: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    #: Ranking factor of the flow's current treatment (``Parameters.current_operation_factors``).
    f_rank_factor: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: The establishment's headcount was unknown: ``Parameters.unknown_headcount`` stands for it.
    headcount_unknown: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    #: Netting group of each resource (resources netted together within one site).
    resource_group: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    #: A partitioned run (:mod:`tremplin.engine.partition`): True for the establishments of the
    #: partition's core, False for its margin; None for an ordinary run (every establishment is core).
    core: np.ndarray | None = None

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.establishments]

    @cached_property
    def position(self) -> dict[str, int]:
        return {e.id: i for i, e in enumerate(self.establishments)}

    def flows(self) -> list[Flow]:
        return [
            Flow(
                self.establishments[c].id,
                "out" if d else "in",
                self.resource_codes[r],
                float(q),
                self.resources[r].unit,
                BASES[b],
                str(op),
                bool(ub),
            )
            for c, d, r, q, b, op, ub in zip(
                self.f_comp,
                self.f_dir,
                self.f_res,
                self.f_qty,
                self.f_basis,
                self.f_operation,
                self.f_upper_bound,
                strict=True,
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
    establishments: list[Establishment],
    flows: list[Flow] | None,
    kb: KnowledgeBase,
    params: Parameters,
    committed: list[Flow] | None = None,
) -> Context:
    """Sort inputs canonically (results never depend on input order), estimate missing flows and merge
    declared ones (a declared, workshop or register flow replaces the estimate of the same resource and
    direction; a declared or workshop flow replaces the register one), net each
    site's estimated gisements and besoins of one resource group, and take off the quantities that
    ``committed`` says are already promised in synergies under way."""
    ests = sorted(establishments, key=lambda e: e.id)
    seen: set[str] = set()
    for e in ests:
        if e.id in seen:
            raise InputError(f"identifiant d'établissement en double : {e.id!r}", field="id")
        seen.add(e.id)
    naf_codes = []
    normalised: dict[str, str] = {}  # a territory has a few hundred distinct codes
    for e in ests:
        code = normalised.get(e.naf)
        if code is None:
            try:
                code = normalised[e.naf] = naf_module.normalise_naf(e.naf)
            except naf_module.UnknownNafCode:
                raise InputError(f"code NAF inconnu {e.naf!r} (établissement {e.id})", field="naf") from None
        naf_codes.append(code)
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
        headcount=_headcounts(ests, params),
        resource_codes=codes,
        resource_index=index,
        resources=resolve_resources(kb, params),
    )
    ctx.headcount_unknown = np.asarray([_unknown(e.headcount) for e in ests], dtype=bool)
    position = {e.id: i for i, e in enumerate(ests)}
    declared = _declared_quantities(flows or (), position, index, kb, params)
    bounded = np.empty(0, bool)
    if params.estimate_missing_flows:
        estimated = estimate_flow_arrays(naf_codes, ctx.headcount, kb, index, with_bounded=True)
        comp, direction, res_pos, qty = estimated[:4]
        bounded = estimated[4] if len(estimated) > 4 else np.zeros(len(comp), bool)
        if declared:
            keys = np.asarray(list(declared), dtype=np.int64).reshape(-1, 3)
            width = len(codes) * 2
            declared_code = keys[:, 0] * width + keys[:, 1] * len(codes) + keys[:, 2]
            est_code = comp * width + direction.astype(np.int64) * len(codes) + res_pos
            keep = ~np.isin(est_code, declared_code)
            comp, direction, res_pos, qty = comp[keep], direction[keep], res_pos[keep], qty[keep]
            bounded = bounded[keep]
        basis = np.full(len(comp), BASES.index("estimated"), dtype=np.int8)
    else:
        comp, direction, res_pos, qty, basis = (
            np.empty(0, np.int64),
            np.empty(0, np.int8),
            np.empty(0, np.int32),
            np.empty(0),
            np.empty(0, np.int8),
        )
    operation = np.full(len(comp), "", dtype="<U8")
    upper_bound = np.zeros(len(comp), bool)
    if declared:
        items = sorted(declared.items())
        comp = np.concatenate([comp, np.asarray([k[0] for k, _ in items], dtype=np.int64)])
        direction = np.concatenate([direction, np.asarray([k[1] for k, _ in items], dtype=np.int8)])
        res_pos = np.concatenate([res_pos, np.asarray([k[2] for k, _ in items], dtype=np.int32)])
        qty = np.concatenate([qty, np.asarray([v[0] for _, v in items], dtype=float)])
        basis = np.concatenate([basis, np.asarray([v[1] for _, v in items], dtype=np.int8)])
        bounded = np.concatenate([bounded, np.zeros(len(items), bool)])
        operation = np.concatenate([operation, np.asarray([v[2] for _, v in items], dtype="<U8")])
        upper_bound = np.concatenate([upper_bound, np.asarray([v[3] for _, v in items], dtype=bool)])
    order = np.lexsort((res_pos, direction, comp))
    ctx.f_comp, ctx.f_dir, ctx.f_res = comp[order], direction[order], res_pos[order]
    ctx.f_qty, ctx.f_basis = qty[order].astype(float), basis[order]
    ctx.f_bounded = bounded[order]
    ctx.f_operation, ctx.f_upper_bound = operation[order], upper_bound[order]
    factors = params.current_operation_factors
    ctx.f_rank_factor = np.asarray(
        [float(factors.get(operation_kind(op), 1.0)) if op else 1.0 for op in ctx.f_operation.tolist()],
        dtype=float,
    )
    ctx.f_gross = ctx.f_qty.copy()
    ctx.f_adjusted = np.zeros(len(ctx.f_qty), np.int8)
    ctx.resource_group = _resource_groups(kb, codes)
    if params.net_estimated_flows:
        _net_flows(ctx)
    if committed:
        _take_off_committed(ctx, _declared_quantities(committed, position, index, kb, params, strict=False))
    return ctx


def _unknown(headcount) -> bool:
    return headcount is None or (isinstance(headcount, float) and math.isnan(headcount))


def _headcounts(establishments: list[Establishment], params: Parameters) -> np.ndarray:
    """Employees of each establishment; an unknown headcount stands as ``params.unknown_headcount``."""
    return np.asarray(
        [
            params.unknown_headcount if _unknown(e.headcount) else float(e.headcount or 0)
            for e in establishments
        ],
        dtype=float,
    )


def _resource_groups(kb: KnowledgeBase, codes: list[str]) -> np.ndarray:
    """Netting group of each resource: its ``net_group`` when the catalogue gives one, else itself.
    Resources of one group are netted only when they share a unit."""
    names: dict[tuple[str, str], int] = {}
    groups = np.empty(len(codes), np.int64)
    for i, code in enumerate(codes):
        res = kb.resources[code]
        key = (getattr(res, "net_group", None) or code, res.unit)
        groups[i] = names.setdefault(key, len(names))
    return groups


def _net_flows(ctx: Context) -> None:
    """A site is a net supplier or a net receiver of each resource group.

    Both sides estimated: the smaller side is taken off the larger one (which is reduced pro rata over
    its resources). One side declared or stated in a workshop: the estimated other side is dropped, the
    company's word standing for that resource group. Both sides declared: left as they are.
    """
    n = len(ctx.f_qty)
    if n == 0:
        return
    estimated = ctx.f_basis == BASES.index("estimated")
    traders = _traders(ctx)
    if traders is not None:
        estimated = estimated & ~traders
    group = ctx.resource_group[ctx.f_res]
    n_groups = int(ctx.resource_group.max()) + 1
    key = ctx.f_comp.astype(np.int64) * n_groups + group
    uniq, inv = np.unique(key, return_inverse=True)
    out = ctx.f_dir == 1
    m = len(uniq)
    out_est = np.bincount(inv, weights=np.where(out & estimated, ctx.f_qty, 0.0), minlength=m)
    in_est = np.bincount(inv, weights=np.where(~out & estimated, ctx.f_qty, 0.0), minlength=m)
    out_decl = np.bincount(inv, weights=(out & ~estimated).astype(float), minlength=m) > 0
    in_decl = np.bincount(inv, weights=(~out & ~estimated).astype(float), minlength=m) > 0
    has_out = (out_est > 0) | out_decl
    has_in = (in_est > 0) | in_decl
    both = has_out & has_in
    if not both.any():
        return
    qty = ctx.f_qty.copy()
    adjusted = ctx.f_adjusted
    # One side declared: drop the estimated flows of the other direction.
    drop = estimated & (np.where(out, in_decl[inv], out_decl[inv])) & both[inv]
    qty[drop] = 0.0
    adjusted[drop & (ctx.f_qty > 0)] = 2
    # Both sides estimated only.
    pure = both & ~out_decl & ~in_decl
    scale_out = np.where(pure & (out_est >= in_est), (out_est - in_est) / np.maximum(out_est, 1e-300), 1.0)
    scale_out = np.where(pure & (out_est < in_est), 0.0, scale_out)
    scale_in = np.where(pure & (in_est > out_est), (in_est - out_est) / np.maximum(in_est, 1e-300), 1.0)
    scale_in = np.where(pure & (in_est <= out_est), 0.0, scale_in)
    touched = estimated & pure[inv] & (ctx.f_qty > 0)
    factor = np.where(out, scale_out[inv], scale_in[inv])
    qty[touched] = qty[touched] * factor[touched]
    adjusted[touched] = 1
    ctx.f_qty = qty


def _traders(ctx: Context) -> np.ndarray | None:
    """Flows of sites that buy and sell a resource as their trade (a steam and heat utility, 35.30, buys
    an incinerator's steam and sells it on the platform): these are never netted. A resource says who
    trades it in ``traded_by`` (NAF codes at any level)."""
    traded = {
        i: tuple(getattr(ctx.kb.resources[code], "traded_by", ()) or ())
        for i, code in enumerate(ctx.resource_codes)
    }
    traded = {i: codes for i, codes in traded.items() if codes}
    if not traded:
        return None
    mask = np.zeros(len(ctx.f_qty), bool)
    for j, (comp, res) in enumerate(zip(ctx.f_comp.tolist(), ctx.f_res.tolist(), strict=True)):
        codes = traded.get(res)
        if codes and any(a in codes for a in ctx.naf_ancestors[comp]):
            mask[j] = True
    return mask


def _take_off_committed(ctx: Context, committed: dict[tuple[int, int, int], list[float]]) -> None:
    if not committed or len(ctx.f_qty) == 0:
        return
    n_res = len(ctx.resource_codes)
    flow_key = (ctx.f_comp.astype(np.int64) * 2 + ctx.f_dir) * n_res + ctx.f_res
    lookup = {int(k): i for i, k in enumerate(flow_key.tolist())}
    for (comp, direction, res), (quantity, *_rest) in committed.items():
        i = lookup.get((comp * 2 + direction) * n_res + res)
        if i is None or quantity <= 0:
            continue
        ctx.f_qty[i] = max(0.0, ctx.f_qty[i] - quantity)
        ctx.f_adjusted[i] = 3


def _declared_quantities(flows, position, index, kb, params, *, strict: bool = True):
    """Known flows summed per (establishment, direction, resource), in the resource's default unit, as
    ``[quantity, basis, operation, upper_bound]`` with the most reliable basis among them.

    Declared and workshop flows of one key add up (the company's own figures); register flows add up
    among themselves, and are dropped when the company declared (or stated in a workshop) the same
    resource and direction: its word replaces the register's. The key's operation is a disposal one
    when any of its lines goes to disposal (the stronger lead), else the first one given; its quantity
    is an upper bound when any of its lines is. ``strict=False`` skips unknown establishments
    (committed quantities of establishments that are not part of this run)."""
    register = BASES.index("register")
    declared: dict[tuple[int, int, int], list] = {}
    for flow in flows:
        if flow.company_id not in position:
            if not strict:
                continue
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
        rank = BASES.index(flow.basis)
        entry = declared.setdefault(key, [0.0, rank, "", False])
        if rank < register <= entry[1]:
            # The company's figure replaces what the register said of this resource and direction.
            entry[:] = [0.0, rank, "", False]
        elif rank >= register > entry[1]:
            continue
        entry[0] += qty
        entry[1] = min(entry[1], rank)
        operation = (flow.operation or "").strip().upper()
        goes_to_disposal = operation_kind(operation) == "D" and operation_kind(entry[2]) != "D"
        if operation and (not entry[2] or goes_to_disposal):
            entry[2] = operation
        entry[3] = entry[3] or bool(flow.upper_bound)
    return declared
