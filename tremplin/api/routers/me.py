"""``/me``: who the caller is and what they may reach (the same Scope as the interface)."""

from __future__ import annotations

from ninja import Router, Schema

from tremplin.accounts.scoping import scope_for
from tremplin.api.errors import ERRORS

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    email: str
    is_programme_team: bool
    is_committee_member: bool
    #: Territories whose workspace the caller reads (team, read-only members included).
    team_territories: list[int]
    #: Territories whose data the caller may change.
    editor_territories: list[int]
    #: Establishments of which the caller is a company contact.
    contact_establishments: list[int]
    token: str | None = None


@router.get("", response={200: MeOut, **ERRORS}, summary="The caller and their scope")
def me(request):
    scope = scope_for(request.user)
    token = getattr(request, "api_token", None)
    return {
        "id": request.user.pk,
        "email": request.user.email,
        "is_programme_team": scope.is_programme_team,
        "is_committee_member": scope.is_committee_member,
        "team_territories": sorted(scope.team_territory_ids),
        "editor_territories": sorted(scope.editor_territory_ids),
        "contact_establishments": sorted(scope.contact_establishment_ids),
        "token": token.name if token is not None else None,
    }
