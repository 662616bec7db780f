"""The count of estimated flows is cached per territory: every change of a flow or an establishment
shows at once."""

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.indicators.compute import _estimated_keys, territory_indicators

pytestmark = pytest.mark.django_db


def _estimated(territory) -> int:
    return territory_indicators(territory)["flows"]["estimated"]


def test_a_new_edited_or_deleted_flow_changes_the_cached_count_at_once():
    caux = factories.territory(CAUX_SEINE)
    brewery, _farm = factories.brewery_and_farm(caux)
    keys = _estimated_keys([(brewery.naf_code, brewery.headcount_band)])[
        brewery.naf_code, brewery.headcount_band
    ]
    direction, resource = sorted(keys)[0]
    before = _estimated(caux)
    assert _estimated(caux) == before  # read from the cache
    flow = factories.flow(brewery, direction=direction, resource=resource, quantity=5, unit="t")
    # The declared flow replaces the engine's estimate of the same resource and direction.
    assert _estimated(caux) == before - 1
    flow.direction = "in" if direction == "out" else "out"
    flow.save()
    assert _estimated(caux) == before - (1 if (flow.direction, resource) in keys else 0)
    flow.delete()
    assert _estimated(caux) == before


def test_a_new_establishment_changes_the_cached_count_at_once():
    caux = factories.territory(CAUX_SEINE)
    brewery, _farm = factories.brewery_and_farm(caux)
    before = _estimated(caux)
    keys = _estimated_keys([(brewery.naf_code, brewery.headcount_band)])[
        brewery.naf_code, brewery.headcount_band
    ]
    factories.establishment(caux, naf_code=brewery.naf_code, headcount_band=brewery.headcount_band)
    assert _estimated(caux) == before + len(keys)
