"""Deductive estimation of flows from activity code (NAF rév. 2) and headcount.

Each establishment gets the flows of its sector profile (see :meth:`KnowledgeBase.profile_for`): for every
row, ``per_employee * headcount + per_establishment`` in the resource's default unit per year, when the
headcount reaches the row's ``min_headcount``, and never more than the row's ``max_per_site`` (what a
large real site of that activity has).  A flow cut down to that maximum is *bounded*:
:func:`estimate_flow_arrays` says which.  Estimated flows are leads, never established facts: their basis
is ``"estimated"``.

>>> from tremplin.engine.model import Establishment
>>> flows = estimate_flows([Establishment("b1", "Brasserie", "11.05Z", 49.0, 0.1, 10)])
>>> [(f.direction, f.resource, f.quantity) for f in flows if f.resource == "bio_spent_grain"]
[('out', 'bio_spent_grain', 600.0)]
>>> bounded = estimate_flows([Establishment("b2", "Brasserie", "11.05Z", 49.0, 0.1, 5000)])
>>> [f.quantity for f in bounded if f.resource == "bio_spent_grain"]
[60000.0]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from . import naf as naf_module
from .knowledge import KnowledgeBase, default_knowledge_base
from .model import Establishment, Flow

__all__ = ["estimate_flow_arrays", "estimate_flows"]


def estimate_flow_arrays(
    naf_codes: list[str],
    headcounts: np.ndarray,
    kb: KnowledgeBase,
    resource_index: dict[str, int],
    *,
    with_bounded: bool = False,
) -> tuple[np.ndarray, ...]:
    """Vectorised estimation for many establishments.

    Returns ``(establishment_position, direction, resource_position, quantity)`` arrays, where direction
    is 1 for "out" and 0 for "in"; rows with a zero quantity are left out.  With ``with_bounded=True`` a
    fifth boolean array ``bounded`` is True where the per-employee estimate was cut down to the row's
    plausible per-site maximum.
    """
    groups: dict[str, list[int]] = {}
    for position, code in enumerate(naf_codes):
        groups.setdefault(code, []).append(position)
    comp_parts, dir_parts, res_parts, qty_parts, bound_parts = [], [], [], [], []
    for code in sorted(groups):
        members = np.asarray(groups[code], dtype=np.int64)
        heads = headcounts[members]
        for row in kb.profile_for(code):
            raw = row.per_employee * heads + row.per_establishment
            raw = np.where(heads >= row.min_headcount, raw, 0.0)
            keep = raw > 0
            if not keep.any():
                continue
            raw = raw[keep]
            bounded = raw > row.max_per_site
            comp_parts.append(members[keep])
            dir_parts.append(np.full(len(raw), 1 if row.direction == "out" else 0, dtype=np.int8))
            res_parts.append(np.full(len(raw), resource_index[row.resource], dtype=np.int32))
            qty_parts.append(np.minimum(raw, row.max_per_site))
            bound_parts.append(bounded)
    if not comp_parts:
        arrays = (
            np.empty(0, np.int64),
            np.empty(0, np.int8),
            np.empty(0, np.int32),
            np.empty(0),
            np.empty(0, dtype=bool),
        )
    else:
        arrays = (
            np.concatenate(comp_parts),
            np.concatenate(dir_parts),
            np.concatenate(res_parts),
            np.concatenate(qty_parts),
            np.concatenate(bound_parts),
        )
    return arrays if with_bounded else arrays[:4]


def estimate_flows(establishments: Iterable[Establishment], kb: KnowledgeBase | None = None) -> list[Flow]:
    """Estimated yearly flows of each establishment, from its sector profile (basis ``"estimated"``)."""
    kb = kb or default_knowledge_base()
    items = list(establishments)
    codes = [naf_module.normalise_naf(e.naf) for e in items]
    from .model import Parameters

    default = Parameters().unknown_headcount
    heads = np.asarray(
        [default if e.headcount is None or e.headcount != e.headcount else float(e.headcount) for e in items],
        dtype=float,
    )
    codes_list = list(kb.resources)
    index = {code: i for i, code in enumerate(codes_list)}
    comp, direction, res, qty = estimate_flow_arrays(codes, heads, kb, index)
    order = np.lexsort((res, direction, comp))
    return [
        Flow(
            items[c].id,
            "out" if d else "in",
            codes_list[r],
            float(q),
            kb.resources[codes_list[r]].unit,
            "estimated",
        )
        for c, d, r, q in zip(comp[order], direction[order], res[order], qty[order], strict=True)
    ]
