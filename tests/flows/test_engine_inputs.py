"""What the engine is given for a territory."""

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin import engine
from tremplin.flows.engine_inputs import engine_inputs

pytestmark = pytest.mark.django_db


def test_establishments_and_known_flows_of_the_territory_only(django_assert_num_queries):
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    brewery = factories.establishment(caux, name="Brasserie", naf_code="11.05Z", headcount_band="12")
    farm = factories.establishment(caux, name="Élevage", naf_code="01.41Z", headcount_band="01")
    elsewhere = factories.establishment(havre)
    factories.flow(brewery, resource="bio_spent_grain", quantity=50, unit="t", frequency="month")
    factories.flow(
        brewery, direction="in", resource="electricity", quantity=1500, unit="kWh", frequency="month"
    )
    factories.flow(elsewhere, resource="wood_clean")

    with django_assert_num_queries(2):
        establishments, flows = engine_inputs(caux)

    assert [e.id for e in establishments] == [str(brewery.pk), str(farm.pk)]
    # Band 12 (20 to 49 employees) is represented by 31 employees, band 01 (1 or 2) by 1.
    assert [e.headcount for e in establishments] == [31.0, 1.0]
    assert establishments[0] == engine.Establishment(
        str(brewery.pk), "Brasserie", "11.05Z", brewery.latitude, brewery.longitude, 31.0
    )
    by_resource = {f.resource: f for f in flows}
    assert set(by_resource) == {"bio_spent_grain", "electricity"}
    # 50 t a month = 600 t a year; 1 500 kWh a month = 18 MWh a year
    assert by_resource["bio_spent_grain"] == engine.Flow(
        str(brewery.pk), "out", "bio_spent_grain", 600.0, "t"
    )
    assert by_resource["electricity"].quantity == pytest.approx(18.0)
    assert by_resource["electricity"].unit == "MWh"
    assert all(f.basis == "declared" for f in flows)


def test_without_declared_flows_only_establishments_are_read(django_assert_num_queries):
    caux = factories.territory(CAUX_SEINE)
    site = factories.establishment(caux)
    factories.flow(site)
    with django_assert_num_queries(1):
        establishments, flows = engine_inputs(caux, include_declared=False)
    assert len(establishments) == 1 and flows == []


def test_the_engine_accepts_them_and_a_declared_flow_replaces_the_estimate():
    caux = factories.territory(CAUX_SEINE)
    brewery = factories.establishment(caux, naf_code="11.05Z", headcount_band="11")
    factories.flow(brewery, resource="bio_spent_grain", quantity=100, unit="t")
    establishments, flows = engine_inputs(caux)
    result = engine.detect(establishments, flows)
    grain = [f for f in result.flows if f.resource == "bio_spent_grain" and f.company_id == str(brewery.pk)]
    assert [(f.quantity, f.basis) for f in grain] == [(100.0, "declared")]
