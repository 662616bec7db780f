"""Integrity of the validation set of real exchanges, benchmarks/validation/exchanges.csv (read by
benchmarks/recall.py): every row complete and sourced, codes valid, positions plausible, each site
described the same way in every row, and two case-disjoint halves."""

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tremplin.engine.headcount import headcount_band
from tremplin.engine.naf import naf_level, normalise_naf

VALIDATION = Path(__file__).resolve().parents[2] / "benchmarks" / "validation"
CSV_PATH = VALIDATION / "exchanges.csv"
MAP_PATH = VALIDATION / "resource_map.yaml"

COLUMNS = [
    "id", "case", "country",
    "supplier_name", "supplier_naf", "supplier_lat", "supplier_lon", "supplier_headcount_band",
    "receiver_name", "receiver_naf", "receiver_lat", "receiver_lon", "receiver_headcount_band",
    "resource", "category", "low_code", "quantity", "unit", "period",
    "source_title", "source_publisher", "source_year", "source_url", "split", "notes",
]  # fmt: skip
REQUIRED = [c for c in COLUMNS if c not in {"low_code", "quantity", "unit", "period", "notes"}]
SIDES = ("supplier", "receiver")


@pytest.fixture(scope="module")
def rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_the_set_holds_at_least_150_exchanges_with_unique_ids(rows):
    assert len(rows) >= 150
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{3,4}-\d{2}", i) for i in ids)


def test_every_required_column_is_filled(rows):
    empty = [(r["id"], c) for r in rows for c in REQUIRED if not r[c].strip()]
    assert not empty


def test_every_row_cites_a_source_with_a_title_an_http_url_and_a_year(rows):
    for r in rows:
        assert r["source_title"].strip(), r["id"]
        assert re.fullmatch(r"https?://\S+", r["source_url"]), r["id"]
        assert re.fullmatch(r"\d{4}|n\.d\.", r["source_year"]), r["id"]


def test_activity_codes_are_naf_rev2_subclasses_written_canonically(rows):
    for r in rows:
        for side in SIDES:
            code = r[f"{side}_naf"]
            assert normalise_naf(code) == code, (r["id"], code)
            assert naf_level(code) == "subclass", (r["id"], code)


def test_headcount_bands_are_insee_codes(rows):
    for r in rows:
        for side in SIDES:
            code = r[f"{side}_headcount_band"]
            assert headcount_band(code).code == code, (r["id"], code)


def test_coordinates_are_in_range_and_supplier_and_receiver_differ(rows):
    for r in rows:
        points = []
        for side in SIDES:
            lat, lon = float(r[f"{side}_lat"]), float(r[f"{side}_lon"])
            assert -90 <= lat <= 90 and -180 <= lon <= 180, r["id"]
            points.append((lat, lon))
        assert points[0] != points[1], r["id"]
        assert r["supplier_name"] != r["receiver_name"], r["id"]


def test_french_sites_lie_in_metropolitan_france_or_next_door(rows):
    for r in rows:
        if r["country"] != "FR":
            continue
        for side in SIDES:
            lat, lon = float(r[f"{side}_lat"]), float(r[f"{side}_lon"])
            assert 41 <= lat <= 52 and -5.5 <= lon <= 10, r["id"]


def test_a_site_is_described_the_same_way_in_every_row_of_its_case(rows):
    seen: dict[tuple[str, str], tuple] = {}
    for r in rows:
        for side in SIDES:
            key = (r["case"], r[f"{side}_name"])
            value = tuple(r[f"{side}_{f}"] for f in ("naf", "lat", "lon", "headcount_band"))
            assert seen.setdefault(key, value) == value, key


def test_categories_belong_to_the_vocabulary_of_the_resource_map(rows):
    vocabulary = set(yaml.safe_load(MAP_PATH.read_text(encoding="utf-8"))["categories"])
    assert {r["category"] for r in rows} <= vocabulary


def test_list_of_waste_codes_have_six_digits(rows):
    for r in rows:
        if r["low_code"]:
            assert re.fullmatch(r"\d{2} \d{2} \d{2}\*?", r["low_code"]), r["id"]


def test_quantities_are_positive_numbers_with_a_unit(rows):
    for r in rows:
        if r["quantity"]:
            assert float(r["quantity"]) > 0, r["id"]
            assert r["unit"], r["id"]


def test_both_halves_are_non_empty_case_disjoint_and_hold_french_and_foreign_cases(rows):
    halves: dict[str, set[str]] = defaultdict(set)
    countries: dict[str, set[bool]] = defaultdict(set)
    for r in rows:
        assert r["split"] in ("dev", "holdout"), r["id"]
        halves[r["split"]].add(r["case"])
        countries[r["split"]].add(r["country"] == "FR")
    assert halves["dev"] and halves["holdout"]
    assert not halves["dev"] & halves["holdout"]
    assert countries["dev"] == countries["holdout"] == {True, False}
