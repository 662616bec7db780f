"""Flows estimated from an establishment's sector profile (NAF code and headcount band), for display.

Estimates are computed on the fly by the engine and never stored. A known flow (declared or workshop) of
the same resource and direction replaces the estimate, as it does inside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from tremplin import engine
from tremplin.engine.headcount import headcount_band
from tremplin.engine.naf import UnknownNafCode, normalise_naf
from tremplin.flows import catalogue


@dataclass(frozen=True)
class EstimatedFlow:
    direction: str
    resource: str
    resource_label: str
    family_label: str
    quantity_per_year: float
    unit: str
    source_key: str
    source_title: str
    source_url: str
    note: str
    headcount: int

    @property
    def is_output(self) -> bool:
        return self.direction == "out"


def engine_establishment(establishment) -> engine.Establishment:
    return engine.Establishment(
        str(establishment.pk),
        establishment.name,
        establishment.naf_code,
        establishment.latitude,
        establishment.longitude,
        float(headcount_band(establishment.headcount_band).representative),
    )


def estimated_flows(establishment, *, replaced_by=frozenset()) -> list[EstimatedFlow]:
    """The establishment's estimated flows, less those whose ``(direction, resource)`` is in ``replaced_by``.

    Each carries the source of its intensity in the knowledge base.
    """
    kb = engine.default_knowledge_base()
    try:
        naf = normalise_naf(establishment.naf_code)
    except UnknownNafCode:
        return []
    rows = {(row.direction, row.resource): row for row in kb.profile_for(naf)}
    headcount = headcount_band(establishment.headcount_band).representative
    result = []
    for flow in engine.estimate_flows([engine_establishment(establishment)], kb):
        if (flow.direction, flow.resource) in replaced_by:
            continue
        row = rows[(flow.direction, flow.resource)]
        entry = catalogue.catalogue_entry(flow.resource)
        source = kb.sources.get(row.source, {})
        result.append(
            EstimatedFlow(
                direction=flow.direction,
                resource=flow.resource,
                resource_label=entry.label,
                family_label=entry.family_label,
                quantity_per_year=flow.quantity,
                unit=flow.unit,
                source_key=row.source,
                source_title=source.get("title", row.source),
                source_url=source.get("url", ""),
                note=row.note,
                headcount=headcount,
            )
        )
    result.sort(key=lambda e: (e.direction != "out", e.resource_label))
    return result
