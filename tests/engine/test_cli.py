"""The ``tremplin detect`` and ``tremplin catalogue`` contract."""

import csv
import subprocess
import sys

import pytest

from tremplin.engine.cli import main

HEADER = [
    "rank",
    "type",
    "source_id",
    "target_id",
    "members",
    "resource",
    "quantity",
    "unit",
    "distance_km",
    "gain_eur_per_year",
    "co2_avoided_t_per_year",
    "confidence",
    "explanation",
]

COMPANIES = """id,name,naf,lat,lon,headcount,siret
p1,Centrale,35.11Z,49.000,0.000,300,123
g1,Plâtrerie,23.62,49.010,0.010,150,456
b1,Brasserie,11.05Z,49.020,0.000,20,789
f1,Élevage,01.41Z,49.030,0.010,2,000
"""

FLOWS = """company_id,direction,resource,quantity,unit
p1,out,gypsum_fgd,50000,t
g1,in,gypsum_natural,120000,t
b1,out,bio_spent_grain,800000,kg
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_detect_writes_synergies_best_first(tmp_path):
    companies = _write(tmp_path, "companies.csv", COMPANIES)
    out = tmp_path / "synergies.csv"
    assert main(["detect", "--companies", str(companies), "--out", str(out)]) == 0
    rows = _rows(out)
    assert rows[0] == HEADER
    assert [int(r[0]) for r in rows[1:]] == list(range(1, len(rows)))
    assert {r[1] for r in rows[1:]} <= {"substitution", "mutualisation"}
    mutualisations = [r for r in rows[1:] if r[1] == "mutualisation"]
    assert all(r[2] == "" and r[3] == "" and ";" in r[4] for r in mutualisations)


def test_detect_with_flows_plan_and_json(tmp_path):
    companies = _write(tmp_path, "companies.csv", COMPANIES)
    flows = _write(tmp_path, "flows.csv", FLOWS)
    out, js = tmp_path / "s.csv", tmp_path / "s.json"
    assert (
        main(
            [
                "detect",
                "--companies",
                str(companies),
                "--flows",
                str(flows),
                "--plan",
                "--out",
                str(out),
                "--json",
                str(js),
            ]
        )
        == 0
    )
    rows = _rows(out)
    assert rows[0] == [*HEADER, "in_plan"]
    assert {r[-1] for r in rows[1:]} <= {"true", "false"}
    gypsum = next(r for r in rows[1:] if r[5] == "gypsum_fgd")
    assert gypsum[2:4] == ["p1", "g1"] and gypsum[11] == "declared" and gypsum[-1] == "true"
    grain = next(r for r in rows[1:] if r[5] == "bio_spent_grain")
    assert float(grain[6]) <= 800  # 800 000 kg declared = 800 t
    assert js.read_text(encoding="utf-8").startswith("{")


def test_module_entry_point_runs(tmp_path):
    companies = _write(tmp_path, "companies.csv", COMPANIES)
    out = tmp_path / "s.csv"
    done = subprocess.run(
        [sys.executable, "-m", "tremplin.engine", "detect", "--companies", str(companies), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.exists()


BAD_COMPANIES = [
    ("id,name,naf,lat,headcount\na,A,35.11Z,49,10\n", 1, "lon"),
    ("id,name,naf,lat,lon,headcount\na,A,35.11Z,95,0,10\n", 2, "lat"),
    ("id,name,naf,lat,lon,headcount\na,A,35.11Z,49,0,1\nb,B,35.11Z,49,200,1\n", 3, "lon"),
    ("id,name,naf,lat,lon,headcount\na,A,99.99Z,49,0,10\n", 2, "naf"),
    ("id,name,naf,lat,lon,headcount\na,A,35.11Z,abc,0,10\n", 2, "lat"),
    ("id,name,naf,lat,lon,headcount\na,A,35.11Z,49,0,-3\n", 2, "headcount"),
    ("id,name,naf,lat,lon,headcount\na,A,35.11Z,49,0,1\na,B,35.11Z,49,0,1\n", 3, "id"),
]


@pytest.mark.parametrize(("text", "line", "field"), BAD_COMPANIES)
def test_bad_companies_exit_2_name_file_row_and_field_and_write_nothing(tmp_path, capsys, text, line, field):
    companies = _write(tmp_path, "companies.csv", text)
    out, js = tmp_path / "s.csv", tmp_path / "s.json"
    assert main(["detect", "--companies", str(companies), "--out", str(out), "--json", str(js)]) == 2
    message = capsys.readouterr().err
    assert "companies.csv" in message and f"ligne {line}" in message and f"« {field} »" in message
    assert not out.exists() and not js.exists()


BAD_FLOWS = [
    ("company_id,direction,resource,quantity\np1,out,gypsum_fgd,5\n", 1, "unit"),
    ("company_id,direction,resource,quantity,unit\np1,out,unobtainium,5,t\n", 2, "resource"),
    ("company_id,direction,resource,quantity,unit\np1,out,gypsum_fgd,-5,t\n", 2, "quantity"),
    ("company_id,direction,resource,quantity,unit\np1,out,gypsum_fgd,5,furlongs\n", 2, "unit"),
    ("company_id,direction,resource,quantity,unit\np1,out,gypsum_fgd,5,MWh\n", 2, "unit"),
    ("company_id,direction,resource,quantity,unit\nzz,out,gypsum_fgd,5,t\n", 2, "company_id"),
    ("company_id,direction,resource,quantity,unit\np1,sideways,gypsum_fgd,5,t\n", 2, "direction"),
]


@pytest.mark.parametrize(("text", "line", "field"), BAD_FLOWS)
def test_bad_flows_exit_2_name_file_row_and_field_and_write_nothing(tmp_path, capsys, text, line, field):
    companies = _write(tmp_path, "companies.csv", COMPANIES)
    flows = _write(tmp_path, "flows.csv", text)
    out = tmp_path / "s.csv"
    assert main(["detect", "--companies", str(companies), "--flows", str(flows), "--out", str(out)]) == 2
    message = capsys.readouterr().err
    assert "flows.csv" in message and f"ligne {line}" in message and f"« {field} »" in message
    assert not out.exists()


def test_a_missing_companies_file_is_an_input_error(tmp_path, capsys):
    assert main(["detect", "--companies", str(tmp_path / "none.csv"), "--out", str(tmp_path / "s.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err


def test_semicolons_and_decimal_commas_are_accepted(tmp_path):
    companies = _write(tmp_path, "companies.csv", "id;name;naf;lat;lon;headcount\na;A;35.11Z;49,5;0,1;10\n")
    assert main(["detect", "--companies", str(companies), "--out", str(tmp_path / "s.csv")]) == 0


def test_catalogue_lists_and_searches(capsys):
    assert main(["catalogue", "gypse"]) == 0
    text = capsys.readouterr().out
    assert "gypsum_fgd" in text and "SUB-GYP-01" in text and "10 01 05" in text
    assert main(["catalogue", "--kind", "resources", "--format", "csv"]) == 0
    assert "paper_cardboard" in capsys.readouterr().out
    assert main(["catalogue", "--naf", "11.05Z"]) == 0
    assert "bio_spent_grain" in capsys.readouterr().out


def test_catalogue_search_ignores_case_and_accents(capsys):
    assert main(["catalogue", "DRECHE", "--kind", "resources"]) == 0
    out = capsys.readouterr().out
    assert "== Ressources (2) ==" in out  # drêches de brasserie, drêches de distillerie
    assert "bio_spent_grain" in out
    assert "code | famille | libellé | unité" in out
