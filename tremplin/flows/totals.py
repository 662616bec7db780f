"""Territory totals of the known flows (declared by companies or stated in a workshop)."""

import datetime

from django.db.models import Sum

from tremplin import engine
from tremplin.flows.models import Flow


def _known_mass_outputs(territory, at: datetime.datetime | None):
    kb = engine.default_knowledge_base()
    mass_resources = [code for code, resource in kb.resources.items() if resource.unit == "t"]
    outputs = Flow.objects.for_territory(territory).known().outputs().filter(resource__in=mass_resources)
    if at is not None:
        outputs = outputs.filter(created_at__lte=at)
    return outputs


def known_outputs_tonnes(territory, *, at: datetime.datetime | None = None) -> float:
    """Tonnes per year of the gisements (outputs) known in the territory, for resources counted in
    tonnes; energy, water and services are left out since they are not waste volumes."""
    outputs = _known_mass_outputs(territory, at)
    return round(outputs.aggregate(total=Sum("quantity_per_year"))["total"] or 0.0, 1)


def known_outputs_companies(territory, *, at: datetime.datetime | None = None) -> int:
    """How many distinct companies (SIREN) the total of :func:`known_outputs_tonnes` adds up (flows of
    zero tonnes left out): the programme team sees the total only when enough of them stand behind it
    (``tremplin.indicators.secrecy``)."""
    from tremplin.indicators.secrecy import company_key

    sirets = _known_mass_outputs(territory, at).filter(quantity_per_year__gt=0)
    return len({company_key(siret) for siret in sirets.values_list("establishment__siret", flat=True)})
