"""Who may change establishment records: the territory team of the establishment's territory.

Objects outside the user's scope answer 404 (through ``get_visible_or_404``); objects the user may see
but not change (a company contact's own establishment, a territory the programme team follows) answer
403.
"""

from django.core.exceptions import PermissionDenied

from tremplin.establishments.models import EstablishmentContact
from tremplin.www.access import get_visible_or_404, is_team_of


def team_contact(user, pk) -> EstablishmentContact:
    contact = get_visible_or_404(EstablishmentContact, user, pk=pk)
    if not is_team_of(user, contact.establishment.territory_id):
        raise PermissionDenied
    return contact
