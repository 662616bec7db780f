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


@register.filter
def iso_datetime(value):
    """A date and time stored as ISO text in JSON, in the short date-and-time format (current zone)."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format

    try:
        parsed = parse_datetime(str(value or ""))
    except ValueError:
        parsed = None
    if parsed is None:
        return ""
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return date_format(parsed, "SHORT_DATETIME_FORMAT")


@register.filter
def basis_label(value):
    """The label of a basis code (``estimated`` → "Estimated"), as the figures of synergies say it."""
    from tremplin.synergies.enums import Basis

    try:
        return Basis(value).label
    except ValueError:
        return value
