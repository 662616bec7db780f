"""Quantities as a company states them, brought to the engine's terms: the resource's default unit, per year.

>>> round(yearly_quantity("oil_mineral_used", 2, "m3", "week"), 6)  # 2 m³ x 0.9 t/m³ x 52 weeks
93.6
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from tremplin.engine import UnitError, UnknownResource, convert
from tremplin.engine.units import canonical_unit
from tremplin.flows import catalogue


class Frequency:
    YEAR = "year"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"
    ONE_OFF = "one_off"

    CHOICES = [
        (YEAR, _("per year")),
        (MONTH, _("per month")),
        (WEEK, _("per week")),
        (DAY, _("per working day (250 a year)")),
        (ONE_OFF, _("one-off (counted once in the year)")),
    ]

    #: Occurrences per year. A working year has about 250 days in France (365 days less 104 weekend
    #: days and 11 public holidays, some of them on weekends).
    PER_YEAR = {YEAR: 1, MONTH: 12, WEEK: 52, DAY: 250, ONE_OFF: 1}


class QuantityError(ValueError):
    """A quantity that cannot be brought to the resource's unit; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


def yearly_quantity(resource_code: str, quantity: Decimal | float, unit: str, frequency: str) -> float:
    """``quantity`` of ``unit`` each ``frequency``, in the resource's default unit per year."""
    try:
        resource = catalogue.resource(resource_code)
    except UnknownResource:
        raise QuantityError("resource", str(_("Choose a resource from the catalogue."))) from None
    if frequency not in Frequency.PER_YEAR:
        raise QuantityError("frequency", str(_("Choose a frequency from the list.")))
    if quantity is None or quantity < 0:
        raise QuantityError("quantity", str(_("The quantity must be zero or more.")))
    try:
        canonical_unit(unit)
        per_occurrence = convert(
            float(quantity), unit, resource.unit, density=resource.density, mwh_per_t=resource.mwh_per_t
        )
    except UnitError as error:
        label = resource.label[:1].lower() + resource.label[1:]
        raise QuantityError(
            "unit",
            str(
                _(
                    "%(quantity)s %(unit)s of %(resource)s: incompatible unit, "
                    "expected %(expected)s (%(detail)s)"
                )
                % {
                    "quantity": _format_number(quantity),
                    "unit": unit.strip(),
                    "resource": label,
                    "expected": resource.unit,
                    "detail": error,
                }
            ),
        ) from None
    return per_occurrence * Frequency.PER_YEAR[frequency]


def _format_number(value) -> str:
    from django.utils.formats import number_format

    return number_format(value, force_grouping=True)
