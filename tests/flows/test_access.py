"""Flows never leave their territory: outsiders can neither read nor change them."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.flows.models import Flow

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {"flow_create", "flow_update", "flow_delete", "territory_flows"}
ACCESS_CHECKED_MODELS = {Flow}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    site = factories.establishment(caux, name="Papeterie de Caux")
    neighbour = factories.establishment(caux, name="Voisin")
    return {
        "site": site,
        "flow": factories.flow(site, resource="paper_cardboard", quantity=40, unit="t"),
        "owner_officer": factories.territory_officer(caux),
        "owner_contact": factories.company_contact(site),
        "outsiders": {
            "another territory's officer": factories.territory_officer(havre),
            "another establishment's contact": factories.company_contact(neighbour),
            "the programme team": factories.programme_team_member(),
            "a committee member": factories.committee_member(),
        },
    }


def urls(world):
    site, flow = world["site"], world["flow"]
    return {
        "flow_create": reverse("flow_create", kwargs={"establishment_pk": site.pk}),
        "flow_update": reverse("flow_update", kwargs={"pk": flow.pk}),
        "flow_delete": reverse("flow_delete", kwargs={"pk": flow.pk}),
        "territory_flows": reverse("territory_flows", kwargs={"territory_pk": site.territory_id}),
    }


CHANGE = {
    "direction": "out",
    "resource": "paper_cardboard",
    "quantity": "999",
    "unit": "t",
    "frequency": "year",
}


@pytest.mark.parametrize("url_name", sorted(ACCESS_CHECKED_URLS))
@pytest.mark.parametrize(
    "outsider",
    [
        "another territory's officer",
        "another establishment's contact",
        "the programme team",
        "a committee member",
    ],
)
def test_outsiders_cannot_read_or_change_flows(client, world, url_name, outsider):
    client.force_login(world["outsiders"][outsider])
    url = urls(world)[url_name]
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, CHANGE).status_code in (403, 404)
    flow = Flow.objects.get()
    assert (flow.pk, flow.quantity_per_year) == (world["flow"].pk, 40.0)


@pytest.mark.parametrize("url_name", sorted(ACCESS_CHECKED_URLS))
def test_the_territory_team_reaches_every_flow_page(client, world, url_name):
    client.force_login(world["owner_officer"])
    assert client.get(urls(world)[url_name]).status_code == 200


@pytest.mark.parametrize("url_name", ["flow_create", "flow_update", "flow_delete"])
def test_the_establishments_own_contact_reaches_its_flows(client, world, url_name):
    client.force_login(world["owner_contact"])
    assert client.get(urls(world)[url_name]).status_code == 200


def test_a_contact_does_not_open_the_territorys_flow_list(client, world):
    client.force_login(world["owner_contact"])
    assert client.get(urls(world)["territory_flows"]).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_visible_to_follows_the_territory_and_the_establishment(world):
    flow = world["flow"]
    assert Flow.objects.visible_to(world["owner_officer"]).filter(pk=flow.pk).exists()
    assert Flow.objects.visible_to(world["owner_contact"]).filter(pk=flow.pk).exists()
    for person in world["outsiders"].values():
        assert not Flow.objects.visible_to(person).exists()
