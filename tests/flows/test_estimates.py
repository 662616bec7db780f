"""Estimated flows come from the sector profile, carry their source and give way to declared ones."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.flows.estimates import estimated_flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def brewery():
    # Brewery (NAF 11.05Z) in headcount band 11 (10 to 19 employees): the engine assumes 14 employees.
    return factories.establishment(
        factories.territory(CAUX_SEINE), name="Brasserie de la Seine", naf_code="11.05Z", headcount_band="11"
    )


def test_a_brewery_is_estimated_from_its_profile_with_sources(brewery):
    estimates = {(e.direction, e.resource): e for e in estimated_flows(brewery)}
    spent_grain = estimates[("out", "bio_spent_grain")]
    # 60 t of spent grain per employee (profile 11.05Z) x 14 employees = 840 t
    assert spent_grain.quantity_per_year == pytest.approx(840.0)
    assert spent_grain.unit == "t"
    assert spent_grain.source_key == "biere_dreches_2017"  # a cited trade article, not an internal key
    heat = estimates[("out", "wh_hot_water")]  # waste heat: its own resource, never netted
    # 20 MWh per employee x 14 = 280 MWh, source ADEME's study of waste heat
    assert heat.quantity_per_year == pytest.approx(280.0)
    assert heat.source_title.startswith("La chaleur fatale industrielle — ADEME")


def test_the_establishment_page_shows_estimates_apart_with_their_source(client, brewery):
    client.force_login(factories.territory_officer(brewery.territory))
    html = client.get(reverse("establishment_detail", kwargs={"pk": brewery.pk})).content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    estimated = html.split('data-flows="estimated"')[1].split("</table>")[0]
    row = estimated.split('data-estimate="out:bio_spent_grain"')[1].split("</tr>")[0]
    assert "840 t" in row
    assert "estimé" in row
    assert "Quand la bière se transforme en biscuits" in row  # the source, readable
    assert 'data-flows="declared-out"' not in html


def test_a_declared_flow_hides_the_estimate_of_the_same_resource(client, brewery):
    factories.flow(brewery, resource="bio_spent_grain", quantity=55, unit="t", frequency="month")
    client.force_login(factories.territory_officer(brewery.territory))
    html = client.get(reverse("establishment_detail", kwargs={"pk": brewery.pk})).content.decode()
    assert 'data-estimate="out:bio_spent_grain"' not in html
    assert 'data-estimate="out:wh_hot_water"' in html
    declared = html.split('data-flows="declared-out"')[1].split("</table>")[0]
    # 55 t a month x 12 = 660 t a year, marked as declared
    assert "660 t" in declared and "déclaré" in declared
    assert "1 estimation est remplacée par un flux déclaré." in html


def test_declaring_from_an_estimate_prefills_the_form(client, brewery):
    client.force_login(factories.territory_officer(brewery.territory))
    url = (
        reverse("flow_create", kwargs={"establishment_pk": brewery.pk}) + "?from_estimate=out:bio_spent_grain"
    )
    form = client.get(url).context["form"]
    assert form.initial["resource"] == "bio_spent_grain"
    assert form.initial["direction"] == "out"
    assert form.initial["quantity"] == pytest.approx(840.0)
    assert form.initial["unit"] == "t"
