"""Who may change establishment records: the territory team of the establishment's territory.

Objects outside the user's scope answer 404 (through ``get_visible_or_404``); objects the user may see
but not change (a company contact's own establishment, a territory the programme team follows) answer
403.
"""

from django.core.exceptions import PermissionDenied

from tremplin.accounts.scoping import scope_for
from tremplin.establishments.models import Establishment, EstablishmentContact
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404


def is_team_of(user, territory_id: int) -> bool:
    return territory_id in scope_for(user).team_territory_ids


def team_territory(user, pk) -> Territory:
    territory = get_visible_or_404(Territory, user, pk=pk)
    if not is_team_of(user, territory.pk):
        raise PermissionDenied
    return territory


def team_establishment(user, pk) -> Establishment:
    establishment = get_visible_or_404(Establishment, user, pk=pk)
    if not is_team_of(user, establishment.territory_id):
        raise PermissionDenied
    return establishment


def team_contact(user, pk) -> EstablishmentContact:
    contact = get_visible_or_404(EstablishmentContact, user, pk=pk)
    if not is_team_of(user, contact.establishment.territory_id):
        raise PermissionDenied
    return contact
