"""Tests of INSEE headcount bands (tremplin.engine.headcount)."""

import dataclasses
import doctest
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin.engine import headcount
from tremplin.engine.headcount import (
    HeadcountBand,
    HeadcountDataError,
    UnknownHeadcountBand,
    all_headcount_bands,
    band_for_headcount,
    headcount_band,
)

# Codes and bounds of INSEE's « tranche d'effectif salarié » (SIRENE register).
OFFICIAL_BANDS = [
    ("NN", 0, 0),
    ("00", 0, 0),
    ("01", 1, 2),
    ("02", 3, 5),
    ("03", 6, 9),
    ("11", 10, 19),
    ("12", 20, 49),
    ("21", 50, 99),
    ("22", 100, 199),
    ("31", 200, 249),
    ("32", 250, 499),
    ("41", 500, 999),
    ("42", 1000, 1999),
    ("51", 2000, 4999),
    ("52", 5000, 9999),
    ("53", 10000, None),
]


def test_bands_match_insee_codes_and_bounds():
    assert [(b.code, b.min, b.max) for b in all_headcount_bands()] == OFFICIAL_BANDS


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("00", "0 salarié"),
        ("01", "1 ou 2 salariés"),
        ("02", "3 à 5 salariés"),
        ("12", "20 à 49 salariés"),
        ("42", "1 000 à 1 999 salariés"),
        ("53", "10 000 salariés et plus"),
    ],
)
def test_labels(code, label):
    assert headcount_band(code).label == label


def test_representative_headcounts():
    assert headcount_band("NN").representative == 0
    assert headcount_band("00").representative == 0
    assert headcount_band("53").representative == 12000
    expected = {"01": 1, "02": 4, "03": 7, "11": 14, "12": 31, "21": 70, "22": 141, "31": 223, "32": 353}
    expected |= {"41": 707, "42": 1414, "51": 3162, "52": 7071}
    for code, value in expected.items():
        assert headcount_band(code).representative == value


def test_representative_is_the_rounded_geometric_mean_of_bounded_employer_bands():
    for band in all_headcount_bands():
        if band.max is not None and band.max > 0:
            assert band.representative == round(math.sqrt(band.min * band.max)), band


def test_band_is_frozen():
    band = headcount_band("11")
    with pytest.raises(dataclasses.FrozenInstanceError):
        band.representative = 15  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "code"),
    [("01", "01"), (" 01 ", "01"), ("1", "01"), (1, "01"), (0, "00"), ("0", "00"), (53, "53"), ("nn", "NN")],
)
def test_headcount_band_accepts_loose_codes(raw, code):
    assert headcount_band(raw).code == code


@pytest.mark.parametrize("raw", ["13", "", "ZZ", "001", "5 3", "54", 13, -1, None, 1.0, True])
def test_headcount_band_rejects_unknown_codes(raw):
    with pytest.raises(UnknownHeadcountBand) as info:
        headcount_band(raw)
    assert info.value.code == raw
    assert repr(raw) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("n", "code"),
    [
        (0, "00"),
        (1, "01"),
        (2, "01"),
        (3, "02"),
        (5, "02"),
        (6, "03"),
        (9, "03"),
        (10, "11"),
        (19, "11"),
        (20, "12"),
        (49, "12"),
        (50, "21"),
        (99, "21"),
        (100, "22"),
        (199, "22"),
        (200, "31"),
        (249, "31"),
        (250, "32"),
        (499, "32"),
        (500, "41"),
        (999, "41"),
        (1000, "42"),
        (1999, "42"),
        (2000, "51"),
        (4999, "51"),
        (5000, "52"),
        (9999, "52"),
        (10000, "53"),
        (1_000_000, "53"),
    ],
)
def test_band_for_headcount_at_every_boundary(n, code):
    assert band_for_headcount(n).code == code


