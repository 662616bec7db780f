"""Tests of the NAF rév. 2 reference data and its accessors (tremplin.engine.naf)."""

import csv
import doctest
import itertools
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.engine import naf
from tremplin.engine.naf import (
    NAF_LEVELS,
    NafDataError,
    UnknownNafCode,
    all_naf_codes,
    naf_ancestors,
    naf_division,
    naf_label,
    naf_level,
    naf_section,
    normalise_naf,
)

# Sizes of NAF rév. 2 as published by INSEE.
OFFICIAL_COUNTS = {"section": 21, "division": 88, "group": 272, "class": 615, "subclass": 732}


def _raw_rows() -> list[dict[str, str]]:
    """The data file read directly, independently of the module under test."""
    with naf.DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


RAW_ROWS = _raw_rows()
RAW_PARENT = {row["code"]: row["parent"] for row in RAW_ROWS}
ALL_CODES = [row["code"] for row in RAW_ROWS]


# --- the data -----------------------------------------------------------------------------------------


def test_counts_per_level_match_the_official_nomenclature():
    assert Counter(row["level"] for row in RAW_ROWS) == OFFICIAL_COUNTS
    for level, expected in OFFICIAL_COUNTS.items():
        assert len(all_naf_codes(level)) == expected
    assert len(all_naf_codes()) == sum(OFFICIAL_COUNTS.values()) == 1728


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("35.11Z", "Production d'électricité"),
        ("10.71C", "Boulangerie et boulangerie-pâtisserie"),
        ("24.10Z", "Sidérurgie"),
        ("01.11Z", "Culture de céréales (à l'exception du riz), de légumineuses et de graines oléagineuses"),
        ("38.32Z", "Récupération de déchets triés"),
        ("43.99C", "Travaux de maçonnerie générale et gros œuvre de bâtiment"),
        ("86.90F", "Activités de santé humaine non classées ailleurs"),
        ("10.71", "Fabrication de pain et de pâtisserie fraîche"),
        ("35.1", "Production, transport et distribution d'électricité"),
        ("24", "Métallurgie"),
        ("A", "Agriculture, sylviculture et pêche"),
        ("D", "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"),
        ("E", "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution"),
        ("U", "Activités extra-territoriales"),
    ],
)
def test_known_labels(code, label):
    assert naf_label(code) == label


def test_sections_are_a_to_u_in_order():
    assert all_naf_codes("section") == [chr(c) for c in range(ord("A"), ord("U") + 1)]


def test_file_lists_each_code_after_its_parent():
    seen: set[str] = set()
    for row in RAW_ROWS:
        assert row["parent"] == "" or row["parent"] in seen, row
        seen.add(row["code"])
    assert all_naf_codes() == ALL_CODES


def test_labels_are_clean():
    for row in RAW_ROWS:
        label = row["label"]
        assert label == label.strip() and "  " not in label, row
        assert "\u2019" not in label and "\xa0" not in label, row
        assert label[0].isupper() or label[0].isdigit(), row


def test_division_parents_follow_the_official_section_ranges():
    # Division number ranges of each section, as published by INSEE.
    ranges = {
        "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
        "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
        "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
        "S": (94, 96), "T": (97, 98), "U": (99, 99),
    }  # fmt: skip
    for division in all_naf_codes("division"):
        low, high = ranges[naf_section(division)]
        assert low <= int(division) <= high, division


# --- normalise_naf ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("35.11Z", "35.11Z"),
        ("35.11z", "35.11Z"),
        ("3511Z", "35.11Z"),
        ("3511z", "35.11Z"),
        ("  35.11Z\t", "35.11Z"),
        ("35.11", "35.11Z"),  # class with a single subclass
        ("3511", "35.11Z"),
        ("10.71", "10.71"),  # class with four subclasses
        ("10.71c", "10.71C"),
        ("35.1", "35.1"),
        ("351", "35.1"),
        ("35", "35"),
        (" 35 ", "35"),
        ("D", "D"),
        ("d", "D"),
        ("01.11Z", "01.11Z"),
        ("0111Z", "01.11Z"),
    ],
)
def test_normalise_accepted_forms(raw, expected):
    assert normalise_naf(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "35.11A", "04", "99.99Z", "Z", "V", "35.1Z", "35Z", "3", "35.111", "35.11ZZ", "35-11Z", "DD"],
)
def test_normalise_rejects_unknown_codes(raw):
    with pytest.raises(UnknownNafCode) as info:
        normalise_naf(raw)
    assert repr(raw) in str(info.value)
    assert info.value.code == raw
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("function", [normalise_naf, naf_label, naf_level, naf_ancestors, naf_section])
def test_accessors_reject_unknown_codes(function):
    with pytest.raises(UnknownNafCode, match=r"12\.34X"):
        function("12.34X")


def test_non_string_code_is_a_type_error():
    with pytest.raises(TypeError):
        normalise_naf(3511)  # type: ignore[arg-type]


def test_every_class_normalises_to_itself_or_its_only_subclass():
    for code in all_naf_codes("class"):
        subclasses = [c for c in ALL_CODES if RAW_PARENT[c] == code]
        expected = subclasses[0] if len(subclasses) == 1 else code
        assert normalise_naf(code) == expected


# --- other accessors ----------------------------------------------------------------------------------


