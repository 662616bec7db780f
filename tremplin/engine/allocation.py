"""Network allocation: share limited supplies among competing demands with a global optimisation.

Decision variables: ``x_c`` >= 0, the yearly quantity supplied through candidate ``c`` (output units).
Constraints: for each supply flow, ``sum x_c <= supply``; for each demand flow, ``sum ratio_c * x_c <=
demand``; so no supply is ever promised twice.  Objective: maximise the total net gain (variable gain per
unit times ``x_c``, minus the yearly pipe annuity ``F_c`` of a link when it is used, through a binary
``y_c`` with ``x_c <= ub_c * y_c``: a MILP), or the total CO2 avoided.  Solved with HiGHS
(:func:`scipy.optimize.milp`), one connected part at a time for the candidates with a pipe link (a
part shares no supply and no demand with the others, so the optimum is the same), the others in one LP:
on a partition of 17,664 candidates (benchmarks/partition.py) 12 s instead of 35 s for one MILP, and a
part is solved alike in a partition and in one big run (tests/engine/test_partition.py). Each part's MILP
stops at a relative optimality gap (``mip_gap``: 1e-6 by default, the optimum; a national run accepts 2 %,
see tremplin.national.compute, as a part of a dense area can hold thousands of pipe links; such a run
solves its small parts in batches, see ``_BATCH_GAP``).

>>> solve_allocation(gain_per_unit=[10.0, 8.0], fixed=[0.0, 0.0], ratio=[1.0, 1.0], supply_of=[0, 0],
...                  supply=[5.0], demand_of=[0, 1], demand=[4.0, 4.0], upper=[4.0, 4.0]).round(6).tolist()
[4.0, 1.0]
"""

from __future__ import annotations

import contextlib
import os
import sys

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, vstack
from scipy.sparse.csgraph import connected_components

__all__ = ["solve_allocation"]


def solve_allocation(
    *,
    gain_per_unit,
    fixed,
    ratio,
    supply_of,
    supply,
    demand_of,
    demand,
    upper,
    time_limit: float = 60.0,
    mip_gap: float = 1e-6,
    needed=None,
) -> np.ndarray:
    """Optimal quantities ``x`` for each candidate (see module docstring).

    ``supply_of[c]`` / ``demand_of[c]`` give the supply and demand index of candidate ``c``; ``upper[c]`` is
    its largest possible quantity.  Candidates with a non-positive gain are never used.  ``time_limit``
    (seconds) applies to each connected part with pipe links, and to the LP of the rest; ``mip_gap`` is
    the relative optimality gap at which a part's MILP stops (its plan is proven within that share of
    the part's optimal gain).  ``needed``
    (a mask over the candidates; None: all): only the connected parts holding a needed candidate are
    solved, the others get 0 (their optimum does not depend on the rest, nor the rest on them).
    """
    g = np.asarray(gain_per_unit, dtype=float)
    f = np.asarray(fixed, dtype=float)
    r = np.asarray(ratio, dtype=float)
    ub = np.asarray(upper, dtype=float)
    n = len(g)
    if n == 0:
        return np.empty(0)
    s_of, d_of = np.asarray(supply_of, dtype=np.int64), np.asarray(demand_of, dtype=np.int64)
    supply, demand = np.asarray(supply, dtype=float), np.asarray(demand, dtype=float)
    useful = (g > 0) & (ub > 0) & (g * ub > f)
    # Candidates that share no supply and no demand, directly or through others, are independent
    # problems: the pipe links (binaries) are solved one connected part at a time (a MILP over the whole
    # territory can take HiGHS minutes for what its parts take milliseconds), the rest in one LP.
    nodes = len(supply) + len(demand)
    graph = coo_matrix((np.ones(n), (s_of, len(supply) + d_of)), shape=(nodes, nodes))
    _, part_of_node = connected_components(graph, directed=False)
    part = part_of_node[s_of]
    if needed is not None:
        wanted = np.zeros(part_of_node.max() + 1, bool)
        wanted[part[np.asarray(needed, dtype=bool)]] = True
        useful = useful & wanted[part]
    with_link = np.zeros(part_of_node.max() + 1, bool)
    with_link[part[useful & (f > 0)]] = True
    x = np.zeros(n)
    pieces = [np.flatnonzero(~with_link[part] & useful)]
    order = np.argsort(part, kind="stable")
    linked = order[with_link[part[order]] & useful[order]]
    if len(linked):
        bounds = np.flatnonzero(np.diff(part[linked])) + 1
        pieces.extend(np.split(linked, bounds))
    linked_useful = useful & (f > 0)
    batch: list[np.ndarray] = []
    batch_links = 0

    def solve(piece: np.ndarray, gap: float) -> None:
        s_ids, s_local = np.unique(s_of[piece], return_inverse=True)
        d_ids, d_local = np.unique(d_of[piece], return_inverse=True)
        x[piece] = _solve(
            g[piece],
            f[piece],
            r[piece],
            ub[piece],
            useful[piece],
            s_local,
            supply[s_ids],
            d_local,
            demand[d_ids],
            time_limit,
            gap,
        )

    for number, piece in enumerate(pieces):
        if len(piece) == 0:
            continue
        links = int(linked_useful[piece].sum())
        alone = number == 0 or mip_gap <= _BATCH_GAP or links > _BATCH_PART_LINKS
        if alone or _is_star(s_of[piece], d_of[piece], links):
            solve(piece, mip_gap)
            continue
        batch.append(piece)
        batch_links += links
        if batch_links >= _BATCH_LINKS:
            solve(np.concatenate(batch), min(mip_gap, _BATCH_GAP))
            batch, batch_links = [], 0
    if batch:
        solve(np.concatenate(batch), min(mip_gap, _BATCH_GAP))
    return x


