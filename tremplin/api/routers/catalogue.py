"""``/catalogue``: the resource catalogue of the engine's knowledge base (families, resources with their
unit and European List of Waste codes), readable by any authenticated caller: it holds no company data.

``?q=`` searches as the forms' search-as-you-type does (:func:`tremplin.flows.catalogue.search_resources`:
every word in the code, label, family or waste codes, accents and case ignored; labels starting with the
text first).
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from tremplin.api.errors import ERRORS, Invalid
from tremplin.api.fields import SearchText
from tremplin.api.pagination import ListParams, Page, page
from tremplin.engine import default_knowledge_base
from tremplin.flows.catalogue import search_resources

router = Router(tags=["catalogue"])

FamilyKind = Literal["material", "energy", "water", "shareable"]


class FamilyOut(Schema):
    code: str
    label: str
    kind: FamilyKind
    resources: int = Field(description="Number of resources of the family.")


class FamilyRef(Schema):
    code: str
    label: str
    kind: FamilyKind


class WasteCodeOut(Schema):
    code: str = Field(description="European List of Waste code, e.g. « 02 07 04 ».")
    hazardous: bool


class ResourceOut(Schema):
    code: str
    label: str
    unit: str = Field(description="Unit every quantity of this resource is counted in (t, MWh, m3…).")
    family: FamilyRef
    waste_codes: list[WasteCodeOut]
    role: str = Field(description="waste, by-product, input, utility…; empty when not stated.")
    description: str
    knowledge_base: str = Field(description="Version of the knowledge base the entry comes from.")


class ResourceFilters(Schema):
    q: SearchText | None = Field(None, description="Words of the code, label, family or waste code.")
    family: str | None = Field(None, max_length=60, pattern=r"^[a-z0-9_]+$", description="Family code.")


RESOURCE_ORDERING = ("code", "label", "family")


def _family(kb, code: str) -> dict:
    family = kb.families[code]
    return {"code": family.code, "label": family.label, "kind": family.kind}


def _resource(kb, resource) -> dict:
    return {
        "code": resource.code,
        "label": resource.label,
        "unit": resource.unit,
        "family": _family(kb, resource.family),
        "waste_codes": [{"code": w.code, "hazardous": w.hazardous} for w in resource.waste_codes],
        "role": resource.role,
        "description": resource.description,
        "knowledge_base": kb.version,
    }


def _sorted(items: list, ordering: str | None, key_of) -> list:
    if not ordering:
        return items
    descending = ordering.startswith("-")
    key = ordering[1:] if descending else ordering
    if key not in RESOURCE_ORDERING:
        raise Invalid(
            _("Unknown ordering “%(value)s”; allowed: %(allowed)s.")
            % {"value": ordering, "allowed": ", ".join(sorted(RESOURCE_ORDERING))},
            field="query.ordering",
        )
    return sorted(items, key=lambda item: (key_of(item, key), item.code), reverse=descending)


@router.get(
    "/families",
    response={200: Page[FamilyOut], **ERRORS},
    summary="Families of resources",
    description="In the catalogue's order.",
)
def families(request, params: Query[ListParams]):
    if params.ordering:
        raise Invalid(_("This list has one order only: the catalogue's."), field="query.ordering")
    kb = default_knowledge_base()
    counts: dict[str, int] = {}
    for resource in kb.resources.values():
        counts[resource.family] = counts.get(resource.family, 0) + 1
    rows = [{**_family(kb, code), "resources": counts.get(code, 0)} for code in kb.families]
    return page(rows, params)


@router.get(
    "/resources",
    response={200: Page[ResourceOut], **ERRORS},
    summary="Resources of the catalogue",
    description=(
        "Catalogue order by default; with `q`, the best matches first. Ordering: `code`, `label`, `family`."
    ),
)
def resources(request, params: Query[ListParams], filters: Query[ResourceFilters]):
    kb = default_knowledge_base()
    if filters.q is not None and filters.q.strip():
        codes = [entry.code for entry in search_resources(filters.q, limit=len(kb.resources))]
        found = [kb.resources[code] for code in codes]
    else:
        found = list(kb.resources.values())
    if filters.family:
        found = [resource for resource in found if resource.family == filters.family]
    found = _sorted(
        found,
        params.ordering,
        lambda resource, key: (
            kb.families[resource.family].label if key == "family" else getattr(resource, key)
        ),
    )
    return page(found, params, convert=lambda resource: _resource(kb, resource))


@router.get(
    "/resources/{code}",
    response={200: ResourceOut, **ERRORS},
    summary="One resource of the catalogue",
)
def resource(request, code: str = Path(..., max_length=100)):
    kb = default_knowledge_base()
    found = kb.resources.get(code)
    if found is None:
        raise Http404
    return _resource(kb, found)
