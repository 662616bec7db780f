"""Heat networks (réseaux de chaleur) as receivers of waste heat, reached at the nearest point of their trace.

A heat network is not a point: a supplier of waste heat can connect to it anywhere along its pipes. Each
network given to :func:`tremplin.engine.detect` becomes one receiving site (activity 35.30Z, no employee,
so that no sector profile is estimated for it) with one need, hot water (``heat_medium``), of
``demand_mwh x recovered_share`` MWh per year. Its substitution leads are not found by the nearest-points
search of the other receivers: the distance from each supplier is measured to the nearest point of the
trace, both projected in Lambert-93 (EPSG:2154, metres), and the road/pipe distance is that distance times
the detour factor, as for every other pair.

The share of a network's deliveries that recovered heat may cover is an assumption, stated as an
estimate (``DEFAULT_RECOVERED_SHARE``): a waste-heat source runs all year and is sized for the base of
the network's load, the rest (winter peaks, back-up) staying with the network's own plants.

>>> from tremplin.engine.model import Establishment, Flow
>>> line = ((0.10, 49.50), (0.17, 49.50))  # about 5 km west to east
>>> network = HeatNetwork("net", "Réseau du Port", (line,), 40_000, operator="Régie du Port")
>>> round(trace_distance_km(network, 49.509, 0.135), 2)  # 1 km north of its middle
1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

from .exceptions import InputError
from .model import Establishment, Flow, Opportunity

__all__ = [
    "DEFAULT_RECOVERED_SHARE",
    "NETWORK_NAF",
    "NETWORK_RESOURCE",
    "HeatNetwork",
    "NetworkSites",
    "site_point",
    "trace_distance_km",
]

#: Estimate (not a published figure): the part of a network's yearly deliveries a recovered-heat source
#: can cover, the base load of the network; the operator's own plants keep the peaks and the back-up.
DEFAULT_RECOVERED_SHARE = 0.5
#: Activity of a heat network: NAF rév. 2 35.30Z, production et distribution de vapeur et d'air conditionné.
NETWORK_NAF = "35.30Z"
#: What a network takes in: hot water of 60 to 100 °C, the temperature of most French networks.
NETWORK_RESOURCE = "heat_medium"


@dataclass(frozen=True)
class HeatNetwork:
    """A heat network: ``lines`` are the parts of its trace, each a sequence of (longitude, latitude) in
    WGS84; a part of a single position stands for a network whose trace is not published (it is then
    reached at that point, and its leads say so). ``demand_mwh`` is its yearly deliveries."""

    id: str
    name: str
    lines: Sequence[Sequence[tuple[float, float]]]
    demand_mwh: float
    operator: str = ""
    recovered_share: float = DEFAULT_RECOVERED_SHARE
    source: str = ""

    @property
    def has_trace(self) -> bool:
        return any(len(part) >= 2 for part in self.lines)


@cache
def _to_lambert93() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _projected_geometry(network: HeatNetwork):
    """The trace in Lambert-93 (metres), as one shapely geometry."""
    project = _to_lambert93().transform
    parts = []
    for part in network.lines:
        xs, ys = project([p[0] for p in part], [p[1] for p in part])
        coords = list(zip(xs, ys, strict=True))
        parts.append(shapely.LineString(coords) if len(coords) >= 2 else shapely.Point(coords[0]))
    if not parts:
        raise InputError(f"réseau de chaleur {network.id!r} sans tracé ni position", field="lines")
    return parts[0] if len(parts) == 1 else shapely.GeometryCollection(parts)


def _distances_km(geometry, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    xs, ys = _to_lambert93().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return shapely.distance(shapely.points(np.column_stack([xs, ys])), geometry) / 1000.0


def trace_distance_km(network: HeatNetwork, lat: float, lon: float) -> float:
    """Distance (km) from a point to the nearest point of the network's trace, in Lambert-93."""
    return float(_distances_km(_projected_geometry(network), np.asarray([lat]), np.asarray([lon]))[0])


def _site_point(geometry) -> tuple[float, float]:
    """(lat, lon) of a point on the trace, to place the network's site on maps and lists."""
    lines = [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type == "LineString"]
    if lines:
        longest = max(lines, key=lambda g: g.length)
        point = longest.interpolate(0.5, normalized=True)
    else:
        point = shapely.get_geometry(geometry, 0) if geometry.geom_type == "GeometryCollection" else geometry
    lon, lat = _to_wgs84().transform(point.x, point.y)
    return float(lat), float(lon)