#: In a run that accepts a gap (``mip_gap`` above ``_BATCH_GAP``: the national potential), small parts
#: with pipe links (at most ``_BATCH_PART_LINKS`` links, and not stars) are solved together, up to about
#: ``_BATCH_LINKS`` links in one MILP, at the relative gap ``_BATCH_GAP``: HiGHS spends about ten
#: milliseconds on a MILP however small, and the parts sharing nothing, the optimum of their union is
#: theirs. A run that asks for the optimum (the default) solves each part alone, so that a part gets the
#: same plan in a partition and in one big run, ties included (a supply shared by two receivers at equal
#: gain is split as HiGHS's path on that part decides, and a batch changes the path). Measured on the 48
#: such parts of the Côte-d'Or (21) in the national benchmark at 2 million establishments: 0.52 s one by
#: one (at the national 2 % gap), 0.12 s together at 1e-6, with a total gain 0.04 % higher (each part
#: optimal instead of within 2 %).
_BATCH_PART_LINKS = 24
_BATCH_LINKS = 240
_BATCH_GAP = 1e-6


def _is_star(s_of: np.ndarray, d_of: np.ndarray, links: int) -> bool:
    """Whether a part is one :func:`_solve_star` solves (one supply to demands of their own, or one
    demand from supplies of their own, with at most ``_STAR_LINKS`` pipe links)."""
    n = len(s_of)
    supplies, demands = len(np.unique(s_of)), len(np.unique(d_of))
    return links <= _STAR_LINKS and ((supplies == 1 and demands == n) or (demands == 1 and supplies == n))


#: A part whose candidates share one supply, each to its own demand (or one demand, each from its own
#: supply), with at most this many pipe links is solved by enumeration.
_STAR_LINKS = 6


