"""What the engine needs of a territory, read in two queries.

>>> establishments, flows = engine_inputs(territory)          # doctest: +SKIP
>>> engine.detect(establishments, flows)                       # doctest: +SKIP
"""

from __future__ import annotations

from functools import cache

from tremplin import engine
from tremplin.engine.headcount import headcount_band
from tremplin.establishments.models import Establishment
from tremplin.flows.models import Flow


@cache
def _representative_headcount(band: str) -> float:
    return float(headcount_band(band).representative)


def engine_inputs(
    territory, *, include_declared=True
) -> tuple[list[engine.Establishment], list[engine.Flow]]:
    """The territory's establishments as ``engine.Establishment`` (ids are the primary keys as strings)
    and, with ``include_declared``, its known flows (declared, stated in a workshop or read from a
    register) as ``engine.Flow`` in the resource's default unit per year, with their basis, the waste's
    current treatment operation and whether the quantity is a ceiling (below a register's reporting
    threshold: the threshold stands as an upper bound, never as 0).

    Estimated flows are not returned: the engine estimates what is not known, and a known flow replaces
    the estimate of the same resource and direction (and a declared flow the register one).
    Confidential flows are included: detection runs for the territory team, within the territory.
    """
    establishments = [
        engine.Establishment(str(pk), name, naf, lat, lon, _representative_headcount(band))
        for pk, name, naf, lat, lon, band in Establishment.objects.filter(territory=territory)
        .order_by("pk")
        .values_list("pk", "name", "naf_code", "latitude", "longitude", "headcount_band")
        .iterator(chunk_size=5000)
    ]
    flows: list[engine.Flow] = []
    if include_declared:
        resources = engine.default_knowledge_base().resources
        flows = [
            engine.Flow(
                str(establishment_id),
                direction,
                resource,
                quantity,
                resources[resource].unit,
                basis,
                operation,
                below_threshold,
            )
            for establishment_id, direction, resource, quantity, basis, operation, below_threshold in (
                Flow.objects.for_territory(territory)
                .known()
                .order_by("pk")
                .values_list(
                    "establishment_id",
                    "direction",
                    "resource",
                    "quantity_per_year",
                    "basis",
                    "treatment_operation",
                    "below_threshold",
                )
                .iterator(chunk_size=5000)
            )
        ]
    return establishments, flows
