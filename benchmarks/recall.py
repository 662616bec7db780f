"""Recall of the detection engine on documented real industrial-symbiosis exchanges.

Reads benchmarks/validation/exchanges.csv (see benchmarks/validation/README.md), rebuilds for each case
the establishments it names (activity code, position, representative headcount of the INSEE band),
optionally hides them among seeded synthetic neighbours, runs ``tremplin.engine.detect`` and prints, for
the chosen half of the set:

* recall@5: a real exchange counts when its receiver is among the first max(5, number of real receivers
  of that supplier in the case) distinct receivers that the run ranks for that supplier, reading only the
  substitution opportunities whose source is the supplier, in rank order (a mutualisation group that
  happens to contain both sites does not count);
* the share found at any rank;
* leads per establishment (opportunities / establishments) and the largest number of opportunities one
  establishment takes part in;
* the same figures in the systematic modes, where each real exchange is declared as a gisement of the
  supplier and a besoin of the receiver of the catalogue resource its category maps to
  (benchmarks/validation/resource_map.yaml): "declared" (declared flows only, no estimate) and "both"
  (declared flows plus the sector estimates of every establishment);
* with ``--details``, the figures per category and per case; with ``--missed`` (dev half only), the list
  of real exchanges not found.

Usage::

    python benchmarks/recall.py [--split holdout|dev|all] [--distractors N] [--modes deductive,declared,both]
                                [--no-estimate] [--receiver-input same|virgin] [--nn-headcount N]
                                [--details] [--missed] [--json]

The holdout half is meant to stay unseen by whoever tunes the engine: use the dev half while tuning and
run the holdout half only to report.  ``--missed`` refuses to list holdout exchanges.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from tremplin.engine import Establishment, Flow, Parameters, default_knowledge_base, detect
from tremplin.engine.exceptions import EngineError, UnitError
from tremplin.engine.geo import great_circle_km
from tremplin.engine.headcount import headcount_band
from tremplin.engine.units import convert

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "validation" / "exchanges.csv"
MAP_PATH = HERE / "validation" / "resource_map.yaml"
MODES = ("deductive", "declared", "both")
TOP_K = 5
DISTRACTOR_RADIUS_KM = 10.0
SEED = 20250101


# --------------------------------------------------------------------------------------------------------
# Input


@dataclass
class Exchange:
    row: dict[str, str]
    supplier: str  # establishment id
    receiver: str


@dataclass
class Case:
    code: str
    name: str
    country: str
    split: str
    sites: dict[str, Establishment] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)


def read_cases(path: Path, split: str, nn_headcount: float = math.nan) -> list[Case]:
    """The cases of one half ("dev", "holdout") or of both ("all"), in file order.  A site of band "NN"
    (unknown) gets ``nn_headcount`` employees; by default its headcount is unknown (``nan``) and the
    engine assumes ``Parameters.unknown_headcount``, as it does for an empty headcount of COMPANIES.csv."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cases: dict[str, Case] = {}
    for row in rows:
        if split != "all" and row["split"] != split:
            continue
        code = row["id"].rsplit("-", 1)[0]
        case = cases.get(row["case"])
        if case is None:
            case = cases[row["case"]] = Case(code, row["case"], row["country"], row["split"])
        ids = []
        for side in ("supplier", "receiver"):
            name = row[f"{side}_name"]
            site_id = next((i for i, e in case.sites.items() if e.name == name), None)
            if site_id is None:
                site_id = f"{code}:S{len(case.sites) + 1:02d}"
                case.sites[site_id] = Establishment(
                    site_id,
                    name,
                    row[f"{side}_naf"],
                    float(row[f"{side}_lat"]),
                    float(row[f"{side}_lon"]),
                    _headcount(row[f"{side}_headcount_band"], nn_headcount),
                )
            ids.append(site_id)
        case.exchanges.append(Exchange(row, ids[0], ids[1]))
    return list(cases.values())


def _headcount(band: str, nn_headcount: float) -> float:
    if band.strip().upper() == "NN":
        return float(nn_headcount)
    return float(headcount_band(band).representative)


