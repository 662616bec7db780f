"""The team asks why two establishments were not matched; the answer comes from the engine's own run."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def test_the_officer_sees_the_lead_between_a_brewery_and_a_farm(client, caux):
    brewery, farm = factories.brewery_and_farm(caux)
    officer = factories.territory_officer(caux)
    client.force_login(officer)
    url = reverse("detection_why_not", kwargs={"territory_pk": caux.pk})
    response = client.get(url, {"first": brewery.pk, "second": farm.pk, "mode": "deductive"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Proposée" in html or "Proposed" in html
    assert brewery.name in html and farm.name in html
    assert "rang" in html  # "piste proposée au rang N"


def test_a_pair_too_far_apart_says_the_distance_and_its_limit(client, caux):
    brewery, _farm = factories.brewery_and_farm(caux)
    havre = factories.territory(LE_HAVRE)
    far = factories.establishment(caux, name="Ferme lointaine", naf_code="01.41Z", headcount_band="02")
    # moved 200 km away from the brewery
    type(far).objects.filter(pk=far.pk).update(latitude=brewery.latitude + 1.8)
    officer = factories.territory_officer(caux)
    client.force_login(officer)
    url = reverse("detection_why_not", kwargs={"territory_pk": caux.pk})
    html = client.get(url, {"first": brewery.pk, "second": far.pk, "mode": "deductive"}).content.decode()
    assert "au-delà de la limite" in html
    assert havre.name not in html


def test_an_establishment_of_another_territory_cannot_be_chosen(client, caux):
    brewery, _farm = factories.brewery_and_farm(caux)
    other = factories.establishment(factories.territory(LE_HAVRE), name="Autre territoire")
    client.force_login(factories.territory_officer(caux))
    url = reverse("detection_why_not", kwargs={"territory_pk": caux.pk})
    response = client.get(url, {"first": brewery.pk, "second": other.pk, "mode": "deductive"})
    assert response.status_code == 200
    assert "Autre territoire" not in response.content.decode()
    assert response.context["explanation"] is None


def test_the_link_from_a_run_presets_the_mode_without_complaining(client, caux):
    client.force_login(factories.territory_officer(caux))
    url = reverse("detection_why_not", kwargs={"territory_pk": caux.pk})
    response = client.get(url, {"mode": "systematic"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "obligatoire" not in html and "required" not in html.lower().split("<form")[0]
    assert '<option value="systematic" selected>' in html
