"""Filters for the strategy's values as reports freeze them (ISO dates, basis codes)."""

import datetime

from django import template

from tremplin.coaching.models import ValueBasis

register = template.Library()


@register.filter
def parse_iso_date(value):
    """A date frozen as ``YYYY-MM-DD`` text, as a date (the text unchanged if it is not one)."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def value_basis(code):
    """The label of a value's basis (declared, measured, estimated) from its frozen code."""
    return dict(ValueBasis.choices).get(code, code)
