"""What a participant (and the participants' summary) may read of the workshop's matches.

A match is shown to the companies it concerns, once the facilitator kept it (pinned, or in the pipeline).
The counterpart is named only when every company of the match agreed to be introduced, which is the
consent of the synergy the match became (``Synergy.introductions_agreed``); until then it reads as
"another participant".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tremplin.workshops.models import Declaration, Match, MatchState

__all__ = ["SharedMatch", "matches_for_company", "shared_declarations"]

KEPT = (MatchState.PINNED, MatchState.CONVERTED)
_ROLE_LABELS = {"fournisseur": "supplier", "receveur": "receiver", "membre": "member"}


@dataclass(frozen=True)
class SharedMatch:
    resource_label: str
    kind: str
    role: str  # supplier | receiver | member (the reader's company)
    counterparts: tuple[str, ...]
    named: bool
    in_pipeline: bool


def _agreed(match) -> bool:
    synergy = match.synergy
    return synergy is not None and synergy.introductions_agreed


def _share(match, company_id: int) -> SharedMatch:
    named = _agreed(match)
    roles = {str(p["company_id"]): p["role"] for p in match.data.get("participants", [])}
    others = [c for c in match.companies.all() if c.pk != company_id]
    return SharedMatch(
        resource_label=match.resource_label,
        kind=match.kind,
        role=_ROLE_LABELS.get(roles.get(str(company_id), "membre"), "member"),
        counterparts=tuple(c.name if named else _("another participant of the workshop") for c in others),
        named=named,
        in_pipeline=match.state == MatchState.CONVERTED,
    )


def _kept(workshop):
    return (
        Match.objects.filter(workshop=workshop, state__in=KEPT)
        .select_related("synergy")
        .prefetch_related("companies__establishment", "synergy__participants")
        .order_by("rank", "pk")
    )


def matches_for_company(workshop, company) -> list[SharedMatch]:
    return [_share(m, company.pk) for m in _kept(workshop).filter(companies=company)]


def shared_declarations(workshop):
    """Declarations whose author allowed them in the participants' summary."""
    return (
        Declaration.objects.filter(workshop=workshop, confidentiality="summary")
        .select_related("company__establishment")
        .order_by("kind", "resource", "pk")
    )


def summary_matches(workshop) -> list[dict]:
    """The kept matches as the participants' summary shows them: named companies only where all agreed."""
    rows = []
    for match in _kept(workshop):
        named = _agreed(match)
        rows.append(
            {
                "resource_label": match.resource_label,
                "kind": match.kind,
                "companies": [c.name for c in match.companies.all()] if named else [],
                "company_count": match.companies.count(),
                "named": named,
                "in_pipeline": match.state == MatchState.CONVERTED,
            }
        )
    return rows
