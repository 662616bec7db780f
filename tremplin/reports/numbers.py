"""Figures written for people: grouped thousands and the decimal mark of the active language, and a
unit (t, t CO2e, €, MWh, FTE) after a no-break space.

Formatting goes through Django's localisation (``django.utils.formats.number_format`` with the formats
of ``tremplin.formats``): "1 234 567,8 t" in French (narrow no-break spaces between the groups),
"1,234,567.8 t" in English. Pages (the ``numbers`` template filters), PDFs and spreadsheet headers all use
these functions, so that a figure reads the same everywhere.

>>> from django.utils import translation
>>> with translation.override("en"):
...     number(1234567.8), quantity(1234.0, "€")
('1,234,567.8', '1,234\\xa0€')
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

__all__ = ["UNIT_DECIMALS", "number", "quantity", "signed"]

#: Decimals kept per unit (at most: trailing zeros are dropped); euros are whole.
UNIT_DECIMALS = {"€": 0, "€/an": 0, "€/year": 0, "MWh": 0, "%": 1}
DEFAULT_DECIMALS = 1
NO_BREAK_SPACE = "\xa0"


def _as_number(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def number(value, decimals: int = DEFAULT_DECIMALS) -> str:
    """``value`` rounded to at most ``decimals`` decimals, grouped and with the decimal mark of the
    active language; "—" when there is no value."""
    value = _as_number(value)
    if value is None:
        return "—"
    rounded = round(Decimal(str(value)), decimals)
    integral = rounded == rounded.to_integral_value()
    places = 0 if integral else max(0, -rounded.normalize().as_tuple().exponent)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)


def quantity(value, unit: str = "", decimals: int | None = None) -> str:
    """A number followed by its unit ("1 234,5 t CO2e"); "—" without a value."""
    if decimals is None:
        decimals = UNIT_DECIMALS.get(unit, DEFAULT_DECIMALS)
    text = number(value, decimals)
    if text == "—" or not unit:
        return text
    return f"{text}{NO_BREAK_SPACE}{unit}"


def signed(value, decimals: int = DEFAULT_DECIMALS) -> str:
    """A change with its sign: "+3", "-1,5", "0"."""
    value = _as_number(value)
    if value is None:
        return "—"
    text = number(abs(value), decimals)
    if text in ("0", number(0, decimals)):
        return "0"
    return ("+" if value > 0 else "-") + text
