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
