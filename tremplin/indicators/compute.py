"""Indicators of a territory, and their roll-up over a programme.

Families (PRODUCT.md, "Indicators"): mobilisation, flows, pipeline, environment, economy, social. Every
figure of the last three is split two ways that are never added together:

- *potential* (the estimates of every synergy that is not abandoned, each counted for the share the
  optimal allocation of the pipeline gives it, so that two synergies drawing on one gisement never count
  it twice: :mod:`tremplin.synergies.potential`) vs *operational* (the synergies that are operational or
  monitored *and* every participant of which consented: a participant may withdraw its consent after the
  synergy started; those are counted apart in ``pipeline.operational_unconsented`` and in no figure);
- *estimated* (computed by the engine at detection) vs *measured* (entered after implementation).

Hence three numbers per figure: ``potential_estimated``, ``operational_estimated`` and
``operational_measured``; ``measured_synergies`` says how many operational synergies have measurements.
The measured value of a synergy is its most recent measured year.

The conversion rate is (operational + monitored synergies) ÷ (every synergy ever accepted into the
pipeline, whatever its status, abandoned and paused included); ``None`` when there is none.

``at`` freezes the pipeline and the figures at a date (statuses read from the history, synergies and
measurements entered after it left out); mobilisation counts are today's.

Each figure also says how many distinct companies (SIREN) contribute a non-zero value to each of its
three numbers (``companies``): the programme team sees a number only when enough companies stand behind
it (:mod:`tremplin.indicators.secrecy`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum

from tremplin import engine
from tremplin.engine.headcount import headcount_band as headcount_band_of
from tremplin.establishments.models import Establishment
from tremplin.flows.models import Basis as FlowBasis
from tremplin.flows.models import Flow
from tremplin.indicators.secrecy import VARIANTS, company_key, total_withheld, withhold_indicators
from tremplin.synergies.enums import (
    OPERATIONAL_STATUSES,
    Consent,
    LeadStatus,
    RunStatus,
    Status,
    SynergyKind,
)
from tremplin.synergies.models import (
    DetectionRun,
    Lead,
    Measurement,
    StatusChange,
    Synergy,
    SynergyParticipant,
)
from tremplin.synergies.potential import SYNERGY_FIELDS, allocation_shares, synergy_row

__all__ = ["FIGURES", "programme_indicators", "territory_indicators", "withhold"]

#: (family, key, synergy field holding the estimate, measurement field holding the measured value)
FIGURES = (
    ("environment", "tonnes_diverted_per_year", "tonnes_diverted_per_year", "tonnes_diverted"),
    ("environment", "co2_avoided_t_per_year", "co2_avoided_t_per_year", "co2_avoided_t"),
    ("economy", "eur_saved_per_year", None, "eur_saved"),
    ("economy", "eur_earned_per_year", "revenue_eur_per_year", "eur_earned"),
    ("social", "jobs_fte", "jobs", "jobs"),
)


def _empty_figure() -> dict:
    return {
        "potential_estimated": 0.0,
        "operational_estimated": 0.0,
        "operational_measured": 0.0,
        "measured_synergies": 0,
    }


def _estimate(row: dict, field: str | None) -> float:
    if field is None:  # saved = gain that is not by-product revenue
        return (row["gain_eur_per_year"] or 0.0) - (row["revenue_eur_per_year"] or 0.0)
    return row[field] or 0.0


def _statuses(territory, at: datetime | None) -> dict[int, str]:
    synergies = Synergy.objects.for_territory(territory)
    if at is None:
        return dict(synergies.values_list("pk", "status"))
    statuses = {}
    for synergy_id, to_status in (
        StatusChange.objects.filter(synergy__territory=territory, at__lte=at)
        .order_by("at", "id")
        .values_list("synergy_id", "to_status")
    ):
        statuses[synergy_id] = to_status  # the last change before ``at`` wins
    return statuses


def _mobilisation(territory) -> dict:
    establishments = Establishment.objects.for_territory(territory)
    return {
        "establishments": establishments.count(),
        "met": establishments.met().count(),
        "engaged": establishments.engaged().count(),
    }


# (NAF code, headcount band) -> (direction, resource) of the flows the engine estimates for it. The
# estimate depends only on these two and on the knowledge base, which is loaded once per process.
_ESTIMATED_KEYS: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}


def _estimated_keys(kinds) -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
    """The estimated (direction, resource) pairs of each kind of establishment, with one vectorised
    engine call for the kinds not seen yet in this process."""
    missing = sorted({kind for kind in kinds if kind not in _ESTIMATED_KEYS})
    if missing:
        probes = [
            engine.Establishment(str(index), "", naf, 0.0, 0.0, headcount_band_of(band).representative)
            for index, (naf, band) in enumerate(missing)
        ]
        found = [set() for _ in probes]
        for flow in engine.estimate_flows(probes):
            found[int(flow.company_id)].add((flow.direction, flow.resource))
        _ESTIMATED_KEYS.update(zip(missing, map(frozenset, found), strict=True))
    return {kind: _ESTIMATED_KEYS[kind] for kind in kinds}


def _flows(territory, at: datetime | None) -> dict:
    known = Flow.objects.for_territory(territory).known()
    if at is not None:
        known = known.filter(created_at__lte=at)
    # One pass over the territory's flows gives the counts and what tells whether they changed.
    counts = known.aggregate(
        declared=Count("pk", filter=Q(basis=FlowBasis.DECLARED)),
        workshop=Count("pk", filter=Q(basis=FlowBasis.WORKSHOP)),
        register=Count("pk", filter=Q(basis=FlowBasis.REGISTER)),
        **_FINGERPRINT,
    )
    if at is not None:
        estimated = _estimated_count(territory, known)
    else:
        estimated = _cached_estimated_count(territory, known, counts)
    return {
        "declared": counts["declared"],
        "workshop": counts["workshop"],
        "register": counts["register"],
        "estimated": estimated,
    }


#: What changes when a row is created, edited (``version`` is raised by every change, ``updated_at``
#: set), deleted or replaced: the estimated count is cached under these figures and recomputed when
#: one of them moves.
_FINGERPRINT = {
    "rows": Count("pk"),
    "last_id": Max("pk"),
    "versions": Sum("version"),
    "last_change": Max("updated_at"),
}
_ESTIMATED_CACHE_SECONDS = 24 * 3600


def _cached_estimated_count(territory, known, flow_counts: dict) -> int:
    """:func:`_estimated_count`, kept in the cache while neither the territory's establishments (their
    activity codes and headcounts) nor its known flows change. Reading the fingerprint of the flows
    costs nothing more (it comes with the counts); the establishments' is one indexed query."""
    establishments = Establishment.objects.filter(territory=territory).aggregate(**_FINGERPRINT)
    fingerprint = repr(
        (
            engine.default_knowledge_base().version,
            sorted((k, str(v)) for k, v in establishments.items()),
            sorted((k, str(flow_counts[k])) for k in _FINGERPRINT),
        )
    )
    key = f"indicators:estimated-flows:{territory.pk}:{hashlib.sha256(fingerprint.encode()).hexdigest()}"
    estimated = cache.get(key)
    if estimated is None:
        estimated = _estimated_count(territory, known)
        cache.set(key, estimated, _ESTIMATED_CACHE_SECONDS)
    return estimated


