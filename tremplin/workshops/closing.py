"""After the workshop: pinned matches into the pipeline, declarations into the establishments' flows.

Both go through the domains' own operations (``record_detected_synergy``, ``declare_flow``): a synergy
at status "detected", basis "workshop", each participant's consent pending; a flow of basis "workshop"
(the mark that it was stated in the room, until the company confirms it in its flows). What cannot go
yet is said, not dropped: a match or a declaration of a company the team has not checked (linked to an
establishment), a declaration without quantity (a flow needs one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from tremplin.audit.log import log_action
from tremplin.flows.models import Basis as FlowBasis
from tremplin.flows.services import declare_flow
from tremplin.synergies.detection import lead_signature, record_detected_synergy
from tremplin.synergies.enums import Basis as SynergyBasis
from tremplin.synergies.models import Synergy
from tremplin.workshops.models import Declaration, Match, MatchState, Workshop, WorkshopStatus, bump
from tremplin.workshops.services import check_team

__all__ = ["Conversion", "convert_workshop", "merged_data"]


@dataclass
class Conversion:
    synergies: list = field(default_factory=list)
    flows: int = 0
    matches_unchecked: int = 0
    matches_in_pipeline: int = 0
    declarations_unchecked: int = 0
    declarations_without_quantity: int = 0


def merged_data(match) -> dict:
    """The match's opportunity with those it absorbed: every company once (its gains added up), the
    quantities and gains summed; the absorbed opportunities are kept under ``merged``."""
    data = dict(match.data)
    absorbed = [m.data for m in match.absorbed.all()]
    if not absorbed:
        return data
    by_company: dict[str, dict] = {}
    for part in [data, *absorbed]:
        for p in part.get("participants", []):
            known = by_company.get(p["company_id"])
            if known is None:
                by_company[p["company_id"]] = {**p, "items": list(p["items"])}
            else:
                known["gain_eur"] += p["gain_eur"]
                known["items"] = known["items"] + list(p["items"])
    data["participants"] = list(by_company.values())
    for key in ("gain_eur_per_year", "co2_avoided_t_per_year", "tonnes_diverted_per_year"):
        data[key] = sum(part.get(key) or 0.0 for part in [match.data, *absorbed])
    if all(part.get("unit") == data.get("unit") for part in absorbed):
        data["quantity"] = sum(part.get("quantity") or 0.0 for part in [match.data, *absorbed])
    data["merged"] = absorbed
    return data


def convert_workshop(workshop, *, by) -> Conversion:
    """One action at the end: closes the workshop if it is open, turns its pinned matches into synergies
    and its quantified declarations into flows. It may be run again (for matches pinned or companies
    checked since): what was converted is not converted twice."""
    check_team(by, workshop.territory_id)
    summary = Conversion()
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().select_related("territory").get(pk=workshop.pk)
        territory = workshop.territory
        if workshop.status == WorkshopStatus.OPEN:
            workshop.status, workshop.closed_at = WorkshopStatus.CLOSED, timezone.now()
        pinned = (
            Match.objects.filter(workshop=workshop, state=MatchState.PINNED)
            .prefetch_related("companies__establishment", "absorbed__companies__establishment")
            .order_by("rank", "pk")
        )
        for match in pinned:
            companies = {c.pk: c for c in match.companies.all()}
            for absorbed in match.absorbed.all():
                companies.update({c.pk: c for c in absorbed.companies.all()})
            if any(c.establishment_id is None for c in companies.values()):
                summary.matches_unchecked += 1
                continue
            data = merged_data(match)
            establishment_of = {str(pk): c.establishment for pk, c in companies.items()}
            participants, seen = [], set()
            for p in data["participants"]:
                establishment = establishment_of[str(p["company_id"])]
                if establishment.pk in seen:
                    continue
                seen.add(establishment.pk)
                participants.append((establishment, p["role"], p["gain_eur"], p["items"]))
            data["participants"] = [
                {**p, "company_id": str(establishment_of[str(p["company_id"])].pk)}
                for p in data["participants"]
            ]
            signature = lead_signature(match.kind, match.resource, sorted(seen))
            if Synergy.objects.filter(territory=territory, signature=signature).exists():
                summary.matches_in_pipeline += 1
                continue
            synergy = record_detected_synergy(
                territory,
                data,
                by=by,
                participants=participants,
                basis=SynergyBasis.WORKSHOP,
                signature=signature,
                audit={"workshop": workshop.pk, "match": match.pk, "signature": signature},
            )
            match.state, match.synergy = MatchState.CONVERTED, synergy
            match.save(update_fields=["state", "synergy"])
            summary.synergies.append(synergy)
        declarations = Declaration.objects.filter(workshop=workshop, flow__isnull=True).select_related(
            "company__establishment"
        )
        for declaration in declarations.order_by("pk"):
            establishment = declaration.company.establishment
            if establishment is None:
                summary.declarations_unchecked += 1
                continue
            if declaration.quantity is None:
                summary.declarations_without_quantity += 1
                continue
            flow = declare_flow(
                establishment,
                by=by,
                direction=declaration.direction,
                resource=declaration.resource,
                quantity=declaration.quantity,
                unit=declaration.unit or declaration.resource_unit,
                basis=FlowBasis.WORKSHOP,
                confidential=True,
                quality_notes=declaration.comment,
            )
            declaration.flow = flow
            declaration.save(update_fields=["flow"])
            summary.flows += 1
        workshop.converted_at = timezone.now()
        workshop.save(update_fields=["status", "closed_at", "converted_at"])
        bump(workshop.pk)
        log_action(
            by,
            "workshop.converted",
            workshop,
            territory=territory,
            synergies=len(summary.synergies),
            flows=summary.flows,
            matches_unchecked=summary.matches_unchecked,
            matches_in_pipeline=summary.matches_in_pipeline,
            declarations_unchecked=summary.declarations_unchecked,
            declarations_without_quantity=summary.declarations_without_quantity,
        )
    return summary
