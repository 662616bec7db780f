"""Company-level map layers stay with the territory team: another territory's officer, a company
contact, a committee member and the programme team are refused every map URL."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.territories.models import Territory

pytestmark = pytest.mark.django_db

# url name → extra kwargs besides territory_pk
URLS = {
    "territory_map_page": {},
    "territory_map_points": {},
    "territory_map_synergies": {},
    "territory_map_export": {"layer": "flows"},
}
ACCESS_CHECKED_URLS = set(URLS)
ACCESS_CHECKED_MODELS = {Territory}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    brewery, farm = factories.brewery_and_farm(caux)
    factories.flow(brewery, resource="bio_spent_grain", quantity=80, unit="t")
    factories.synergy(caux, participants=(brewery, farm))
    return {
        "caux": caux,
        "officer": factories.territory_officer(caux),
        "havre_officer": factories.territory_officer(havre),
        "contact": factories.company_contact(brewery),
        "committee": factories.committee_member(),
        "programme": factories.programme_team_member(),
    }


def _url(name, territory):
    return reverse(name, kwargs={"territory_pk": territory.pk, **URLS[name]})


@pytest.mark.parametrize("person", ["havre_officer", "contact", "committee", "programme"])
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_outsiders_cannot_open_the_map_or_its_layers(client, world, person, url_name):
    client.force_login(world[person])
    response = client.get(_url(url_name, world["caux"]))
    assert response.status_code in (403, 404), (person, url_name, response.status_code)
    assert b"Brasserie" not in response.content


@pytest.mark.parametrize("person, status", [("havre_officer", 404), ("committee", 404), ("programme", 403)])
def test_outsiders_get_404_and_roles_that_see_the_territory_get_403(client, world, person, status):
    client.force_login(world[person])
    assert client.get(_url("territory_map_page", world["caux"])).status_code == status


@pytest.mark.parametrize("url_name", sorted(URLS))
def test_the_territory_team_reaches_every_map_url(client, world, url_name):
    client.force_login(world["officer"])
    assert client.get(_url(url_name, world["caux"])).status_code == 200


@pytest.mark.parametrize("url_name", sorted(URLS))
def test_anonymous_visitors_are_sent_to_log_in(client, world, url_name):
    response = client.get(_url(url_name, world["caux"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_layer_is_not_found(client, world):
    client.force_login(world["officer"])
    url = reverse("territory_map_export", kwargs={"territory_pk": world["caux"].pk, "layer": "secrets"})
    assert client.get(url).status_code == 404
