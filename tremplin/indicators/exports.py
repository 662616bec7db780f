"""The programme indicators as an XLSX workbook: one line per territory and the programme's totals, with
the figures of the page (the same withheld values: :mod:`tremplin.indicators.secrecy`).

Headers are in the active language and carry each figure's basis and unit; values stay numbers so that a
spreadsheet computes with them.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tremplin.indicators.compute import FIGURES
from tremplin.indicators.secrecy import VARIANTS, minimum_companies
from tremplin.spreadsheets import xlsx_row
from tremplin.xlsx_stream import stream_workbook

__all__ = ["programme_workbook"]


def _labels() -> dict[str, tuple[str, str]]:
    return {
        "tonnes_diverted_per_year": (_("Tonnes diverted from disposal"), _("t/year")),
        "co2_avoided_t_per_year": (_("CO2e avoided"), _("t CO2e/year")),
        "eur_saved_per_year": (_("Money saved"), _("€/year")),
        "eur_earned_per_year": (_("Money earned from by-products"), _("€/year")),
        "jobs_fte": (_("Jobs created or kept"), _("FTE")),
    }


def _variants() -> dict[str, str]:
    return {
        "potential_estimated": _("potential, estimated"),
        "operational_estimated": _("operational, estimated"),
        "operational_measured": _("operational, measured"),
    }


def _figure_values(entry: dict) -> list:
    secret = _("secret (fewer than %(n)s companies)") % {"n": minimum_companies()}
    values = []
    for family, key, _estimate, _measured in FIGURES:
        figure = entry.get(family, {}).get(key, {})
        for variant in VARIANTS:
            if figure.get("secret", {}).get(variant):
                values.append(secret)
            else:
                values.append(figure.get(variant))
    return values


def _pipeline_values(pipeline: dict) -> list:
    return [
        pipeline.get("synergies"),
        pipeline.get("operational"),
        pipeline.get("operational_consented"),
        pipeline.get("operational_unconsented"),
    ]


def programme_workbook(indicators: dict, *, title: str) -> bytes:
    """``indicators``: :func:`tremplin.indicators.compute.programme_indicators`'s result."""
    labels, variants = _labels(), _variants()

    def lines():
        yield xlsx_row([title])
        header = [
            _("Territory"),
            _("SIREN"),
            _("Synergies"),
            _("Operational or monitored"),
            _("Operational with every participant's consent"),
            _("Operational missing a participant's consent"),
        ]
        for _family, key, _estimate, _measured in FIGURES:
            label, unit = labels[key]
            header += [f"{label} — {variants[variant]} ({unit})" for variant in VARIANTS]
        yield xlsx_row(header)
        for entry in indicators["territories"]:
            yield xlsx_row(
                [entry["name"], entry["siren"], *_pipeline_values(entry["pipeline"]), *_figure_values(entry)]
            )
        totals = indicators["totals"]
        if totals:
            yield xlsx_row(
                [_("Programme total"), "", *_pipeline_values(totals["pipeline"]), *_figure_values(totals)]
            )

    return b"".join(stream_workbook([(_("Indicators")[:31], lines())]))
