"""The workshop's matches: the detection engine run over the workshop's declarations and companies.

The same engine and rules as the other modes (substitution rules and mutualisation kinds of the knowledge
base), on workshop data only: every declaration is a flow of basis "workshop", nothing is estimated for
what a company did not say (``estimate_missing_flows = False``, the systematic mode's setting). Two
settings differ, because quantities are often not stated in the room: the minimum gains are 0 (a match
the room can discuss is never hidden for being small), and a declaration without a quantity enters the
engine at one unit of the resource, so that it is matched; the gain of such a match is not shown (the
match says "to be quantified").

A new company (typed by a participant, not yet checked by the team) has no known location or activity:
it stands at the centre of the territory's establishments, under section U of the NAF, which no rule
names, so that only rules open to every sector ("*") reach it until the team links it to an
establishment.
"""

from __future__ import annotations

import math
import time

from django.db import transaction
from django.db.models import Avg

from tremplin import engine
from tremplin.engine.headcount import headcount_band
from tremplin.workshops.models import Declaration, Match, MatchState, Workshop, WorkshopCompany

__all__ = ["NEW_COMPANY_NAF", "engine_inputs", "refresh_matches", "signature", "workshop_parameters"]

NEW_COMPANY_NAF = "U"
#: Yearly quantity (default unit of the resource) a declaration without quantity enters the engine with.
NOMINAL_QUANTITY = 1.0


def workshop_parameters() -> engine.Parameters:
    return engine.Parameters(
        estimate_missing_flows=False,
        min_gain_eur=0.0,
        min_mutualisation_gain_eur=0.0,
        min_member_gain_eur=0.0,
    )


def signature(kind: str, resource: str, company_ids) -> str:
    return f"{kind}:{resource}:{'+'.join(sorted(str(i) for i in company_ids))}"


def _centre(workshop) -> tuple[float, float]:
    from tremplin.establishments.models import Establishment

    centre = Establishment.objects.filter(territory_id=workshop.territory_id).aggregate(
        lat=Avg("latitude"), lon=Avg("longitude")
    )
    if centre["lat"] is None:
        from tremplin.geo.models import Commune

        centre = Commune.objects.filter(epci__territory__pk=workshop.territory_id).aggregate(
            lat=Avg("centroid_lat"), lon=Avg("centroid_lon")
        )
    return centre["lat"] or 0.0, centre["lon"] or 0.0


def engine_inputs(workshop) -> tuple[list[engine.Establishment], list[engine.Flow], dict]:
    """The workshop's companies (ids: WorkshopCompany primary keys as strings) and declarations as engine
    inputs, and ``{(company id, direction, resource): every declaration of it has a quantity}``."""
    companies = list(WorkshopCompany.objects.filter(workshop=workshop).select_related("establishment"))
    centre = None
    establishments = []
    for company in companies:
        site = company.establishment
        if site is not None:
            establishments.append(
                engine.Establishment(
                    str(company.pk),
                    site.name,
                    site.naf_code,
                    site.latitude,
                    site.longitude,
                    float(headcount_band(site.headcount_band).representative),
                )
            )
        else:
            centre = centre or _centre(workshop)
            establishments.append(
                engine.Establishment(str(company.pk), company.typed_name, NEW_COMPANY_NAF, *centre, math.nan)
            )
    resources = engine.default_knowledge_base().resources
    flows, quantified = [], {}
    rows = Declaration.objects.filter(workshop=workshop).order_by("pk")
    for company_id, kind, resource, per_year in rows.values_list(
        "company_id", "kind", "resource", "quantity_per_year"
    ):
        direction = "out" if kind == "have" else "in"
        key = (str(company_id), direction, resource)
        quantified[key] = quantified.get(key, True) and per_year is not None
        flows.append(
            engine.Flow(
                str(company_id),
                direction,
                resource,
                per_year if per_year is not None else NOMINAL_QUANTITY,
                resources[resource].unit,
                "workshop",
            )
        )
    return establishments, flows, quantified


def _company_ids(data: dict) -> list[str]:
    if data["type"] == "substitution":
        return [data["source_id"], data["target_id"]]
    return list(data["members"])


