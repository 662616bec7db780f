"""Statistical secrecy: a figure that adds up the data of fewer than N companies is not shown to the
programme team.

A territory's "known gisements: 5 t/year" or "€ saved" may be the figure of a single company. The
territory's own team sees its figures as they are; everybody else (the programme team following every
territory, reading frozen reports and comparisons) sees such a figure only when at least
``settings.AGGREGATE_MIN_COMPANIES`` distinct companies (default 3) contribute to it, else
"secret (fewer than N companies)". A company is a SIREN (the first nine digits of the SIRET): two sites
of one company are one contributor. Counts of companies, of synergies or of meetings are not withheld:
they say how many, not how much any company produces, saves or earns.

The programme total of a figure is withheld too when it would give a withheld territory's figure away
by subtraction: it is shown only if the companies behind the territories' withheld values, together,
reach the minimum (or there is none).

>>> withheld(5.0, 1, minimum=3), withheld(5.0, 3, minimum=3), withheld(0.0, 0, minimum=3)
(True, False, False)
>>> withheld(12.0, None, minimum=3)  # a figure recorded before contributors were counted
True
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from django.conf import settings

__all__ = [
    "VARIANTS",
    "company_key",
    "minimum_companies",
    "total_withheld",
    "withheld",
    "withhold_indicators",
]

#: The three values of each indicator figure (see ``tremplin.indicators.compute``).
VARIANTS = ("potential_estimated", "operational_estimated", "operational_measured")


def minimum_companies() -> int:
    return settings.AGGREGATE_MIN_COMPANIES


def company_key(siret: str) -> str:
    """The company an establishment belongs to: its SIREN."""
    return (siret or "")[:9]


def withheld(value, companies: int | None, *, minimum: int | None = None) -> bool:
    """Whether a figure built from ``companies`` contributors is withheld. ``None`` contributors (a
    figure frozen before they were counted) withholds every value but nothing at all."""
    minimum = minimum_companies() if minimum is None else minimum
    if companies is None:
        return value not in (None, 0, 0.0)
    return 0 < companies < minimum


def total_withheld(
    total_companies: int, withheld_part: set | Iterable, *, minimum: int | None = None
) -> bool:
    """Whether a total over several parts is withheld: too few companies in all, or the withheld parts'
    companies together so few that subtracting the shown parts from the total would give them away."""
    minimum = minimum_companies() if minimum is None else minimum
    hidden = len(set(withheld_part))
    return 0 < total_companies < minimum or 0 < hidden < minimum


def withhold_indicators(indicators: dict, *, figures, minimum: int | None = None) -> dict:
    """A copy of a territory's indicators (``compute.territory_indicators``) for a reader outside the
    territory: each withheld value becomes ``None`` and ``figure["secret"][variant]`` is true."""
    minimum = minimum_companies() if minimum is None else minimum
    result = copy.deepcopy(indicators)
    for family, key, *_rest in figures:
        figure = result.get(family, {}).get(key)
        if figure is None:
            continue
        companies = figure.get("companies")
        figure["secret"] = {}
        for variant in VARIANTS:
            count = companies.get(variant) if isinstance(companies, dict) else None
            if withheld(figure.get(variant), count, minimum=minimum):
                figure[variant] = None
                figure["secret"][variant] = True
    return result
