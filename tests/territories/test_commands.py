"""The territory an import command names with ``--territory``: its id or its EPCI's SIREN."""

import pytest
from django.core.management.base import CommandError

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.territories.commands import territory_of

pytestmark = pytest.mark.django_db


def test_a_territory_is_found_by_its_epci_siren_or_by_its_id():
    territory = factories.territory(CAUX_SEINE)
    assert territory_of(territory.epci.siren) == territory
    assert territory_of(str(territory.pk)) == territory


@pytest.mark.parametrize("value", ["999999999", "12345", "not-a-number"])
def test_an_unknown_territory_is_named_in_the_error(value):
    factories.territory(CAUX_SEINE)
    with pytest.raises(CommandError, match=f"aucun territoire '{value}'"):
        territory_of(value)