def _estimated_count(territory, known) -> int:
    """How many flows the engine estimates for the territory's establishments that no known flow
    replaces (those are the estimates detection would use)."""
    # Estimates depend only on the activity code and the headcount band: estimate once per kind of
    # establishment, not once per establishment (a territory may hold thousands of them).
    kinds = list(
        Establishment.objects.filter(territory=territory)
        .values_list("naf_code", "headcount_band")
        .annotate(n=Count("id"))
        .order_by()
    )
    keys = _estimated_keys([(naf, band) for naf, band, _n in kinds])
    estimated = sum(n * len(keys[naf, band]) for naf, band, n in kinds)
    # Minus the estimates that a known flow of the same resource and direction replaces (counted once
    # per establishment, grouped in the database).
    replaced = (
        known.values_list("establishment__naf_code", "establishment__headcount_band", "direction", "resource")
        .order_by()
        .annotate(establishments=Count("establishment", distinct=True))
    )
    for naf, band, direction, resource, establishments in replaced:
        if (direction, resource) in keys.get((naf, band), ()):
            estimated -= establishments
    return estimated


def _pending_leads(territory, at: datetime | None) -> int:
    runs = DetectionRun.objects.for_territory(territory).filter(status=RunStatus.DONE)
    if at is not None:
        runs = runs.filter(finished_at__lte=at)
    latest = runs.order_by("-finished_at", "-id").first()
    if latest is None:
        return 0
    leads = Lead.objects.filter(run=latest)
    if at is None:
        return leads.filter(status=LeadStatus.PENDING).count()
    return leads.exclude(decided_at__lte=at).count()