def _is_quantified(data: dict, quantified: dict) -> bool:
    if data["type"] == "substitution":
        keys = [
            (data["source_id"], "out", data["resource"]),
            (data["target_id"], "in", data["input_resource"]),
        ]
    else:
        keys = [key for key in quantified if key[0] in set(data["members"]) and key[2] == data["resource"]]
    return bool(keys) and all(quantified.get(key, False) for key in keys)


_COMPARED = ("rank", "distance_km", "gain_eur_per_year", "quantified", "current")


def refresh_matches(workshop_pk: int) -> dict:
    """Compute the workshop's matches again if a declaration or a company changed since the last time.

    Matches keep their identity (signature) from one computation to the next, with what the facilitator
    made of them: a proposed match the declarations no longer support disappears, a pinned or rejected
    one stays (marked as no longer found). Returns ``{"skipped": True}`` when there was nothing new.
    """
    workshop = Workshop.objects.get(pk=workshop_pk)
    inputs_version = workshop.inputs_version
    if workshop.matched_version >= inputs_version:
        return {"skipped": True}
    start = time.perf_counter()
    establishments, flows, quantified = engine_inputs(workshop)
    opportunities = []
    if flows:
        result = engine.detect(establishments, flows, params=workshop_parameters())
        opportunities = [o.as_dict() for o in result.opportunities]
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop_pk)
        if locked.matched_version >= inputs_version:  # a later computation was written meanwhile
            return {"skipped": True}
        existing = {
            m.signature: m
            for m in Match.objects.filter(workshop_id=workshop_pk).only(*_COMPARED, "signature", "state")
        }
        found, created, updated, updated_data = set(), [], [], []
        for rank, data in enumerate(opportunities, start=1):
            ids = _company_ids(data)
            sig = signature(data["type"], data["resource"], ids)
            if sig in found:
                continue
            found.add(sig)
            fields = {
                "rank": rank,
                "distance_km": data["distance_km"],
                "gain_eur_per_year": data["gain_eur_per_year"],
                "quantified": _is_quantified(data, quantified),
                "current": True,
            }
            match = existing.get(sig)
            if match is None:
                match = Match(
                    workshop_id=workshop_pk,
                    signature=sig,
                    kind=data["type"],
                    rule=data.get("rule_id") or data.get("kind") or "",
                    resource=data["resource"],
                    resource_label=data["resource_label"],
                    data=data,
                    **fields,
                )
                created.append((match, ids))
            elif any(getattr(match, name) != value for name, value in fields.items()):
                # A new declaration shifts ranks and may change a match's figures; the others stay as
                # they are (nothing to write).
                figures_changed = (match.gain_eur_per_year, match.distance_km) != (
                    fields["gain_eur_per_year"],
                    fields["distance_km"],
                )
                for name, value in fields.items():
                    setattr(match, name, value)
                if figures_changed:
                    match.data = data
                    updated_data.append(match)
                else:
                    updated.append(match)
        Match.objects.bulk_create([m for m, _ids in created], batch_size=200)
        Through = Match.companies.through
        Through.objects.bulk_create(
            (Through(match_id=m.pk, workshopcompany_id=int(i)) for m, ids in created for i in ids),
            batch_size=500,
        )
        Match.objects.bulk_update(updated, list(_COMPARED), batch_size=200)
        Match.objects.bulk_update(updated_data, [*_COMPARED, "data"], batch_size=100)
        gone = [m for sig, m in existing.items() if sig not in found]
        Match.objects.filter(pk__in=[m.pk for m in gone if m.state == MatchState.PROPOSED]).delete()
        Match.objects.filter(pk__in=[m.pk for m in gone if m.state != MatchState.PROPOSED]).update(
            current=False
        )
        seconds = time.perf_counter() - start
        Workshop.objects.filter(pk=workshop_pk).update(
            matched_version=inputs_version, matching_seconds=seconds
        )
        from tremplin.workshops.models import bump

        bump(workshop_pk)
    return {"matches": len(found), "created": len(created), "seconds": seconds}
