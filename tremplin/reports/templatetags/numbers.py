"""``{{ value|number }}``, ``{{ value|quantity:"t" }}``, ``{{ delta|signed }}``: figures in the active
language's format (see :mod:`tremplin.reports.numbers`)."""

from django import template

from tremplin.reports import numbers

register = template.Library()


@register.filter
def number(value, decimals=numbers.DEFAULT_DECIMALS):
    return numbers.number(value, int(decimals))


@register.filter
def quantity(value, unit=""):
    return numbers.quantity(value, str(unit))


@register.filter
def signed(value, decimals=numbers.DEFAULT_DECIMALS):
    return numbers.signed(value, int(decimals))
