"""The map of a release: EPCI boundaries from the platform's geography, coloured by one figure.

Classes are quantiles of the figure over the EPCIs shown (at most five; fewer when the figure takes
fewer distinct values), computed here so that the page's script only paints what it is given and the
legend says the bounds in the reader's language. EPCIs whose boundary the platform does not hold are
counted, not drawn (the table lists them).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["FIGURES", "NO_VALUE_COLOUR", "PALETTE", "Figure", "class_bounds", "map_payload"]


@dataclass(frozen=True)
class Figure:
    code: str
    label: Promise
    unit: Promise
    decimals: int


FIGURES = {
    "leads_per_100": Figure(
        "leads_per_100", _("Leads per 100 establishments"), _("leads per 100 establishments"), 1
    ),
    "gain_eur_per_year": Figure("gain_eur_per_year", _("Gain in € per year"), _("€/year"), 0),
    "co2e_t_per_year": Figure("co2e_t_per_year", _("t CO2e avoided per year"), _("t CO2e/year"), 0),
    "tonnes_per_year": Figure("tonnes_per_year", _("Tonnes per year"), _("t/year"), 0),
}
DEFAULT_FIGURE = "leads_per_100"

#: ColorBrewer "Greens", 5 classes (Cynthia Brewer, colorbrewer2.org): light for low, dark for high.
PALETTE = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
NO_VALUE_COLOUR = "#bdbdbd"


def class_bounds(values, classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of quantile classes of ``values`` (None values left out).

    >>> class_bounds([40, 0, 2, 5, 10, 20])
    [2, 5, 10, 20, 40]
    >>> class_bounds([3, 3, 1])
    [1, 3]
    """
    ordered = sorted(value for value in values if value is not None)
    if not ordered:
        return []
    distinct = sorted(set(ordered))
    if len(distinct) <= classes:
        return distinct
    n = len(ordered)
    bounds: list[float] = []
    for i in range(classes):
        bound = ordered[math.ceil((i + 1) * n / classes) - 1]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _colours(count: int) -> list[str]:
    if count <= 1:
        return [PALETTE[len(PALETTE) // 2]] * count
    last = len(PALETTE) - 1
    return [PALETTE[round(i * last / (count - 1))] for i in range(count)]


def _format(value, figure: Figure) -> str:
    return number_format(value, figure.decimals, use_l10n=True, force_grouping=True)


def map_payload(rows, figure_code: str) -> dict:
    """GeoJSON FeatureCollection of ``rows`` (EpciPotential, with ``epci`` selected) that have a
    boundary; each feature's properties: ``siren``, ``name``, ``value``, ``display``, ``class``,
    ``colour``. Foreign members: the figure, the legend and the count of rows not drawn."""
    figure = FIGURES[figure_code]
    rows = list(rows)
    values = [getattr(row, figure.code) for row in rows]
    bounds = class_bounds(values)
    colours = _colours(len(bounds))
    present = [v for v in values if v is not None]
    exact = len(set(present)) == len(bounds)  # one distinct value per class
    legend = []
    for i, bound in enumerate(bounds):
        low = bound if exact else min(present) if i == 0 else bounds[i - 1]
        if exact or low == bound:
            text = _format(bound, figure)
        elif i == 0:
            text = _("%(low)s to %(high)s") % {"low": _format(low, figure), "high": _format(bound, figure)}
        else:
            text = _("over %(low)s, up to %(high)s") % {
                "low": _format(low, figure),
                "high": _format(bound, figure),
            }
        legend.append({"class": i, "colour": colours[i], "min": low, "max": bound, "label": str(text)})
    if any(value is None for value in values):
        legend.append(
            {"class": None, "colour": NO_VALUE_COLOUR, "min": None, "max": None, "label": str(_("no value"))}
        )
    features, without = [], 0
    for row, value in zip(rows, values, strict=True):
        boundary = row.epci.boundary_geojson
        if not boundary:
            without += 1
            continue
        klass = next((i for i, bound in enumerate(bounds) if value is not None and value <= bound), None)
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(boundary),
                "properties": {
                    "siren": row.epci.siren,
                    "name": row.name,
                    "value": value,
                    "display": f"{_format(value, figure)} {figure.unit}"
                    if value is not None
                    else str(_("no value")),
                    "class": klass,
                    "colour": colours[klass] if klass is not None else NO_VALUE_COLOUR,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "figure": {"code": figure.code, "label": str(figure.label), "unit": str(figure.unit)},
        "legend": legend,
        "rows": len(rows),
        "without_geometry": without,
    }
