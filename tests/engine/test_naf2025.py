"""NAF 2025: format detection, INSEE's correspondence table, the profile rule for split codes, and the
engine and CLI run on NAF 2025 codes.

The correspondences asserted below were read by hand in INSEE's table « Correspondances NAF rév. 2 – NAF
2025 » (see tremplin/engine/data/SOURCES.md), not computed from the shipped file.
"""

import csv
from pathlib import Path

import pytest

from tremplin.engine import detect
from tremplin.engine import naf as N
from tremplin.engine.cli import main
from tremplin.engine.io import read_companies

KALUNDBORG = Path(__file__).with_name("kalundborg_companies.csv")


@pytest.mark.parametrize(
    ("rev2", "naf2025"),
    [
        ("62.01Z", "62.10Y"),  # programming: one to one, class renumbered
        ("10.71B", "47.24Y"),  # bake-off points move from manufacturing to retail
        ("38.31Z", "38.21Y"),  # dismantling of wrecks becomes recovery of materials
        ("41.10A", "68.12Y"),  # housing promotion moves from construction to real estate
        ("35.12Z", "35.13Y"),  # electricity transmission renumbered
    ],
)
def test_hand_checked_one_to_one_links(rev2, naf2025):
    antecedents = dict(N.naf_correspondence(naf2025).antecedents)
    assert antecedents[rev2] == "unique"


def test_a_split_rev2_code_has_every_successor_from_the_table():
    successors = sorted(
        code for code in N.all_naf2025_codes() if "35.11Z" in dict(N.naf_correspondence(code).antecedents)
    )
    assert successors == ["35.11Y", "35.12Y", "35.16Y"]  # non-renewable, renewable electricity, storage


def test_the_table_covers_every_rev2_subclass_and_746_naf2025_codes():
    with N.CORRESPONDENCE_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1223
    assert len({row["naf_rev2"] for row in rows}) == 732 == len(N.all_naf_codes("subclass"))
    assert len({row["naf_2025"] for row in rows}) == 746 == len(N.all_naf2025_codes())


@pytest.mark.parametrize(
    ("code", "antecedents", "profile", "rule"),
    [
        ("62.10Y", ["62.01Z"], "62.01Z", "only"),
        # same class number kept: 47.24Z, not the smaller 10.71B that passes whole
        ("47.24Y", ["10.71B", "47.24Z", "47.81Z", "47.91B", "47.99A", "47.99B"], "47.24Z", "same class"),
        # same class number, and of those the one passing whole
        ("10.13H", ["10.13A", "10.13B"], "10.13B", "same class"),
        # no same class: the first that passes whole
        ("62.20H", ["62.02B", "62.03Z"], "62.02B", "unique"),
        ("25.53Y", ["25.61Z", "25.62A", "25.62B"], "25.62A", "unique"),
        # no same class, none whole: the first listed
        ("38.32Y", ["38.21Z", "38.22Z"], "38.21Z", "first listed"),
    ],
)
def test_split_codes_follow_the_documented_rule(code, antecedents, profile, rule):
    found = N.naf_correspondence(code)
    assert [old for old, _ in found.antecedents] == antecedents
    assert (found.profile_code, found.rule) == (profile, rule)
    assert N.naf_profile_code(code) == profile
    assert N.naf_ancestors(code)[0] == profile


@pytest.mark.parametrize(
    ("code", "nomenclature"),
    [
        ("62.10Y", "2025"),
        ("6210y", "2025"),
        ("10.71H", "2025"),
        ("62.01Z", "rev2"),
        ("1071C", "rev2"),
        ("62", "rev2"),
        ("38.21", "rev2"),
        ("C", "rev2"),
        ("99.99Z", None),
        ("hello", None),
    ],
)
def test_format_detection(code, nomenclature):
    assert N.detect_nomenclature(code) == nomenclature


def test_explicit_nomenclature_wins_and_default_is_rev2():
    assert N.normalise_naf("38.21") == "38.21Z"  # a class in both: rév. 2 by default
    with pytest.raises(N.UnknownNafCode) as error:
        N.normalise_naf("38.21", "2025")
    assert error.value.nomenclature == "2025" and "sous-classe" in str(error.value)
    with pytest.raises(N.UnknownNafCode, match=r"NAF rév\. 2.*a NAF 2025 code"):
        N.normalise_naf("62.10Y", "rev2")
    with pytest.raises(N.UnknownNafCode, match="NAF 2025"):
        N.normalise_naf("62.01Z", "2025")
    with pytest.raises(ValueError, match="unknown nomenclature"):
        N.normalise_naf("62.01Z", "2008")


