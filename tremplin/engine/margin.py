"""A lean margin for a partitioned run: the establishments of a margin that can matter to the core.

The full margin of a partition (every establishment within the engine's reach of a core one, see
:mod:`tremplin.engine.partition`) is what makes the core's leads exact, but in a dense area it is
many times the core: with a 15 km reach, a tile of Paris carries the whole of the inner suburbs, while
a supply only ever meets its ``neighbours_per_source`` nearest receivers (a few hundred metres away
there) and a group its ``max_members`` nearest members.

:class:`MarginLinks` runs the engine's own matching once on a pool (a département and its full
margin), under the run's neighbour budget, distance limits and thresholds: for each rule, every pair
its neighbour search meets and the candidates that pass (each rule's best few per supply), and for
each kind of mutualisation the nearest eligible members within the kind's radius. These are the
**links**. :meth:`MarginLinks.select` then keeps, for a set of core establishments:

- the core, and every receiver the neighbour search of a core supply meets: a core supply's candidates
  are then exactly those of the full margin (leaving out establishments that are not among a supply's
  nearest receivers changes none of its neighbours);
- ring 1, the receivers of the core's candidates, the suppliers whose candidates reach a core
  establishment and the core's possible group members;
- ring 2, their competitors: the other suppliers (and possible group members) of a ring-1 receiver or
  member, the other receivers of a ring-1 supplier. The caps a core lead meets are then filled as in
  the full margin, but for the leads of ring 2 itself, whose own competitors are cut off.

So the difference from the full margin is of the same nature as the full margin's own at its outer
edge (a margin establishment misses its competitors beyond the margin), brought two rings from the
core. Measured on a partition of the generated national file (16,347 core establishments, 8,244 in
its full margin): 5,880 kept, 10 of 13,268 lead ids differ (0.08 %), the total gain of the plan
-0.02 %. tests/engine/test_partition.py measures it on the generated four-département case. In a
dense area the gain is larger but still short of a small margin: a tile of Paris (26,595 core
establishments, 294,000 in its full margin) keeps about 100,000, as rare resources link
establishments across the whole reach.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
from scipy.sparse import coo_matrix

from .context import build_context
from .geo import NeighbourIndex
from .knowledge import KnowledgeBase, default_knowledge_base
from .model import Establishment, Parameters
from .mutualisation import kind_parts
from .substitution import cap_per_source, flow_groups, rule_candidates

__all__ = ["DEFAULT_RINGS", "MarginLinks"]

#: Rings of links kept around the core (see the module docstring).
DEFAULT_RINGS = 2


class MarginLinks:
    """The links between the establishments of a pool (see the module docstring). Built once per
    pool; :meth:`select` is cheap and can be called for several cores (the tiles of a département).

    ``params`` should be the partition's (:func:`tremplin.engine.partition.partition_parameters`):
    the links are the candidates of a run under those parameters.
    """

    def __init__(
        self,
        establishments: Iterable[Establishment],
        *,
        kb: KnowledgeBase | None = None,
        params: Parameters | None = None,
    ) -> None:
        kb = kb or default_knowledge_base()
        params = params or Parameters()
        ctx = build_context(list(establishments), None, kb, params)
        self.establishments: list[Establishment] = ctx.establishments
        self._position = {e.id: i for i, e in enumerate(self.establishments)}
        n = len(self.establishments)
        supplies: list[tuple[np.ndarray, np.ndarray]] = []
        neighbours: list[tuple[np.ndarray, np.ndarray]] = []
        keep_per_source = params.max_candidates_per_source * 3
        comp = ctx.f_comp.astype(np.int32)
        for _rule, part, (s_flow, t_flow) in rule_candidates(ctx):
            # Each rule's best few per supply: the candidates find_substitutions keeps are among them.
            part = cap_per_source(ctx, part, "gain", keep_per_source)
            # as int32 from the start: in Paris the neighbour pairs number 15 million
            supplies.append((comp[part.s_flow], comp[part.t_flow]))
            neighbours.append((comp[s_flow], comp[t_flow]))
        members = _group_links(ctx, flow_groups(ctx)) if params.mutualisation else []
        #: supplier -> receiver (a substitution candidate), and member <-> member (a possible group);
        #: supplier -> every receiver its neighbour search meets, candidate or not (kept for the core:
        #: leaving one out would let the search reach a receiver farther away, a candidate the full
        #: margin does not have).
        self._neighbours = _graph(neighbours, n)
        self._supplies = _graph(supplies, n)
        self._receives = self._supplies.T.tocsr()
        grouped = _graph(members, n)
        self._members = (grouped + grouped.T).tocsr()
        self.links = int(self._neighbours.nnz + grouped.nnz)

    def mask(self, core: Collection[str], rings: int = DEFAULT_RINGS) -> np.ndarray:
        """Which establishments of the pool (in :attr:`establishments` order) are ``core`` or within
        ``rings`` rings of it: ring 1 the receivers, suppliers and possible group members of the core;
        ring k+1 the competitors of ring k (the other suppliers and possible members of its receivers
        and members, the other receivers of its suppliers)."""
        keep = np.zeros(len(self.establishments), bool)
        positions = [self._position[i] for i in core if i in self._position]
        keep[positions] = True
        as_receiver = as_supplier = as_member = keep.copy()
        core_mask = keep.copy()
        for _ring in range(max(int(rings), 0)):
            # A receiver's leads per need count its substitutions and its groups alike: who supplies it
            # and whom it could group with are its competitors, whether it was reached as one or the other.
            receivers = _reach(self._supplies, as_supplier)
            suppliers = _reach(self._receives, as_receiver | as_member)
            members = _reach(self._members, as_member | as_receiver)
            as_receiver, as_supplier, as_member = receivers & ~keep, suppliers & ~keep, members & ~keep
            if not (as_receiver.any() or as_supplier.any() or as_member.any()):
                break
            keep |= as_receiver | as_supplier | as_member
        if rings > 0:
            keep |= _reach(self._neighbours, core_mask)
        return keep

    def select(self, core: Collection[str], rings: int = DEFAULT_RINGS) -> list[Establishment]:
        """The core establishments and those within ``rings`` links of them (see :meth:`mask`)."""
        keep = self.mask(core, rings)
        return [e for e, kept in zip(self.establishments, keep, strict=True) if kept]


def _graph(pairs: list[tuple[np.ndarray, np.ndarray]], n: int):
    a = np.concatenate([p[0] for p in pairs]).astype(np.int32) if pairs else np.empty(0, np.int32)
    b = np.concatenate([p[1] for p in pairs]).astype(np.int32) if pairs else np.empty(0, np.int32)
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n)).tocsr()
    graph.data[:] = 1
    return graph


def _reach(graph, frontier: np.ndarray) -> np.ndarray:
    """The establishments a link of ``graph`` leads to from ``frontier``."""
    reached = np.zeros(len(frontier), bool)
    if frontier.any():
        reached[graph[np.flatnonzero(frontier)].indices] = True
    return reached


def _group_links(ctx, groups_by_key: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each kind and resource of mutualisation, each eligible flow's nearest eligible flows of the
    same sector within the kind's radius: the members a group seeded by one could take (as
    :func:`tremplin.engine.mutualisation.find_groups` looks them up)."""
    pairs = []
    for kind, _resource, _cost, _flows, parts in kind_parts(ctx, groups_by_key):
        for part in parts:
            comp = ctx.f_comp[part]
            index = NeighbourIndex(ctx.lat[comp], ctx.lon[comp], keys=comp)
            rows, cols, _ = index.query(
                ctx.lat[comp], ctx.lon[comp], k=kind.max_members, radius_km=kind.radius_km
            )
            pairs.append((comp[rows].astype(np.int32), comp[cols].astype(np.int32)))
    return pairs