def _participants_of(
    synergy_ids, at: datetime | None = None
) -> tuple[dict[int, set[str]], dict[int, dict[str, int]], set[int]]:
    """The companies (SIREN) of each synergy, its participants' establishments by role, and the
    synergies every participant of which consented (at ``at``: an answer recorded after it does not
    count; an answer recorded without a date counts)."""
    companies: dict[int, set[str]] = defaultdict(set)
    roles: dict[int, dict[str, int]] = defaultdict(dict)
    missing: set[int] = set()
    for synergy_id, siret, role, establishment_id, consent, consent_at in SynergyParticipant.objects.filter(
        synergy_id__in=synergy_ids
    ).values_list("synergy_id", "establishment__siret", "role", "establishment_id", "consent", "consent_at"):
        companies[synergy_id].add(company_key(siret))
        roles[synergy_id][role] = establishment_id
        if consent != Consent.ACCEPTED or (at is not None and consent_at is not None and consent_at > at):
            missing.add(synergy_id)
    consented = {pk for pk in companies if pk not in missing}
    return companies, roles, consented


def territory_indicators(territory, *, at: datetime | None = None) -> dict:
    """Every indicator of ``territory`` (see the module docstring for the definitions)."""
    return _territory(territory, at)[0]


def withhold(indicators: dict) -> dict:
    """The indicators as a reader outside the territory sees them: figures of too few companies
    withheld (see :mod:`tremplin.indicators.secrecy`)."""
    return withhold_indicators(indicators, figures=FIGURES)


def _potential_shares(pks: list[int], roles: dict[int, dict[str, int]]) -> dict[int, float]:
    """Share of each synergy's estimates that counts in the potential: several synergies drawing on one
    gisement (or filling one besoin) share it as the optimal allocation does, never twice."""
    synergies = Synergy.objects.filter(pk__in=pks).values(*SYNERGY_FIELDS)
    return allocation_shares([synergy_row(synergy, roles.get(synergy["pk"], {})) for synergy in synergies])


