"""The key figures of a territory that its W1 diagnosis starts from, each with its basis and source.

Nothing is recomputed here in another way: the establishments come from
:func:`tremplin.territories.facts.territory_facts`, the counts of flows by basis, the detection leads,
the pipeline by status and the estimated or measured tonnes from
:func:`tremplin.indicators.compute.territory_indicators`, the known gisements from
:func:`tremplin.flows.totals.known_outputs_tonnes`; only the split of the known flows by resource family
is added (its output tonnes add up to the known gisements).

A reader outside the territory (the programme team) sees the tonnes of too few companies withheld, as
everywhere (:mod:`tremplin.indicators.secrecy`).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tremplin import engine
from tremplin.flows.models import Basis as FlowBasis
from tremplin.flows.models import Direction, Flow
from tremplin.flows.totals import known_outputs_companies, known_outputs_tonnes
from tremplin.indicators.compute import territory_indicators, withhold
from tremplin.indicators.secrecy import company_key, total_withheld, withheld
from tremplin.synergies.enums import Status
from tremplin.territories.facts import territory_facts

ESTIMATED = FlowBasis.ESTIMATED.label
MEASURED = _("measured")


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    value: float | int | None  # None when withheld (``secret``)
    unit: str
    basis: str
    source: str
    secret: bool = False


@dataclass(frozen=True)
class FamilyFlows:
    """The known flows of one resource family."""

    family: str
    label: str
    flows: int
    by_basis: dict  # basis label → number of flows
    outputs_tonnes: float | None  # outputs of resources counted in tonnes; None when withheld
    secret: bool = False

    @property
    def bases(self) -> str:
        return ", ".join(f"{label} {count}" for label, count in self.by_basis.items())


@dataclass(frozen=True)
class KeyFigures:
    figures: list[KeyFigure]
    families: list[FamilyFlows]
    synergies_by_status: list[tuple[str, str, int]]  # (status, label, count)
    synergies_source: str

    def figure(self, key: str) -> KeyFigure:
        return next(f for f in self.figures if f.key == key)


def _families(territory, *, for_team: bool) -> tuple[list[FamilyFlows], set[str]]:
    kb = engine.default_knowledge_base()
    rows = (
        Flow.objects.for_territory(territory)
        .known()
        .values_list("resource", "direction", "basis", "quantity_per_year", "establishment__siret")
    )
    count: dict[str, int] = defaultdict(int)
    bases: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tonnes: dict[str, float] = defaultdict(float)
    companies: dict[str, set[str]] = defaultdict(set)
    for resource_code, direction, basis, quantity, siret in rows:
        resource = kb.resources.get(resource_code)
        family = resource.family if resource else ""
        count[family] += 1
        bases[family][basis] += 1
        if resource and resource.unit == "t" and direction == Direction.OUT:
            tonnes[family] += quantity or 0.0
            if quantity:
                companies[family].add(company_key(siret))
    labels = dict(FlowBasis.choices)
    families, hidden = [], set()
    for family in sorted(count, key=lambda f: (-count[f], f)):
        secret = not for_team and withheld(tonnes[family], len(companies[family]))
        if secret:
            hidden |= companies[family]
        families.append(
            FamilyFlows(
                family=family,
                label=kb.families[family].label if family in kb.families else str(_("Other resources")),
                flows=count[family],
                by_basis={str(labels[b]): n for b, n in sorted(bases[family].items())},
                outputs_tonnes=None if secret else round(tonnes[family], 1),
                secret=secret,
            )
        )
    return families, hidden


def key_figures(territory, *, for_team: bool) -> KeyFigures:
    """The territory's key figures today; ``for_team``: the reader is the territory's own team (else
    the tonnes of too few companies are withheld)."""
    facts = territory_facts(territory)
    indicators = territory_indicators(territory)
    shown = indicators if for_team else withhold(indicators)
    flows, pipeline = indicators["flows"], indicators["pipeline"]
    families, hidden = _families(territory, for_team=for_team)
    gisements = known_outputs_tonnes(territory)
    gisement_companies = known_outputs_companies(territory)
    gisements_secret = not for_team and (
        withheld(gisements, gisement_companies) or total_withheld(gisement_companies, hidden)
    )
    diverted = shown["environment"]["tonnes_diverted_per_year"]
    diverted_estimated = diverted["operational_estimated"]
    diverted_measured = diverted["operational_measured"]
    engine_source = indicators["sources"]["estimated"]
    figures = [
        KeyFigure(
            "establishments",
            str(_("Establishments")),
            facts.establishment_count,
            "",
            str(FlowBasis.REGISTER.label),
            str(_("establishments of the territory workspace (SIRENE and the team's additions)")),
        ),
        KeyFigure(
            "flows_declared",
            str(_("Flows declared by companies")),
            flows["declared"],
            "",
            str(FlowBasis.DECLARED.label),
            str(_("known flows of the territory workspace")),
        ),
        KeyFigure(
            "flows_workshop",
            str(_("Flows stated in a workshop")),
            flows["workshop"],
            "",
            str(FlowBasis.WORKSHOP.label),
            str(_("known flows of the territory workspace")),
        ),
        KeyFigure(
            "flows_register",
            str(_("Flows read from a public register")),
            flows["register"],
            "",
            str(FlowBasis.REGISTER.label),
            str(_("IREP and other registers imported")),
        ),
        KeyFigure(
            "flows_estimated",
            str(_("Flows estimated from the sector profiles")),
            flows["estimated"],
            "",
            str(ESTIMATED),
            engine_source,
        ),
        KeyFigure(
            "known_gisements",
            str(_("Known gisements")),
            None if gisements_secret else gisements,
            str(_("t/year")),
            str(_("declared, workshop or register")),
            str(_("outputs declared by companies or stated in a workshop, resources counted in tonnes")),
            secret=gisements_secret,
        ),
        KeyFigure(
            "leads_pending",
            str(_("Detection leads to review")),
            pipeline["leads_pending"],
            "",
            str(ESTIMATED),
            str(_("latest detection run of the territory")),
        ),
        KeyFigure(
            "synergies",
            str(_("Synergies in the pipeline")),
            pipeline["synergies"],
            "",
            str(FlowBasis.DECLARED.label),
            str(_("synergy pipeline of the territory workspace, statuses recorded by the team")),
        ),
        KeyFigure(
            "tonnes_diverted_estimated",
            str(_("Tonnes diverted by the operational synergies")),
            diverted_estimated,
            str(_("t/year")),
            str(ESTIMATED),
            engine_source,
            secret=diverted_estimated is None,
        ),
        KeyFigure(
            "tonnes_diverted_measured",
            str(_("Tonnes diverted by the operational synergies")),
            diverted_measured,
            str(_("t/year")),
            str(MEASURED),
            indicators["sources"]["measured"] or str(_("no measurement entered yet")),
            secret=diverted_measured is None,
        ),
    ]
    by_status = [
        (status, str(label), pipeline["by_status"].get(status, 0)) for status, label in Status.choices
    ]
    return KeyFigures(
        figures=figures,
        families=families,
        synergies_by_status=by_status,
        synergies_source=str(_("synergy pipeline of the territory workspace, statuses recorded by the team")),
    )
