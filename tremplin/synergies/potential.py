"""Potential figures of a set of synergies without counting one supply twice.

Several synergies of a pipeline can draw on one gisement (the brewery's spent grain offered to two farms)
or fill one besoin: adding up their estimates would promise the same tonnes twice. The share of each
substitution synergy that can really happen together with the others is its quantity in the optimal
allocation (the engine's HiGHS allocation, :func:`tremplin.engine.allocation.solve_allocation`) under
these limits:

* a gisement gives at most its quantity: the one recorded at detection (``factors.quantite_gisement``),
  or, for older synergies, the largest quantity any of its synergies takes;
* a besoin takes at most its quantity, likewise (``factors.quantite_besoin``, else the largest need met).

A mutualisation pools what each member has; it promises no supply to anyone else and counts in full.

>>> share = allocation_shares([
...     {"pk": 1, "kind": "substitution", "source": 10, "target": 20, "resource": "r", "input": "i",
...      "quantity": 100.0, "ratio": 1.0, "gain": 1000.0, "supply": 100.0, "demand": 100.0},
...     {"pk": 2, "kind": "substitution", "source": 10, "target": 21, "resource": "r", "input": "i",
...      "quantity": 100.0, "ratio": 1.0, "gain": 800.0, "supply": 100.0, "demand": 100.0},
... ])
>>> share[1], share[2]
(1.0, 0.0)
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from tremplin.engine.allocation import solve_allocation

__all__ = ["SYNERGY_FIELDS", "allocation_shares", "synergy_row", "synergy_rows"]


def allocation_shares(rows: list[dict]) -> dict[int, float]:
    """Share (0–1) of each synergy's estimates that the optimal allocation keeps, by primary key."""
    shares = {row["pk"]: 1.0 for row in rows if row["kind"] != "substitution" or row["quantity"] <= 0}
    subs = [row for row in rows if row["kind"] == "substitution" and row["quantity"] > 0]
    if not subs:
        return shares
    supply_key = [(row["source"], row["resource"]) for row in subs]
    demand_key = [(row["target"], row["input"]) for row in subs]
    supply: dict = defaultdict(float)
    demand: dict = defaultdict(float)
    for row, s_key, d_key in zip(subs, supply_key, demand_key, strict=True):
        supply[s_key] = max(supply[s_key], row.get("supply") or row["quantity"])
        demand[d_key] = max(demand[d_key], row.get("demand") or row["quantity"] * row["ratio"])
    s_index = {key: i for i, key in enumerate(supply)}
    d_index = {key: i for i, key in enumerate(demand)}
    quantity = np.asarray([row["quantity"] for row in subs], dtype=float)
    gain = np.asarray([row["gain"] for row in subs], dtype=float)
    # Every synergy of the pipeline is worth having: a tiny positive value keeps one whose estimated gain
    # is nil or negative in the allocation when nothing competes with it.
    per_unit = np.maximum(gain, 1e-6 * quantity) / quantity
    x = solve_allocation(
        gain_per_unit=per_unit,
        fixed=np.zeros(len(subs)),
        ratio=np.asarray([row["ratio"] for row in subs], dtype=float),
        supply_of=np.asarray([s_index[k] for k in supply_key]),
        supply=np.asarray(list(supply.values()), dtype=float),
        demand_of=np.asarray([d_index[k] for k in demand_key]),
        demand=np.asarray(list(demand.values()), dtype=float),
        upper=quantity,
    )
    for row, q, allocated in zip(subs, quantity, x, strict=True):
        shares[row["pk"]] = float(min(1.0, allocated / q))
    return shares


def synergy_rows(synergies) -> list[dict]:
    """The rows :func:`allocation_shares` needs, from Synergy objects with their participants."""
    return [
        synergy_row(
            {field: getattr(synergy, field) for field in SYNERGY_FIELDS},
            {p.role: p.establishment_id for p in synergy.participants.all()},
        )
        for synergy in synergies
    ]


#: The fields of a synergy :func:`synergy_row` reads.
SYNERGY_FIELDS = ("pk", "kind", "resource", "input_resource", "quantity", "gain_eur_per_year", "breakdown")


def synergy_row(synergy: dict, roles: dict) -> dict:
    """The row of one synergy, from its :data:`SYNERGY_FIELDS` and its participants' establishment by
    role (a list of many synergies reads them with ``values()``, without building objects)."""
    factors = (synergy["breakdown"] or {}).get("factors") or {}
    return {
        "pk": synergy["pk"],
        "kind": synergy["kind"],
        "source": roles.get("source"),
        "target": roles.get("target"),
        "resource": synergy["resource"],
        "input": synergy["input_resource"],
        "quantity": float(synergy["quantity"] or 0.0),
        "ratio": float(factors.get("ratio") or 1.0),
        "gain": float(synergy["gain_eur_per_year"] or 0.0),
        "supply": factors.get("quantite_gisement"),
        "demand": factors.get("quantite_besoin"),
    }