def load_mix() -> list[tuple[str, float, int]]:
    """The activity mix of benchmarks/detect.py (loaded from its file: benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("_benchmark_detect", HERE / "detect.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.MIX)


def distractors(case: Case, n: int, mix: list[tuple[str, float, int]]) -> list[Establishment]:
    """``n`` synthetic establishments within ~10 km of the case's centroid, seeded by the case code."""
    if n <= 0:
        return []
    rng = np.random.default_rng(SEED ^ zlib.crc32(case.code.encode()))
    lat0 = float(np.mean([e.lat for e in case.sites.values()]))
    lon0 = float(np.mean([e.lon for e in case.sites.values()]))
    km_lat = 111.2
    km_lon = 111.2 * math.cos(math.radians(lat0))
    radius = DISTRACTOR_RADIUS_KM * np.sqrt(rng.uniform(0, 1, n))
    angle = rng.uniform(0, 2 * math.pi, n)
    shares = np.asarray([m[1] for m in mix])
    pick = rng.choice(len(mix), size=n, p=shares / shares.sum())
    heads = np.maximum(0, np.round(np.asarray([m[2] for m in mix], float)[pick] * rng.lognormal(0.0, 0.8, n)))
    return [
        Establishment(
            f"{case.code}:D{i:04d}",
            f"Distractor {i}",
            mix[pick[i]][0],
            lat0 + radius[i] * math.sin(angle[i]) / km_lat,
            lon0 + radius[i] * math.cos(angle[i]) / km_lon,
            float(heads[i]),
        )
        for i in range(n)
    ]


# --------------------------------------------------------------------------------------------------------
# Declared flows


@dataclass
class Declaration:
    out_code: str | None
    in_code: str | None
    quantity: float  # in the resource's unit
    unit: str
    note: str  # how the quantity was obtained, or why the exchange is not declarable


class ResourceMap:
    def __init__(self, path: Path, kb, receiver_input: str) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.hours = float(data.get("hours_per_year", 8000))
        self.categories: dict = data["categories"]
        self.kb = kb
        self.receiver_input = receiver_input
        self.warnings: list[str] = []
        for category, entry in sorted(self.categories.items()):
            for key in ("resources", "virgin"):
                for code in entry.get(key) or ():
                    if code not in kb.resources:
                        self.warnings.append(
                            f"resource_map.yaml: category {category!r} maps to {code!r} ({key}), "
                            "which is not in the engine catalogue"
                        )

    def _first(self, codes) -> str | None:
        return next((c for c in codes or () if c in self.kb.resources), None)

    def declaration(self, row: dict[str, str]) -> Declaration:
        entry = self.categories.get(row["category"])
        if entry is None:
            return Declaration(
                None, None, 0.0, "", f"category {row['category']!r} absent from resource_map.yaml"
            )
        out_code = self._first(entry.get("resources"))
        if out_code is None:
            return Declaration(None, None, 0.0, "", f"no catalogue resource for category {row['category']!r}")
        in_code = out_code
        if self.receiver_input == "virgin":
            in_code = self._first(entry.get("virgin")) or out_code
        resource = self.kb.resources[out_code]
        quantity, note = self._quantity(row, resource)
        if quantity is None:
            default = entry["default"]
            try:
                quantity = convert(
                    float(default["quantity"]),
                    default["unit"],
                    resource.unit,
                    density=resource.density,
                    mwh_per_t=resource.mwh_per_t,
                )
                note = f"default of the category ({note})"
            except UnitError as error:
                return Declaration(
                    None, None, 0.0, "", f"default of {row['category']!r} not convertible: {error}"
                )
        return Declaration(out_code, in_code, quantity, resource.unit, note)

    def _quantity(self, row: dict[str, str], resource) -> tuple[float | None, str]:
        text, unit = row["quantity"].strip(), row["unit"].strip()
        if not text:
            return None, "no quantity in the row"
        value = float(text)
        base, _, per = unit.partition("/")
        if per in ("h", "hour"):
            value *= self.hours
        elif per not in ("", "yr", "year"):
            return None, f"unit {unit!r} not understood"
        if base == "MW":
            base, value = "MWh", value * self.hours
        elif base == "TJ":
            base, value = "GJ", value * 1000
        try:
            converted = convert(
                value, base, resource.unit, density=resource.density, mwh_per_t=resource.mwh_per_t
            )
        except UnitError:
            return None, f"{unit} not convertible to {resource.unit}"
        return converted, f"from the row ({row['quantity']} {unit})"