def test_a_naf2025_code_absent_from_the_table_is_unknown_not_guessed():
    # 46.89Y exists in NAF 2025 but INSEE's table gives it no NAF rév. 2 antecedent.
    with pytest.raises(N.UnknownNafCode) as error:
        N.naf_profile_code("46.89Y")
    assert error.value.nomenclature == "2025" and "correspondence table" in str(error.value)
    with pytest.raises(N.UnknownNafCode):
        N.normalise_naf("62.19Y")


def _successor(rev2_code):
    """The NAF 2025 code such a company gets: one whose profile is ``rev2_code``, else one in its class
    (47.11D supermarkets become 47.11J, whose profile is 47.11A by the rule; both have the 47.11 profile)."""
    codes = N.all_naf2025_codes()
    for code in codes:
        if N.naf_profile_code(code) == rev2_code:
            return code
    for code in codes:
        if (
            rev2_code in dict(N.naf_correspondence(code).antecedents)
            and N.naf_profile_code(code)[:5] == rev2_code[:5]
        ):
            return code
    raise AssertionError(f"no NAF 2025 code maps back to {rev2_code}")


def _in_naf2025(tmp_path):
    with KALUNDBORG.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["naf"] = _successor(row["naf"])
    path = tmp_path / "companies_naf2025.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _leads(result):
    return [
        (
            o.type,
            tuple(p.company_id for p in o.participants),
            round(o.gain_eur_per_year, 6),
            round(o.co2_avoided_t_per_year, 6),
        )
        for o in result.opportunities
    ]


def test_the_engine_gives_the_same_leads_on_naf2025_codes(tmp_path):
    companies_2025 = read_companies(_in_naf2025(tmp_path))
    assert all(N.naf_nomenclature(e.naf) == "2025" for e in companies_2025)
    rev2 = detect(read_companies(KALUNDBORG))
    naf2025 = detect(companies_2025)
    assert rev2.opportunities and _leads(naf2025) == _leads(rev2)
    steam = next(o for o in naf2025.opportunities if "asnaes" in [p.company_id for p in o.participants])
    assert any("NAF 2025 35.11Y : profil sectoriel du NAF rév. 2 35.11Z" in a for a in steam.assumptions)
    assert not any("NAF 2025" in a for o in rev2.opportunities for a in o.assumptions)


def test_cli_detect_reads_a_naf2025_companies_file(tmp_path):
    out_rev2, out_2025 = tmp_path / "rev2.csv", tmp_path / "naf2025.csv"
    assert main(["detect", "--companies", str(KALUNDBORG), "--out", str(out_rev2), "--quiet"]) == 0
    companies = _in_naf2025(tmp_path)
    assert (
        main(
            [
                "detect",
                "--companies",
                str(companies),
                "--naf-nomenclature",
                "2025",
                "--out",
                str(out_2025),
                "--quiet",
            ]
        )
        == 0
    )

    def ids(path):
        with path.open(encoding="utf-8") as handle:
            return [
                (row["type"], row["source_id"], row["target_id"], row["members"], row["resource"])
                for row in csv.DictReader(handle)
            ]

    assert ids(out_2025) == ids(out_rev2) and ids(out_rev2)


@pytest.mark.parametrize(
    ("naf", "option", "expected"),
    [
        ("46.89Y", "auto", "code NAF 2025 inconnu '46.89Y'"),
        ("62.10Y", "rev2", "code NAF rév. 2 inconnu '62.10Y'"),
        ("35.11Z", "2025", "code NAF 2025 inconnu '35.11Z'"),
    ],
)
def test_cli_names_the_row_of_a_bad_naf2025_code(tmp_path, capsys, naf, option, expected):
    first = "35.11Z" if option == "rev2" else "35.11Y"  # a good first row in the chosen nomenclature
    companies = tmp_path / "companies.csv"
    companies.write_text(
        f"id,name,naf,lat,lon,headcount\na,A,{first},49,0,10\nb,B,{naf},49,0,10\n", encoding="utf-8"
    )
    out = tmp_path / "s.csv"
    assert (
        main(["detect", "--companies", str(companies), "--naf-nomenclature", option, "--out", str(out)]) == 2
    )
    message = capsys.readouterr().err
    assert "ligne 3" in message and "« naf »" in message and expected in message
    assert not out.exists()