def test_band_for_headcount_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        band_for_headcount(-1)
    with pytest.raises(TypeError):
        band_for_headcount(2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        band_for_headcount(True)


@settings(max_examples=500, database=None)
@given(st.one_of(st.integers(min_value=0, max_value=20_000), st.integers(min_value=0, max_value=10**9)))
def test_band_for_headcount_always_contains_the_headcount(n):
    band = band_for_headcount(n)
    assert band.min <= n
    assert band.max is None or n <= band.max
    assert band.contains(n)
    assert band.code != "NN"


@settings(database=None)
@given(st.sampled_from([b for b in all_headcount_bands() if b.code != "NN"]))
def test_representative_falls_back_in_its_own_band(band):
    assert band_for_headcount(band.representative) == band


def test_all_headcount_bands_returns_a_fresh_list():
    bands = all_headcount_bands()
    bands.clear()
    assert len(all_headcount_bands()) == 16
    assert isinstance(all_headcount_bands()[0], HeadcountBand)


# --- broken data files --------------------------------------------------------------------------------

HEADER = "code,label,min,max,representative\n"


def _real_lines() -> list[str]:
    return headcount.DATA_FILE.read_text(encoding="utf-8").splitlines(keepends=True)


def _replace_line(number: int, text: str) -> str:
    lines = _real_lines()
    lines[number - 1] = text
    return "".join(lines)


def test_real_file_reads_cleanly():
    assert len(headcount._read_bands(headcount.DATA_FILE)) == 16


def test_missing_file(tmp_path):
    with pytest.raises(HeadcountDataError, match=r"nope\.csv: cannot open file"):
        headcount._read_bands(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("code,label,min,max\n", 1, "expected header"),
        (HEADER + "NN,Non employeur,0,0\n", 2, "expected 5 fields"),
        (HEADER + "00,0 salarié,0,0,0\n", 2, "expected code 'NN'"),
        (_replace_line(4, "01,1 ou 2 salariés,1,two,1\n"), 4, "max must be a non-negative integer"),
        (_replace_line(4, "01,1 ou 2 salariés,1,2,5\n"), 4, "representative 5 is outside the band"),
        (_replace_line(4, "01,1 ou 2 salariés,2,1,1\n"), 4, "below min"),
        (_replace_line(5, "02,3 à 5 salariés,4,5,4\n"), 5, "does not start right after band '01'"),
        (_replace_line(4, "01,1 ou 2 salariés,1,,1\n"), 4, "only the last band may be open-ended"),
        (_replace_line(2, "NN,Non employeur,0,1,0\n"), 2, "band 'NN' must have min and max 0"),
        (_replace_line(3, "00,0 salarié,1,1,1\n"), 3, "must start at 0"),
        (_replace_line(3, "00, 0 salarié,0,0,0\n"), 3, "stray whitespace"),
        ("".join(_real_lines()) + "54,Trop,20000,,20000\n", 18, "expected code 'end of file'"),
        (HEADER + 'NN,"Non employeur\n', 2, "CSV syntax error"),
    ],
)
def test_broken_file_names_file_line_and_reason(tmp_path, text, line, reason):
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HeadcountDataError) as info:
        headcount._read_bands(path)
    error = info.value
    assert error.line == line
    assert reason in error.reason
    assert str(error).startswith(f"{path}, line {line}: ")


def test_missing_bands_are_detected(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("".join(_real_lines()[:-1]), encoding="utf-8")
    with pytest.raises(HeadcountDataError, match=r"short\.csv: missing bands: 53"):
        headcount._read_bands(path)


def test_closed_last_band_is_detected(tmp_path):
    path = tmp_path / "closed.csv"
    path.write_text(_replace_line(17, "53,10 000 salariés et plus,10000,99999,12000\n"), encoding="utf-8")
    with pytest.raises(HeadcountDataError, match="must be open-ended"):
        headcount._read_bands(path)


def test_error_path_is_a_path():
    error = HeadcountDataError("some/file.csv", 3, "reason")
    assert error.path == Path("some/file.csv")
    assert str(error) == "some/file.csv, line 3: reason"


# --- documentation ------------------------------------------------------------------------------------


def test_docstring_examples():
    assert doctest.testmod(headcount).failed == 0