def declared_flows(case: Case, rmap: ResourceMap) -> tuple[list[Flow], dict[int, Declaration]]:
    flows: list[Flow] = []
    declarations: dict[int, Declaration] = {}
    for i, ex in enumerate(case.exchanges):
        d = rmap.declaration(ex.row)
        declarations[i] = d
        if d.out_code is None:
            continue
        flows.append(Flow(ex.supplier, "out", d.out_code, d.quantity, d.unit))
        flows.append(Flow(ex.receiver, "in", d.in_code, d.quantity, d.unit))
    return flows, declarations


# --------------------------------------------------------------------------------------------------------
# Scoring


@dataclass
class Outcome:
    case: str
    row_id: str
    category: str
    supplier: str
    receiver: str
    found_top: bool
    found_any: bool
    rank: int | None  # position of the receiver among the supplier's distinct receivers (1-based)
    k: int
    declarable: bool | None = None
    within_reach: bool | None = None
    note: str = ""


def receivers_by_rank(opportunities) -> dict[str, list[str]]:
    ranked: dict[str, list[str]] = defaultdict(list)
    for o in sorted(opportunities, key=lambda o: o.rank):
        if o.type != "substitution" or o.source_id is None or o.target_id is None:
            continue
        targets = ranked[o.source_id]
        if o.target_id not in targets:
            targets.append(o.target_id)
    return ranked


def participation(opportunities) -> Counter:
    counts: Counter = Counter()
    for o in opportunities:
        ids = {o.source_id, o.target_id, *o.members} - {None}
        counts.update(ids)
    return counts


def within_reach(case: Case, ex: Exchange, code: str, kb, params: Parameters) -> tuple[bool, str]:
    """Whether the estimated road distance (great circle x detour factor) is within the limit of the
    resource's transport class, and a note saying so when it is not."""
    s, r = case.sites[ex.supplier], case.sites[ex.receiver]
    road = great_circle_km(s.lat, s.lon, r.lat, r.lon) * params.detour_factor
    transport = kb.transport_for(code)
    limit = transport.max_distance_km
    if params.max_distance_km is not None:
        limit = min(limit, params.max_distance_km)
    if road <= limit:
        return True, ""
    return False, f"{road:.1f} km by road > {limit:g} km limit of {transport.code}"


@dataclass
class RunResult:
    mode: str
    outcomes: list[Outcome]
    establishments: int
    opportunities: int
    max_participation: int
    seconds: float
    errors: list[str]


def run_mode(mode: str, cases: list[Case], n_distractors: int, mix, rmap: ResourceMap, kb) -> RunResult:
    outcomes: list[Outcome] = []
    n_est = n_opp = max_part = 0
    errors: list[str] = []
    started = time.perf_counter()
    for case in cases:
        params = Parameters(estimate_missing_flows=(mode != "declared"))
        establishments = list(case.sites.values()) + distractors(case, n_distractors, mix)
        flows, declarations = (None, {}) if mode == "deductive" else declared_flows(case, rmap)
        try:
            result = detect(establishments, flows, params=params, kb=kb)
        except EngineError as error:
            errors.append(f"{case.code}: {error}")
            continue
        ranked = receivers_by_rank(result.opportunities)
        counts = participation(result.opportunities)
        n_est += len(establishments)
        n_opp += len(result.opportunities)
        max_part = max([max_part, *counts.values()])
        real_receivers: dict[str, set[str]] = defaultdict(set)
        for ex in case.exchanges:
            real_receivers[ex.supplier].add(ex.receiver)
        for i, ex in enumerate(case.exchanges):
            k = max(TOP_K, len(real_receivers[ex.supplier]))
            targets = ranked.get(ex.supplier, [])
            rank = targets.index(ex.receiver) + 1 if ex.receiver in targets else None
            outcome = Outcome(
                case.name,
                ex.row["id"],
                ex.row["category"],
                ex.row["supplier_name"],
                ex.row["receiver_name"],
                rank is not None and rank <= k,
                rank is not None,
                rank,
                k,
            )
            if mode != "deductive":
                d = declarations[i]
                outcome.declarable = d.out_code is not None
                outcome.note = d.note
                if d.out_code is not None:
                    outcome.within_reach, reach_note = within_reach(case, ex, d.out_code, kb, params)
                    outcome.note = reach_note or d.note
            outcomes.append(outcome)
    return RunResult(mode, outcomes, n_est, n_opp, max_part, time.perf_counter() - started, errors)


