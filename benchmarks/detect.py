"""Benchmark of the synergy detection engine.

Generates N establishments deterministically (seeded) over a square region at constant density, with a
realistic mix of activity codes and headcounts, then runs the deductive detection and prints wall time,
peak memory (RSS high-water mark of the process) and candidate counts.  Usage::

    python benchmarks/detect.py --sizes 1000,10000,100000 [--plan] [--density 3.0]

Each size runs in a fresh subprocess so that the peak memory of one does not hide the next.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time

import numpy as np

# Activity mix: (NAF code, share, median headcount).  Loosely shaped on the SIRENE employer base of a
# French region: mostly trade, services and construction, some industry and farms.
MIX = [
    ("47.11F", 0.010, 60),
    ("47.11D", 0.020, 20),
    ("47.71Z", 0.060, 3),
    ("46.90Z", 0.040, 8),
    ("46.31Z", 0.010, 12),
    ("56.10A", 0.070, 6),
    ("56.29A", 0.005, 25),
    ("55.10Z", 0.020, 10),
    ("43.21A", 0.060, 5),
    ("43.31Z", 0.020, 4),
    ("41.20A", 0.030, 8),
    ("42.11Z", 0.008, 40),
    ("45.20A", 0.040, 5),
    ("49.41A", 0.030, 15),
    ("52.10B", 0.010, 30),
    ("52.10A", 0.003, 30),
    ("10.71C", 0.030, 6),
    ("10.51C", 0.004, 40),
    ("10.13A", 0.004, 50),
    ("11.05Z", 0.003, 8),
    ("16.10A", 0.004, 15),
    ("16.21Z", 0.001, 80),
    ("16.24Z", 0.002, 15),
    ("17.21A", 0.002, 60),
    ("17.12Z", 0.0005, 150),
    ("20.14Z", 0.001, 100),
    ("20.59Z", 0.002, 40),
    ("21.10Z", 0.0005, 200),
    ("22.22Z", 0.004, 40),
    ("23.61Z", 0.002, 30),
    ("23.63Z", 0.002, 15),
    ("23.62Z", 0.0003, 120),
    ("23.51Z", 0.0002, 120),
    ("24.10Z", 0.0002, 300),
    ("24.51Z", 0.001, 60),
    ("25.62B", 0.015, 12),
    ("25.61Z", 0.003, 20),
    ("28.29B", 0.006, 30),
    ("29.32Z", 0.002, 120),
    ("35.11Z", 0.001, 20),
    ("35.21Z", 0.001, 3),
    ("35.30Z", 0.001, 10),
    ("37.00Z", 0.002, 8),
    ("38.21Z", 0.001, 40),
    ("38.32Z", 0.003, 15),
    ("01.11Z", 0.050, 1),
    ("01.41Z", 0.030, 1),
    ("01.46Z", 0.008, 2),
    ("01.13Z", 0.010, 3),
    ("03.22Z", 0.001, 3),
    ("86.10Z", 0.003, 300),
    ("87.10A", 0.010, 40),
    ("85.20Z", 0.020, 15),
    ("63.11Z", 0.002, 20),
    ("93.11Z", 0.005, 5),
    ("62.01Z", 0.060, 10),
    ("69.20Z", 0.060, 5),
    ("70.22Z", 0.080, 3),
    ("84.11Z", 0.020, 25),
    ("81.21Z", 0.040, 8),
]


def generate(n: int, density_per_km2: float, seed: int = 20250101):
    """N establishments at constant density: the square region grows with N."""
    from tremplin.engine import Establishment

    rng = np.random.default_rng(seed)
    side_km = math.sqrt(n / density_per_km2)
    lat0, lon0 = 49.0, 0.5
    km_per_deg_lat = 111.2
    km_per_deg_lon = 111.2 * math.cos(math.radians(lat0))
    x = rng.uniform(0, side_km, n)
    y = rng.uniform(0, side_km, n)
    codes = np.asarray([m[0] for m in MIX])
    shares = np.asarray([m[1] for m in MIX])
    medians = np.asarray([m[2] for m in MIX], dtype=float)
    pick = rng.choice(len(MIX), size=n, p=shares / shares.sum())
    heads = np.maximum(0, np.round(medians[pick] * rng.lognormal(0.0, 0.8, n)))
    return [
        Establishment(
            f"E{i:07d}",
            f"Établissement {i}",
            str(codes[pick[i]]),
            lat0 + y[i] / km_per_deg_lat,
            lon0 + x[i] / km_per_deg_lon,
            float(heads[i]),
        )
        for i in range(n)
    ]


def run_one(n: int, density: float, plan: bool) -> dict:
    from tremplin.engine import detect

    establishments = generate(n, density)
    started = time.perf_counter()
    result = detect(establishments, plan=plan)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stats = result.stats
    return {
        "n": n,
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(peak_mb),
        "flows": stats["flows"],
        "pairs_in_range": stats.get("substitution_pairs_in_range", 0),
        "above_threshold": stats.get("substitution_candidates_above_threshold", 0),
        "after_source_cap": stats.get("substitution_candidates_after_source_cap", 0),
        "groups_formed": stats.get("mutualisation_groups_formed", 0),
        "substitutions": stats["substitutions"],
        "mutualisations": stats["mutualisations"],
        "plan_gain_eur": round(result.plan.total_gain_eur_per_year) if result.plan else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--density", type=float, default=3.0, help="establishments per km² (default 3)")
    parser.add_argument("--plan", action="store_true", help="also compute the optimal plan")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.density, args.plan)))
        return
    header = (
        "N",
        "wall s",
        "peak MB",
        "flows",
        "pairs in range",
        "above threshold",
        "after source cap",
        "groups",
        "subst. listed",
        "mutual. listed",
    )
    print(" | ".join(header))
    previous = None
    for n in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(n), "--density", str(args.density)]
        if args.plan:
            command.append("--plan")
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(
            " | ".join(
                str(v)
                for v in (
                    row["n"],
                    row["wall_s"],
                    row["peak_rss_mb"],
                    row["flows"],
                    row["pairs_in_range"],
                    row["above_threshold"],
                    row["after_source_cap"],
                    row["groups_formed"],
                    row["substitutions"],
                    row["mutualisations"],
                )
            )
            + (f" | plan {row['plan_gain_eur']} EUR/yr" if args.plan else ""),
            flush=True,
        )
        if previous:
            growth = (row["wall_s"] / max(previous["wall_s"], 1e-9)) / (row["n"] / previous["n"])
            print(f"   time per establishment x{growth:.2f} vs previous size (1.0 = linear)")
        previous = row


if __name__ == "__main__":
    main()
