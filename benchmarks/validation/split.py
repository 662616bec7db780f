"""The dev / holdout rule of the validation set (benchmarks/validation/exchanges.csv).

Whole cases (sites) go to one half, never single rows.  Within each stratum (French cases, cases
elsewhere), cases are taken by decreasing number of rows, ties by case name, and each goes to the half
that has fewer rows of that stratum so far (ties to dev).  Both halves thus hold French and foreign
cases and about half of the rows each.

The assignment is frozen once published in the CSV: a case added later takes the lighter half of its
stratum at that time, and no existing case moves, so the holdout half stays unseen.  Usage::

    python benchmarks/validation/split.py            # print the halves and the category mix
    python benchmarks/validation/split.py --check    # exit 1 if the CSV differs from the rule

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


def assign(rows: list[dict[str, str]]) -> dict[str, str]:
    """Case name -> half, by the rule of the module docstring."""
    cases: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        cases[row["case"]].append(row)
    result: dict[str, str] = {}
    for french in (True, False):
        members = [name for name, rs in cases.items() if (rs[0]["country"] == "FR") == french]
        members.sort(key=lambda name: (-len(cases[name]), name))
        load = dict.fromkeys(HALVES, 0)
        for name in members:
            half = "dev" if load["dev"] <= load["holdout"] else "holdout"
            result[name] = half
            load[half] += len(cases[name])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", default=str(CSV_PATH))
    parser.add_argument("--check", action="store_true", help="exit 1 if the CSV differs from the rule")
    args = parser.parse_args(argv)
    with open(args.csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rule = assign(rows)
    if args.check:
        wrong = sorted({r["case"] for r in rows if r["split"] != rule[r["case"]]})
        for name in wrong:
            print(
                f"case {name!r}: CSV says {next(r['split'] for r in rows if r['case'] == name)!r}, "
                f"rule says {rule[name]!r}"
            )
        return 1 if wrong else 0
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