def summary(outcomes: list[Outcome]) -> dict:
    n = len(outcomes)
    top = sum(o.found_top for o in outcomes)
    anywhere = sum(o.found_any for o in outcomes)
    result = {
        "exchanges": n,
        "found_top_k": top,
        "found_any": anywhere,
        "recall_at_5": top / n if n else None,
        "share_found_any_rank": anywhere / n if n else None,
    }
    if outcomes and outcomes[0].declarable is not None:
        declarable = [o for o in outcomes if o.declarable]
        reach = [o for o in declarable if o.within_reach]
        result["declarable"] = len(declarable)
        result["within_reach"] = len(reach)
        result["recall_at_5_within_reach"] = sum(o.found_top for o in reach) / len(reach) if reach else None
        result["share_found_within_reach"] = sum(o.found_any for o in reach) / len(reach) if reach else None
    return result


# --------------------------------------------------------------------------------------------------------
# Output


def pct(value) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f} %"


def report_text(report: dict, details: bool) -> str:
    nn = (
        f"{report['nn_headcount']:g} employees assumed for band NN"
        if report["nn_headcount"] is not None
        else "band NN as an unknown headcount (the engine's Parameters.unknown_headcount)"
    )
    lines = [
        f"Validation set {report['csv']} — split {report['split']}: {report['cases']} cases, "
        f"{report['exchanges']} exchanges, {report['distractors']} distractors per case, {nn}",
        f"Engine knowledge base {report['knowledge_base_version']}",
    ]
    for warning in report["warnings"]:
        lines.append(f"warning: {warning}")
    for mode, block in report["modes"].items():
        s = block["summary"]
        lines.append("")
        lines.append(f"[{mode}] {block['description']}")
        lines.append(
            f"  recall@5 {pct(s['recall_at_5'])} ({s['found_top_k']}/{s['exchanges']})   "
            f"found at any rank {pct(s['share_found_any_rank'])} ({s['found_any']}/{s['exchanges']})"
        )
        if "declarable" in s:
            lines.append(
                f"  declarable {s['declarable']}/{s['exchanges']}, within the transport limit "
                f"{s['within_reach']}: recall@5 {pct(s['recall_at_5_within_reach'])}, "
                f"any rank {pct(s['share_found_within_reach'])}"
            )
        lines.append(
            f"  leads per establishment {block['leads_per_establishment']:.2f} "
            f"({block['opportunities']} opportunities / {block['establishments']} establishments), "
            f"max per establishment {block['max_participation']}"
        )
        lines.append(f"  time {block['seconds']:.2f} s")
        for error in block["errors"]:
            lines.append(f"  error: {error}")
        if details:
            for title, key in (("category", "by_category"), ("case", "by_case")):
                lines.append(f"  by {title}:")
                for name, b in block[key].items():
                    lines.append(
                        f"    {name:<58} {b['exchanges']:>3}  @5 {pct(b['recall_at_5'])}  "
                        f"any {pct(b['share_found_any_rank'])}"
                    )
        if block.get("missed") is not None:
            lines.append("  missed exchanges:")
            for m in block["missed"]:
                where = f"rank {m['rank']} > {m['k']}" if m["rank"] else "not proposed"
                extra = f" [{m['note']}]" if m["note"] else ""
                pair = f"{m['supplier']} -> {m['receiver']}"
                lines.append(f"    {m['row_id']:<12} {m['category']:<20} {pair}: {where}{extra}")
    return "\n".join(lines)


