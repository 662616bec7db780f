"""Benchmark of one partition of a partitioned national run (tremplin.engine.partition).

Generates, with the establishment mix and density of benchmarks/detect.py, a square core of N
establishments and a margin of M km around it (the same density), then runs, each in a fresh subprocess
so that peak memories do not hide each other:

- ``core``: ``partition_leads(establishments, core)``: margin-owned leads compete for the caps and the
  plan but are not explained nor returned;
- ``no core``: ``detect(establishments, plan=True)`` on the same establishments, then the leads owned
  by the core kept (what a partitioned run had to do before ``core``).

Each mode runs ``--repeat`` times, alternately (the machine is shared); the best wall time is kept.
It prints wall time, peak memory (RSS high-water mark), leads kept and whether both keep the same leads.
The distance cap is set so that the engine's maximum matching distance equals the margin
(``Parameters(max_distance_km=margin x detour factor)``). Usage::

    python benchmarks/partition.py [--core 10000] [--margin-km 15] [--density 3.0] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def establishments(core: int, margin_km: float, density: float):
    """The core's establishments (a square of ``core`` at ``density`` per km²) and the margin's around."""
    from detect import generate  # benchmarks/detect.py

    side = math.sqrt(core / density)
    total = round(core * ((side + 2 * margin_km) / side) ** 2)
    sites = generate(total, density)
    lat0, lon0 = 49.0, 0.5
    km_lat, km_lon = 111.2, 111.2 * math.cos(math.radians(lat0))
    # generate() spreads them over a square of side sqrt(total / density): the core is its centre.
    low, high = margin_km, margin_km + side
    core_ids = [
        e.id for e in sites if low <= (e.lat - lat0) * km_lat < high and low <= (e.lon - lon0) * km_lon < high
    ]
    return sites, core_ids


def run_one(mode: str, core: int, margin_km: float, density: float) -> dict:
    from tremplin.engine import Parameters, detect
    from tremplin.engine.partition import (
        lead_owner,
        max_matching_distance_km,
        partition_leads,
        partition_parameters,
    )

    params = Parameters(max_distance_km=margin_km * Parameters().detour_factor)
    sites, core_ids = establishments(core, margin_km, density)
    started = time.perf_counter()
    if mode == "core":
        result = partition_leads(sites, core_ids, params=params)
        ids = sorted(lead.id for lead in result.leads)
        gain = sum(lead.gain_eur_per_year for lead in result.leads)
    else:
        owners = set(core_ids)
        run = detect(sites, params=partition_parameters(params), plan=True)
        kept = [o for o in run.opportunities if lead_owner(o) in owners]
        ids = sorted(o.id for o in kept)
        plan = {a.opportunity_id: a.gain_eur_per_year for a in run.plan.allocations}
        gain = sum(plan.get(o.id, 0.0) for o in kept)
    wall = time.perf_counter() - started
    return {
        "mode": mode,
        "establishments": len(sites),
        "core": len(core_ids),
        "margin_km_engine": max_matching_distance_km(params=params),
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "leads": len(ids),
        "ids_hash": hash(tuple(ids)),
        "plan_gain_eur": round(gain),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--core", type=int, default=10_000)
    parser.add_argument("--margin-km", type=float, default=15.0)
    parser.add_argument("--density", type=float, default=3.0, help="establishments per km² (default 3)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each mode, best time kept")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.core, args.margin_km, args.density)))
        return
    best: dict[str, dict] = {}
    # Alternate the modes, and keep each one's best time: the machine is shared.
    for _ in range(args.repeat):
        for mode in ("core", "no core"):
            command = [sys.executable, __file__, "--one", mode, "--core", str(args.core)]
            command += ["--margin-km", str(args.margin_km), "--density", str(args.density)]
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
            row = json.loads(out.strip().splitlines()[-1])
            if mode not in best or row["wall_s"] < best[mode]["wall_s"]:
                best[mode] = row
    rows = [best["core"], best["no core"]]
    first = rows[0]
    print(
        f"{first['establishments']} establishments: {first['core']} core, "
        f"{first['establishments'] - first['core']} margin ({args.margin_km:g} km; engine's maximum "
        f"matching distance {first['margin_km_engine']:g} km), density {args.density:g}/km²"
    )
    print("mode | wall s | peak MB | leads kept | plan gain EUR/yr")
    for row in rows:
        cells = (row["mode"], row["wall_s"], row["peak_rss_mb"], row["leads"], row["plan_gain_eur"])
        print(" | ".join(str(cell) for cell in cells))
    same = rows[0]["ids_hash"] == rows[1]["ids_hash"] and rows[0]["leads"] == rows[1]["leads"]
    print(f"same leads kept: {'yes' if same else 'NO'}")
    print(
        f"core / no core: time x{rows[0]['wall_s'] / max(rows[1]['wall_s'], 1e-9):.2f}, "
        f"memory x{rows[0]['peak_rss_mb'] / max(rows[1]['peak_rss_mb'], 1):.2f}"
    )


if __name__ == "__main__":
    main()