def site_point(network: HeatNetwork) -> tuple[float, float]:
    """(lat, lon) where the network's site stands: the middle of the longest line of its trace."""
    return _site_point(_projected_geometry(network))


def _fr(value: float, decimals: int = 0) -> str:
    from .explain import fr

    return fr(value, decimals)


class NetworkSites:
    """The networks of one detection: their sites and needs, their trace candidates, their explanations."""

    def __init__(self, networks: Iterable[HeatNetwork]) -> None:
        self.networks: dict[str, HeatNetwork] = {}
        for network in networks:
            if network.id in self.networks:
                raise InputError(f"identifiant de réseau de chaleur en double : {network.id!r}", field="id")
            if not network.demand_mwh > 0:
                raise InputError(
                    f"réseau de chaleur {network.id!r} : livraisons nulles ou inconnues", field="demand"
                )
            if not 0 < network.recovered_share <= 1:
                raise InputError(
                    f"réseau de chaleur {network.id!r} : part récupérable hors de ]0, 1]", field="share"
                )
            self.networks[network.id] = network
        self.geometries = {key: _projected_geometry(n) for key, n in self.networks.items()}
        self._distance: dict[str, np.ndarray] = {}

    def merge(self, establishments, flows):
        """The establishments and flows with the networks' sites and needs. An establishment that has a
        network's id is the network's own record (the platform keeps one for each): it is replaced by the
        network's site, and flows given for it are left out (the need comes from the deliveries)."""
        kept = [e for e in establishments if e.id not in self.networks]
        sites = []
        for key, network in self.networks.items():
            lat, lon = _site_point(self.geometries[key])
            sites.append(Establishment(key, network.name, NETWORK_NAF, lat, lon, 0.0))
        needs = [
            Flow(key, "in", NETWORK_RESOURCE, n.demand_mwh * n.recovered_share, "MWh", "estimated")
            for key, n in self.networks.items()
        ]
        others = [f for f in flows if f.company_id not in self.networks] if flows is not None else []
        return kept + sites, others + needs

    def _flows(self, ctx) -> np.ndarray:
        positions = {i for i, e in enumerate(ctx.establishments) if e.id in self.networks}
        return np.flatnonzero(np.isin(ctx.f_comp, list(positions)))

    @contextmanager
    def hidden(self, ctx):
        """The networks' needs are out of the nearest-points search (a trace is not its site's point):
        their quantities are zero meanwhile, then put back for the trace search and the plan."""
        rows = self._flows(ctx)
        saved = ctx.f_qty[rows].copy()
        ctx.f_qty[rows] = 0.0
        try:
            yield
        finally:
            ctx.f_qty[rows] = saved

    def distances(self, ctx, key: str) -> np.ndarray:
        """Distance (km) from every establishment of the run to the trace of network ``key``."""
        if key not in self._distance:
            self._distance[key] = _distances_km(self.geometries[key], ctx.lat, ctx.lon)
        return self._distance[key]

    def add_candidates(self, ctx, rules: list, candidates, *, objective: str, stats: dict | None = None):
        """``(rules, candidates)`` with the pairs supplier → network, measured to the trace, added."""
        from . import naf as naf_module
        from .substitution import (
            Candidates,
            _economics,
            best_rule_per_pair,
            cap_per_source,
            objective_values,
            rule_distance_limit,
        )

        params = ctx.params
        site = {e.id: i for i, e in enumerate(ctx.establishments) if e.id in self.networks}
        position_key = {i: key for key, i in site.items()}
        need_rows = self._flows(ctx)
        need_rows = need_rows[(ctx.f_dir[need_rows] == 0) & (ctx.f_qty[need_rows] > 0)]
        supply_rows = np.flatnonzero(
            (ctx.f_dir == 1) & (ctx.f_qty > 0) & ~np.isin(ctx.f_comp, list(site.values()))
        )
        ancestors = tuple(naf_module.naf_ancestors(naf_module.normalise_naf(NETWORK_NAF)))
        threshold = params.min_co2_t if objective == "co2" else params.min_gain_eur
        position_of = {rule.id: i for i, rule in enumerate(rules)}
        parts = []
        for base_rule in ctx.kb.rules:
            rule = ctx.rule(base_rule)
            if rule is None or not rule.accepts(ancestors):
                continue
            out_r, in_r = ctx.resource_index[rule.output], ctx.resource_index[rule.input]
            demands = need_rows[ctx.f_res[need_rows] == in_r]
            supplies = supply_rows[ctx.f_res[supply_rows] == out_r]
            if len(demands) == 0 or len(supplies) == 0:
                continue
            out_res, in_res = ctx.resources[out_r], ctx.resources[in_r]
            dmax = rule_distance_limit(ctx, rule, out_res)
            s_parts, t_parts, gc_parts = [], [], []
            for t_row in demands:
                key = position_key[int(ctx.f_comp[t_row])]
                gc = self.distances(ctx, key)[ctx.f_comp[supplies]]
                s_parts.append(supplies)
                t_parts.append(np.full(len(supplies), t_row, dtype=np.int64))
                gc_parts.append(gc)
            s_flow, t_flow, gc = np.concatenate(s_parts), np.concatenate(t_parts), np.concatenate(gc_parts)
            road = self._road_km(ctx, s_flow, t_flow, gc, position_key)
            near = road <= dmax + 1e-9
            s_flow, t_flow, gc, road = s_flow[near], t_flow[near], gc[near], road[near]
            if len(s_flow) == 0:
                continue
            if rule.id not in position_of:
                position_of[rule.id] = len(rules)
                rules.append(rule)
            part = _economics(ctx, position_of[rule.id], rule, out_res, in_res, s_flow, t_flow, gc, road)
            keep = (part.quantity > 0) & (objective_values(part, objective) >= threshold)
            parts.append(part.take(np.flatnonzero(keep)))
        if stats is not None:
            stats["heat_networks"] = len(self.networks)
            stats["heat_network_candidates"] = int(sum(len(p) for p in parts))
        if not parts:
            return rules, candidates
        merged = best_rule_per_pair(ctx, Candidates.concat([candidates, *parts]), objective)
        return rules, cap_per_source(ctx, merged, objective, params.max_candidates_per_source * 3)

    def _road_km(self, ctx, s_flow, t_flow, gc, position_key) -> np.ndarray:
        params = ctx.params
        if params.router is None:
            return gc * params.detour_factor
        to_wgs84 = _to_wgs84().transform
        to_l93 = _to_lambert93().transform
        road = np.empty(len(s_flow))
        for j, (s, t) in enumerate(zip(ctx.f_comp[s_flow], ctx.f_comp[t_flow], strict=True)):
            x, y = to_l93(ctx.lon[s], ctx.lat[s])
            geometry = self.geometries[position_key[int(t)]]
            nearest = shapely.shortest_line(shapely.Point(x, y), geometry).coords[-1]
            lon, lat = to_wgs84(*nearest)
            road[j] = params.router(ctx.lat[s], ctx.lon[s], lat, lon)
        return road

    def annotate(self, ctx, opportunities: list[Opportunity]) -> None:
        """Say, in the leads to a network, that the distance is to its trace and where the need comes from."""
        for opportunity in opportunities:
            network = self.networks.get(opportunity.target_id or "")
            if network is None or opportunity.type != "substitution":
                continue
            operator = f", exploité par {network.operator}" if network.operator else ""
            where = (
                "du tracé du réseau" if network.has_trace else "de la position publiée (sans tracé) du réseau"
            )
            gc = opportunity.great_circle_km
            sentence = (
                f"Réseau de chaleur : à {_fr(gc, 1)} km {where} « {network.name} »{operator} "
                f"(distance au point le plus proche, en Lambert-93)."
            )
            opportunity.explanation = f"{sentence} {opportunity.explanation}"
            opportunity.distance_method = "tracé du réseau de chaleur (point le plus proche, Lambert-93)" + (
                f" × détour {_fr(ctx.params.detour_factor, 2)}" if ctx.params.router is None else ", routeur"
            )
            share = network.recovered_share
            opportunity.assumptions = (
                *opportunity.assumptions,
                f"Besoin du réseau {network.name} : {_fr(share * 100)} % de ses livraisons de "
                f"{_fr(network.demand_mwh)} MWh/an"
                + (f" ({network.source})" if network.source else "")
                + " — part que la chaleur de récupération peut couvrir (base du réseau), estimation à "
                "vérifier avec l'exploitant.",
            )