DESCRIPTIONS = {
    "deductive": "activity code, position and headcount only (sector estimates)",
    "declared": "systematic: each real exchange declared, no estimate",
    "both": "systematic: real exchanges declared plus sector estimates",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="holdout")
    parser.add_argument("--csv", default=str(CSV_PATH))
    parser.add_argument(
        "--distractors", type=int, default=0, help="synthetic neighbours per case (default 0)"
    )
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated among " + ", ".join(MODES))
    parser.add_argument(
        "--no-estimate", action="store_true", help="systematic only: run the 'declared' mode and nothing else"
    )
    parser.add_argument(
        "--receiver-input",
        choices=("same", "virgin"),
        default="same",
        help="receiver declares the supplier's resource (default) or the virgin input it replaces",
    )
    parser.add_argument(
        "--nn-headcount",
        type=float,
        default=math.nan,
        help="employees assumed for sites of unknown band NN (default: unknown, the engine's own assumption)",
    )
    parser.add_argument("--details", action="store_true", help="figures per category and per case")
    parser.add_argument("--missed", action="store_true", help="list the exchanges not found (dev half only)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args(argv)

    if args.missed and args.split != "dev":
        print(
            "recall.py: --missed lists exchanges of the dev half only; the holdout half stays unseen "
            "(run with --split dev).",
            file=sys.stderr,
        )
        return 2
    modes = ["declared"] if args.no_estimate else [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}; choose among {', '.join(MODES)}")

    kb = default_knowledge_base()
    if args.nn_headcount < 0:
        parser.error("--nn-headcount must be zero or positive")
    cases = read_cases(Path(args.csv), args.split, args.nn_headcount)
    rmap = ResourceMap(MAP_PATH, kb, args.receiver_input)
    mix = load_mix() if args.distractors > 0 else []
    report: dict = {
        "csv": str(Path(args.csv).relative_to(HERE.parent))
        if Path(args.csv).is_relative_to(HERE.parent)
        else args.csv,
        "split": args.split,
        "cases": len(cases),
        "exchanges": sum(len(c.exchanges) for c in cases),
        "distractors": args.distractors,
        "knowledge_base_version": kb.version,
        "receiver_input": args.receiver_input,
        "nn_headcount": None if math.isnan(args.nn_headcount) else args.nn_headcount,
        "warnings": rmap.warnings,
        "modes": {},
    }
    for mode in modes:
        run = run_mode(mode, cases, args.distractors, mix, rmap, kb)
        by_category: dict[str, list[Outcome]] = defaultdict(list)
        by_case: dict[str, list[Outcome]] = defaultdict(list)
        for o in run.outcomes:
            by_category[o.category].append(o)
            by_case[o.case].append(o)
        block = {
            "description": DESCRIPTIONS[mode],
            "summary": summary(run.outcomes),
            "establishments": run.establishments,
            "opportunities": run.opportunities,
            "leads_per_establishment": run.opportunities / run.establishments if run.establishments else 0.0,
            "max_participation": run.max_participation,
            "seconds": run.seconds,
            "errors": run.errors,
            "by_category": {k: summary(v) for k, v in sorted(by_category.items())},
            "by_case": {k: summary(v) for k, v in by_case.items()},
            "missed": None,
        }
        if args.missed:
            block["missed"] = [
                {
                    "row_id": o.row_id,
                    "category": o.category,
                    "supplier": o.supplier,
                    "receiver": o.receiver,
                    "rank": o.rank,
                    "k": o.k,
                    "note": o.note if (o.declarable is False or o.within_reach is False) else "",
                }
                for o in run.outcomes
                if not o.found_top
            ]
        report["modes"][mode] = block
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(report_text(report, args.details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