def _territory(territory, at: datetime | None) -> tuple[dict, dict]:
    """The indicators, and for each figure and variant the set of companies contributing to it."""
    statuses = _statuses(territory, at)
    rows = list(
        Synergy.objects.filter(pk__in=statuses).values(
            "pk",
            "kind",
            "gain_eur_per_year",
            "revenue_eur_per_year",
            "tonnes_diverted_per_year",
            "co2_avoided_t_per_year",
            "jobs",
        )
    )
    measurements = Measurement.objects.filter(synergy__territory=territory)
    if at is not None:
        measurements = measurements.filter(entered_at__lte=at)
    latest_measurement: dict[int, dict] = {}
    measured_by: set[str] = set()
    for m in measurements.select_related("entered_by").order_by("year"):
        latest_measurement[m.synergy_id] = {
            "tonnes_diverted": m.tonnes_diverted,
            "co2_avoided_t": m.co2_avoided_t,
            "eur_saved": m.eur_saved,
            "eur_earned": m.eur_earned,
            "jobs": m.jobs,
            "entered_by": str(m.entered_by) if m.entered_by else "",
        }
    participants, roles, consented = _participants_of([row["pk"] for row in rows], at)
    shares = _potential_shares([row["pk"] for row in rows if statuses[row["pk"]] != Status.ABANDONED], roles)
    # Operational results: only the synergies operational with every participant's consent; their
    # estimates share a gisement as the potential does, so that one supply never counts twice.
    counted = [
        row["pk"] for row in rows if statuses[row["pk"]] in OPERATIONAL_STATUSES and row["pk"] in consented
    ]
    operational_shares = _potential_shares(counted, roles)
    unconsented = 0
    contributors = {key: {variant: set() for variant in VARIANTS} for _family, key, _e, _m in FIGURES}
    by_status = dict.fromkeys(Status.values, 0)
    by_kind = dict.fromkeys(SynergyKind.values, 0)
    figures = {key: _empty_figure() for _family, key, _e, _m in FIGURES}
    for row in rows:
        status = statuses[row["pk"]]
        by_status[status] += 1
        by_kind[row["kind"]] += 1
        operational = status in OPERATIONAL_STATUSES and row["pk"] in consented
        if status in OPERATIONAL_STATUSES and not operational:
            unconsented += 1
        measured = latest_measurement.get(row["pk"]) if operational else None
        for _family, key, estimate_field, measured_field in FIGURES:
            figure = figures[key]
            estimate = _estimate(row, estimate_field)
            companies = participants.get(row["pk"], set())
            if status != Status.ABANDONED:
                figure["potential_estimated"] += estimate * shares.get(row["pk"], 1.0)
                if estimate:
                    contributors[key]["potential_estimated"] |= companies
            if operational:
                figure["operational_estimated"] += estimate * operational_shares.get(row["pk"], 1.0)
                if estimate:
                    contributors[key]["operational_estimated"] |= companies
            if measured is not None:
                figure["operational_measured"] += measured[measured_field]
                figure["measured_synergies"] += 1
                if measured[measured_field]:
                    contributors[key]["operational_measured"] |= companies
        if measured is not None and measured["entered_by"]:
            measured_by.add(measured["entered_by"])
    operational_count = sum(by_status[s] for s in OPERATIONAL_STATUSES)
    total = len(rows)
    result = {
        "territory": {"id": territory.pk, "siren": territory.epci.siren, "name": territory.name},
        "at": at.isoformat() if at else None,
        "mobilisation": _mobilisation(territory),
        "flows": _flows(territory, at),
        "pipeline": {
            "leads_pending": _pending_leads(territory, at),
            "synergies": total,
            "by_status": by_status,
            "by_kind": by_kind,
            "operational": operational_count,
            "operational_consented": operational_count - unconsented,
            "operational_unconsented": unconsented,
            "conversion_rate": _rate(operational_count, total),
        },
        "sources": {
            "estimated": "estimé à la détection (moteur Tremplin, base de connaissances "
            f"{engine.default_knowledge_base().version})",
            "measured": "mesuré, saisi par " + ", ".join(sorted(measured_by)) if measured_by else "",
        },
    }
    for family, key, _e, _m in FIGURES:
        result.setdefault(family, {})[key] = _rounded(figures[key]) | {
            "companies": {variant: len(contributors[key][variant]) for variant in VARIANTS}
        }
    return result, contributors


def _rate(operational: int, total: int) -> float | None:
    return round(operational / total, 4) if total else None


def _rounded(figure: dict) -> dict:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in figure.items()}


def _add(into: dict, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            into[key] = into.get(key, 0) + value


def programme_indicators(territories) -> dict:
    """Sums of the territories' indicators, for the programme team (aggregates only: no synergy or
    company record, and no figure of too few companies: see :mod:`tremplin.indicators.secrecy`).

    A territory's figure of too few companies is withheld; the programme total too when the companies
    of the withheld territories' values, together, are too few (the total minus the shown values would
    give them away).
    """
    computed = [_territory(t, None) for t in territories]
    per_territory = [indicators for indicators, _contributors in computed]
    totals: dict = defaultdict(dict)
    for indicators in per_territory:
        for family in ("mobilisation", "flows", "pipeline", "environment", "economy", "social"):
            values = {k: v for k, v in indicators[family].items() if k != "conversion_rate"}
            _add(totals[family], values)
    totals = dict(totals)
    shown = [withhold(indicators) for indicators in per_territory]
    if per_territory:
        pipeline = totals["pipeline"]
        pipeline["conversion_rate"] = _rate(pipeline["operational"], pipeline["synergies"])
        for family, key, _e, _m in FIGURES:
            figure = totals[family][key] = _rounded(totals[family][key])
            figure["companies"], figure["secret"] = {}, {}
            for variant in VARIANTS:
                everyone = set().union(*(contributors[key][variant] for _i, contributors in computed))
                hidden = set().union(
                    *(
                        contributors[key][variant]
                        for (_i, contributors), territory in zip(computed, shown, strict=True)
                        if territory[family][key]["secret"].get(variant)
                    )
                )
                figure["companies"][variant] = len(everyone)
                if total_withheld(len(everyone), hidden):
                    figure[variant] = None
                    figure["secret"][variant] = True
    return {
        "territories": [
            {
                **i["territory"],
                "pipeline": i["pipeline"],
                "environment": i["environment"],
                "economy": i["economy"],
                "social": i["social"],
            }
            for i in shown
        ],
        "totals": totals,
    }
