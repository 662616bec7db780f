"""Territory totals of the known flows (declared by companies or stated in a workshop)."""

import datetime

from django.db.models import Sum

from tremplin import engine
from tremplin.flows.models import Flow


def known_outputs_tonnes(territory, *, at: datetime.datetime | None = None) -> float:
    """Tonnes per year of the gisements (outputs) known in the territory, for resources counted in
    tonnes; energy, water and services are left out since they are not waste volumes."""
    kb = engine.default_knowledge_base()
    mass_resources = [code for code, resource in kb.resources.items() if resource.unit == "t"]
    outputs = Flow.objects.for_territory(territory).known().outputs().filter(resource__in=mass_resources)
    if at is not None:
        outputs = outputs.filter(created_at__lte=at)
    return round(outputs.aggregate(total=Sum("quantity_per_year"))["total"] or 0.0, 1)
