"""Lists: one convention for pagination (limit/offset), ordering and the answer's envelope."""

from __future__ import annotations

from typing import Generic, TypeVar

from django.utils.translation import gettext as _
from ninja import Field, Schema

from tremplin.api.errors import Invalid

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ListParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Number of results (1–200).")
    offset: int = Field(0, ge=0, le=10_000_000, description="Index of the first result.")
    ordering: str | None = Field(
        None, max_length=60, description="Field to order by; a leading '-' orders by decreasing values."
    )


class Page(Schema, Generic[T]):
    count: int
    limit: int
    offset: int
    results: list[T]


def ordered(queryset, ordering: str | None, allowed: dict[str, str], default: str | tuple[str, ...]):
    """``queryset`` ordered by the client's ``ordering`` (a key of ``allowed``, optionally with '-'),
    ties broken by primary key so that pages never overlap; ``default`` when none is given."""
    if not ordering:
        fields = (default,) if isinstance(default, str) else tuple(default)
        return queryset.order_by(*fields, "pk")
    descending = ordering.startswith("-")
    key = ordering[1:] if descending else ordering
    if key not in allowed:
        raise Invalid(
            _("Unknown ordering “%(value)s”; allowed: %(allowed)s.")
            % {"value": ordering, "allowed": ", ".join(sorted(allowed))},
            field="query.ordering",
        )
    field = allowed[key]
    return queryset.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")


def page(queryset_or_list, params: ListParams, convert=None) -> dict:
    """The envelope of one page; ``convert`` turns each object into its output (default: as is)."""
    count = len(queryset_or_list) if isinstance(queryset_or_list, list) else queryset_or_list.count()
    items = queryset_or_list[params.offset : params.offset + params.limit]
    results = [convert(item) for item in items] if convert else list(items)
    return {"count": count, "limit": params.limit, "offset": params.offset, "results": results}