def _solve(g, f, r, ub, useful, s_of, supply, d_of, demand, time_limit, mip_gap=1e-6) -> np.ndarray:
    """One allocation problem (see :func:`solve_allocation`), as one MILP (an LP without pipe links)."""
    n = len(g)
    if not useful.any():
        return np.zeros(n)
    star = (len(supply) == 1 and len(demand) == n) or (len(demand) == 1 and len(supply) == n)
    if star and int((useful & (f > 0)).sum()) <= _STAR_LINKS:
        return _solve_star(g, f, r, ub, useful, s_of, supply, d_of, demand)
    binaries = np.flatnonzero(useful & (f > 0))
    nb = len(binaries)
    cols = np.arange(n)
    a_supply = coo_matrix((np.ones(n), (s_of, cols)), shape=(len(supply), n + nb))
    a_demand = coo_matrix((r, (d_of, cols)), shape=(len(demand), n + nb))
    blocks = [a_supply, a_demand]
    lower_rhs = [np.full(len(supply), -np.inf), np.full(len(demand), -np.inf)]
    upper_rhs = [supply, demand]
    if nb:
        rows = np.arange(nb)
        link = coo_matrix(
            (np.r_[np.ones(nb), -ub[binaries]], (np.r_[rows, rows], np.r_[binaries, n + rows])),
            shape=(nb, n + nb),
        )
        blocks.append(link)
        lower_rhs.append(np.full(nb, -np.inf))
        upper_rhs.append(np.zeros(nb))
    matrix = vstack(blocks).tocsr()
    cost = np.r_[-np.where(useful, g, 0.0), f[binaries]]
    lb = np.zeros(n + nb)
    hi = np.r_[np.where(useful, ub, 0.0), np.ones(nb)]
    integrality = np.r_[np.zeros(n), np.ones(nb)]
    with _quiet_native_stdout():
        result = milp(
            cost,
            constraints=LinearConstraint(matrix, np.concatenate(lower_rhs), np.concatenate(upper_rhs)),
            integrality=integrality,
            bounds=Bounds(lb, hi),
            options={"time_limit": time_limit, "disp": False, "mip_rel_gap": mip_gap},
        )
    if result.x is None:
        return np.zeros(n)
    x = np.clip(result.x[:n], 0.0, ub)
    x[x < 1e-9 * np.maximum(ub, 1.0)] = 0.0
    return x


def _solve_star(g, f, r, ub, useful, s_of, supply, d_of, demand) -> np.ndarray:
    """The exact optimum of a part where every candidate shares one supply and has a demand of its own
    (or shares one demand and has a supply of its own): for each
    set of pipe links open, a fractional knapsack on the shared constraint, filled by decreasing gain per
    unit of it (each candidate bounded by its own demand, or supply, and ``ub``); the best set wins
    (ties: fewer links, first found). A part of one candidate is the single-item case. HiGHS takes about
    ten milliseconds per part, however small; most parts are stars of a few candidates."""
    n = len(g)
    shared_supply = len(supply) == 1
    if shared_supply:
        capacity = float(supply[0])
        weight = np.ones(n)
        own = np.minimum(ub, demand[d_of] / r)
    else:
        capacity = float(demand[0])
        weight = r.astype(float)
        own = np.minimum(ub, supply[s_of])
    own = np.where(useful, np.maximum(own, 0.0), 0.0)
    links = np.flatnonzero(useful & (f > 0))
    free = useful & (f <= 0)
    order = np.lexsort((np.arange(n), -(g / weight)))
    best_x, best_value = np.zeros(n), 0.0
    for mask in range(1 << len(links)):
        open_ = free.copy()
        chosen = [links[j] for j in range(len(links)) if mask >> j & 1]
        open_[chosen] = True
        x = np.zeros(n)
        left = capacity
        for i in order:
            if not open_[i] or left <= 0:
                continue
            x[i] = min(own[i], left / weight[i])
            left -= x[i] * weight[i]
        value = float(g @ x) - float(f[chosen].sum())
        if value > best_value * (1 + 1e-12) + 1e-9:
            best_x, best_value = x, value
    return best_x


@contextlib.contextmanager
def _quiet_native_stdout():
    """Silence HiGHS's native debug prints, which would otherwise pollute the command line's stdout."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
