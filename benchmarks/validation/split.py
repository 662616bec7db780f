"""The dev / holdout rule of the validation set (benchmarks/validation/exchanges.csv).

Whole cases (sites) go to one half, never single rows.  Within each stratum (French cases, cases
elsewhere), cases are taken by decreasing number of rows, ties by case name, and each goes to the half
that has fewer rows of that stratum so far (ties to dev).  Both halves thus hold French and foreign
cases and about half of the rows each.

The assignment is frozen once published in the CSV: a case added later takes the lighter half of its
stratum at that time, and no existing case moves, so the holdout half stays unseen.  Usage::

    python benchmarks/validation/split.py            # print the halves and the category mix
    python benchmarks/validation/split.py --check    # exit 1 if a case straddles the halves or has none,
                                                     # or a half lacks French or foreign cases

This script only reads the CSV; it never writes it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

CSV_PATH = Path(__file__).with_name("exchanges.csv")
HALVES = ("dev", "holdout")


def assign(rows: list[dict[str, str]], frozen: dict[str, str] | None = None) -> dict[str, str]:
    """Case name -> half, by the rule of the module docstring.

    ``frozen`` maps the cases already published to their half; they keep it, and only the other cases
    are placed, each to the half of its stratum with fewer rows at that point.  Without ``frozen`` every
    case is placed by the rule (this is how the first published assignment was made).
    """
    frozen = {name: half for name, half in (frozen or {}).items() if half in HALVES}
    cases: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        cases[row["case"]].append(row)
    result: dict[str, str] = {}
    for french in (True, False):
        members = [name for name, rs in cases.items() if (rs[0]["country"] == "FR") == french]
        load = dict.fromkeys(HALVES, 0)
        for name in members:
            if name in frozen:
                result[name] = frozen[name]
                load[frozen[name]] += len(cases[name])
        fresh = sorted(
            (name for name in members if name not in frozen), key=lambda name: (-len(cases[name]), name)
        )
        for name in fresh:
            half = "dev" if load["dev"] <= load["holdout"] else "holdout"
            result[name] = half
            load[half] += len(cases[name])
    return result


def published(rows: list[dict[str, str]]) -> dict[str, str]:
    """The halves the CSV already gives (case name -> half), for ``assign(rows, frozen=...)``."""
    return {row["case"]: row["split"] for row in rows if row["split"] in HALVES}


def problems(rows: list[dict[str, str]]) -> list[str]:
    """What breaks the split's invariants in ``rows`` (empty list when none)."""
    found = []
    halves_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        halves_of[row["case"]].add(row["split"])
    for name, halves in sorted(halves_of.items()):
        if len(halves) != 1 or not halves <= set(HALVES):
            found.append(f"case {name!r}: rows in {sorted(halves)!r}, expected one of {HALVES!r}")
    for half in HALVES:
        for french in (True, False):
            if not any(r["split"] == half and (r["country"] == "FR") == french for r in rows):
                found.append(f"{half}: no {'French' if french else 'foreign'} case")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", default=str(CSV_PATH))
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the halves break the rule's invariants"
    )
    args = parser.parse_args(argv)
    with open(args.csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if args.check:
        found = problems(rows)
        for line in found:
            print(line)
        return 1 if found else 0
    for half in HALVES:
        selected = [r for r in rows if r["split"] == half]
        french = sum(1 for r in selected if r["country"] == "FR")
        cases = {r["case"] for r in selected}
        print(f"{half}: {len(selected)} rows ({french} French), {len(cases)} cases")
        mix = Counter(r["category"] for r in selected).most_common()
        print("  " + ", ".join(f"{category} {n}" for category, n in mix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
