"""``tremplin potential``: the synergy potential of every EPCI from a national SIRENE file, on Dask.

Exit status: 0 done; 2 bad input (the file, line and field are named; nothing is written among DIR's
final outputs); 1 some partitions could not be computed (the finished ones are kept: run again to
resume); 130 interrupted (Ctrl-C: likewise).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tremplin.national.reader import InputFileError
from tremplin.national.run import (
    DEFAULT_MARGIN_KM,
    DEFAULT_MAX_CORE,
    PartitionFailed,
    RunOptions,
    run_potential,
)

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tremplin potential",
        description="Estimate the synergy potential of every EPCI from a national SIRENE establishment file "
        "(StockEtablissement, CSV or Parquet), partition by partition (a département each) on a Dask "
        "cluster. Writes potentials.parquet/.csv, potentials_by_family.parquet/.csv, epci.geojson and "
        "manifest.json in DIR; DIR/partitions/ keeps what a resumed run reuses.",
    )
    p.add_argument(
        "--sirene", required=True, type=Path, metavar="FILE", help="StockEtablissement .csv or .parquet"
    )
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running dask.distributed scheduler (tcp://host:port); its workers must import "
        "tremplin and see DIR at the same path. Default: a local cluster of worker processes",
    )
    p.add_argument(
        "--workers", type=int, metavar="N", help="local workers (processes; default: one per core)"
    )
    p.add_argument(
        "--memory-limit", default="2.9GB", metavar="SIZE", help="memory limit per local worker (2.9GB)"
    )
    p.add_argument(
        "--margin-km",
        type=float,
        default=DEFAULT_MARGIN_KM,
        metavar="KM",
        help=f"establishments of other départements this close join a partition ({DEFAULT_MARGIN_KM:g})",
    )
    p.add_argument(
        "--departements",
        metavar="CODES",
        help="only these départements (comma-separated codes, e.g. 14,50,61); margins still come from all",
    )
    p.add_argument(
        "--max-core",
        type=int,
        default=DEFAULT_MAX_CORE,
        metavar="N",
        help=f"core establishments per engine run; a larger département is cut in tiles ({DEFAULT_MAX_CORE})",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    departements = None
    if args.departements:
        departements = sorted({code.strip().upper() for code in args.departements.split(",") if code.strip()})
    if args.margin_km < 0 or args.max_core < 1 or (args.workers is not None and args.workers < 1):
        print("tremplin potential: --margin-km, --max-core and --workers must be positive", file=sys.stderr)
        return 2
    options = RunOptions(
        scheduler=args.scheduler,
        workers=args.workers,
        memory_limit=args.memory_limit,
        margin_km=args.margin_km,
        departements=departements,
        max_core=args.max_core,
        progress=not args.quiet,
    )
    try:
        manifest = run_potential(args.sirene, args.out, options, stream=sys.stderr)
    except InputFileError as error:
        print(error.describe(), file=sys.stderr)
        return 2
    except ValueError as error:  # an unknown département code
        print(f"tremplin potential: {error}", file=sys.stderr)
        return 2
    except PartitionFailed as error:
        print(f"tremplin potential: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "\ntremplin potential: interrupted; the partitions finished are kept, run the same command again "
            "to resume",
            file=sys.stderr,
        )
        return 130
    sizes, timings = manifest["sizes"], manifest["timings_s"]
    print(
        f"{sizes['epcis']} EPCIs, {sizes['leads']} leads from {sizes['establishments_core']} establishments "
        f"in {sizes['partitions']} partitions ({len(manifest['partitions']['resumed'])} resumed), "
        f"{timings['total']:.1f} s; written to {args.out}"
    )
    return 0