def test_ancestors_example():
    assert naf_ancestors("35.11Z") == ["35.11Z", "35.11", "35.1", "35", "D"]
    assert naf_ancestors("3511z") == ["35.11Z", "35.11", "35.1", "35", "D"]
    assert naf_ancestors("35.11") == ["35.11", "35.1", "35", "D"]  # no collapse onto the subclass
    assert naf_ancestors("D") == ["D"]


def test_levels_do_not_collapse_classes():
    assert naf_level("35.11") == "class"
    assert naf_level("35.11Z") == "subclass"
    assert naf_level("35.1") == "group"
    assert naf_level("35") == "division"
    assert naf_level("D") == "section"
    assert naf_label("10.71") == "Fabrication de pain et de pâtisserie fraîche"


def test_section_and_division():
    assert naf_section("10.71C") == "C"
    assert naf_section("C") == "C"
    assert naf_division("10.71C") == "10"
    assert naf_division("10") == "10"
    assert naf_section("01.11Z") == "A"
    assert naf_division("0111Z") == "01"
    with pytest.raises(ValueError, match="above the division level"):
        naf_division("C")


def test_unknown_level_is_rejected():
    with pytest.raises(ValueError, match="unknown NAF level"):
        all_naf_codes("sous-classe")


@settings(max_examples=300, database=None)
@given(st.sampled_from(ALL_CODES))
def test_ancestor_chain_follows_parent_column(code):
    chain = naf_ancestors(code)
    assert chain[0] == code
    for child, parent in itertools.pairwise(chain):
        assert RAW_PARENT[child] == parent
    assert RAW_PARENT[chain[-1]] == ""
    assert [naf_level(c) for c in chain] == list(reversed(NAF_LEVELS[: len(chain)]))
    assert naf_section(code) == chain[-1]


@settings(max_examples=300, database=None)
@given(st.sampled_from(ALL_CODES), st.booleans(), st.booleans(), st.text(" \t", max_size=2))
def test_loose_spellings_normalise_like_the_canonical_code(code, drop_dot, lower, padding):
    loose = code.replace(".", "") if drop_dot else code
    loose = loose.lower() if lower else loose
    loose = f"{padding}{loose}{padding}"
    assert normalise_naf(loose) == normalise_naf(code)
    assert naf_label(loose) == naf_label(code)
    if naf_level(code) != "class":
        assert normalise_naf(loose) == code


# --- broken data files --------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_real_file_reads_cleanly():
    nomenclature = naf._read_nomenclature(naf.DATA_FILE)
    assert len(nomenclature.entries) == 1728


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(NafDataError, match=r"nope\.csv: cannot open file"):
        naf._read_nomenclature(missing)


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("code,label,level,parent\n", 1, "expected header"),
        ("code,level,label,parent\nA,section,Agriculture\n", 2, "expected 4 fields"),
        ("code,level,label,parent\nA,sector,Agriculture,\n", 2, "unknown level"),
        ("code,level,label,parent\nA,section,Agriculture,\n1,division,Culture,A\n", 3, "not a well-formed"),
        ("code,level,label,parent\nA,section,Agriculture,\nA,section,Bis,\n", 3, "duplicate code 'A'"),
        ("code,level,label,parent\nA,section, Agriculture,\n", 2, "stray whitespace"),
        ("code,level,label,parent\nA,section,Agriculture,B\n", 2, "must have no parent"),
        ("code,level,label,parent\nA,section,Agriculture,\n01,division,Culture,B\n", 3, "parent 'B'"),
        ("code,level,label,parent\nA,section,Agriculture,\n01.1,group,Cultures,A\n", 3, "parent 'A'"),
        (
            "code,level,label,parent\nA,section,Agriculture,\n01,division,Culture,A\n02.1,group,Sylv,01\n",
            4,
            "does not extend its parent",
        ),
        ('code,level,label,parent\nA,section,"Agri\n', 2, "CSV syntax error"),
    ],
)
def test_broken_file_names_file_line_and_reason(tmp_path, text, line, reason):
    path = _write(tmp_path / "broken.csv", text)
    with pytest.raises(NafDataError) as info:
        naf._read_nomenclature(path)
    error = info.value
    assert error.line == line
    assert reason in error.reason
    assert str(error).startswith(f"{path}, line {line}: ")


def test_truncated_file_is_detected(tmp_path):
    lines = naf.DATA_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("96.09")]  # drop class 96.09 and its subclass
    assert len(kept) == len(lines) - 2
    path = _write(tmp_path / "short.csv", "".join(kept))
    with pytest.raises(NafDataError, match=r"short\.csv: expected 615 class codes, found 614"):
        naf._read_nomenclature(path)


def test_childless_code_is_detected(tmp_path):
    path = _write(tmp_path / "childless.csv", "code,level,label,parent\nA,section,Agriculture,\n")
    with pytest.raises(NafDataError, match=r"childless\.csv, line 2: section 'A' has no sub-level code"):
        naf._read_nomenclature(path)


# --- documentation ------------------------------------------------------------------------------------


def test_docstring_examples():
    assert doctest.testmod(naf).failed == 0


def test_public_api():
    assert sorted(naf.__all__) == sorted(
        [
            "NAF_LEVELS",
            "NOMENCLATURES",
            "NafCorrespondence",
            "all_naf2025_codes",
            "correspondence_note",
            "detect_nomenclature",
            "naf_correspondence",
            "naf_nomenclature",
            "naf_profile_code",
            "NafDataError",
            "UnknownNafCode",
            "all_naf_codes",
            "naf_ancestors",
            "naf_division",
            "naf_label",
            "naf_level",
            "naf_section",
            "normalise_naf",
        ]
    )
