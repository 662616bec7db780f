"""Display of the exact fractions the ranking computes (weighted scores, means)."""

from fractions import Fraction

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def fraction(value, digits=2):
    """Round an exact Fraction for display (e.g. 14/3 → "4,67" in French)."""
    if value is None:
        return ""
    if isinstance(value, Fraction):
        value = float(value)
    return floatformat(value, digits)


@register.filter
def iso_date(value):
    """A date stored as ISO text in JSON (``2026-11-01``), in the short date format of the language."""
    from django.utils.dateparse import parse_date
    from django.utils.formats import date_format

    try:
        parsed = parse_date(str(value or ""))
    except ValueError:
        parsed = None
    return date_format(parsed, "SHORT_DATE_FORMAT") if parsed else ""
