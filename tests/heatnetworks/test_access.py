"""Heat networks are the territory team's: only it imports them and reads their layer; another
territory's officer gets 404, the programme team and a company contact 403, strangers the login page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.heatnetworks.samples import collection, feature
from tests.heatnetworks.test_import import _trace_in
from tremplin.heatnetworks.models import HeatNetwork
from tremplin.heatnetworks.services import import_heat_networks

pytestmark = pytest.mark.django_db

URLS = ("heat_network_import", "territory_map_heat_networks")
ACCESS_CHECKED_URLS = set(URLS)
ACCESS_CHECKED_MODELS = {HeatNetwork}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    caux_officer, havre_officer = factories.territory_officer(caux), factories.territory_officer(havre)
    import_heat_networks(caux, collection(feature(_trace_in(caux))), by=caux_officer, filename="caux.geojson")
    import_heat_networks(
        havre,
        collection(
            feature(_trace_in(havre), **{"Identifiant reseau": "7605C", "nom_reseau": "Réseau du Havre"})
        ),
        by=havre_officer,
        filename="havre.geojson",
    )
    site = factories.establishment(caux, name="Papeterie")
    return {
        "caux": caux,
        "havre": havre,
        "caux_officer": caux_officer,
        "havre_officer": havre_officer,
        "contact": factories.company_contact(site),
        "programme": factories.programme_team_member(),
    }


def _upload(territory, name="reseaux.geojson"):
    return SimpleUploadedFile(name, collection(feature(_trace_in(territory), livraisons_totale_MWh=99999)))


@pytest.mark.parametrize("url_name", URLS)
def test_another_territorys_officer_gets_404_and_changes_nothing(client, world, url_name):
    client.force_login(world["havre_officer"])
    url = reverse(url_name, kwargs={"territory_pk": world["caux"].pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": _upload(world["caux"]), "margin_km": 5}).status_code in (404, 405)
    assert HeatNetwork.objects.get(territory=world["caux"]).deliveries_mwh == 24000


@pytest.mark.parametrize("role", ["programme", "contact"])
@pytest.mark.parametrize("url_name", URLS)
def test_other_roles_that_may_open_the_territory_get_403(client, world, url_name, role):
    client.force_login(world[role])
    url = reverse(url_name, kwargs={"territory_pk": world["caux"].pk})
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": _upload(world["caux"]), "margin_km": 5}).status_code in (403, 405)
    assert HeatNetwork.objects.get(territory=world["caux"]).deliveries_mwh == 24000


@pytest.mark.parametrize("url_name", URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, url_name):
    response = client.get(reverse(url_name, kwargs={"territory_pk": world["caux"].pk}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_team_imports_from_its_page(client, world):
    client.force_login(world["caux_officer"])
    url = reverse("heat_network_import", kwargs={"territory_pk": world["caux"].pk})
    response = client.post(url, {"file": _upload(world["caux"]), "margin_km": 5, "source_date": "2025-01-31"})
    assert response.status_code == 302
    network = HeatNetwork.objects.get(territory=world["caux"])
    assert network.deliveries_mwh == 99999
    assert str(network.source_date) == "2025-01-31"
    page = client.get(url)
    assert "Réseau de Lillebonne" in page.content.decode()


def test_a_refused_file_is_shown_with_its_reasons(client, world):
    client.force_login(world["caux_officer"])
    url = reverse("heat_network_import", kwargs={"territory_pk": world["caux"].pk})
    bad = SimpleUploadedFile(
        "bad.geojson", collection(feature(_trace_in(world["caux"]), livraisons_totale_MWh="x"))
    )
    response = client.post(url, {"file": bad, "margin_km": 5})
    assert response.status_code == 200
    assert (
        "entité 1, propriété « livraisons_totale_MWh » : « x » n&#x27;est pas un nombre"
        in response.content.decode()
    )
    assert HeatNetwork.objects.get(territory=world["caux"]).deliveries_mwh == 24000


def test_the_import_page_of_establishments_links_to_the_heat_networks(client, world):
    client.force_login(world["caux_officer"])
    page = client.get(
        reverse("establishment_import", kwargs={"territory_pk": world["caux"].pk})
    ).content.decode()
    assert reverse("heat_network_import", kwargs={"territory_pk": world["caux"].pk}) in page


def test_the_map_layer_holds_the_territorys_networks_only(client, world):
    client.force_login(world["caux_officer"])
    response = client.get(reverse("territory_map_heat_networks", kwargs={"territory_pk": world["caux"].pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [f["properties"]["name"] for f in data["features"]] == ["Réseau de Lillebonne"]
    caux_network = HeatNetwork.objects.get(territory=world["caux"])
    (found,) = data["features"]
    assert found["id"] == caux_network.establishment_id
    assert found["geometry"]["type"] == "MultiLineString"
    assert found["properties"]["deliveries_mwh"] == 24000


def test_the_map_page_points_its_script_at_the_layer(client, world):
    client.force_login(world["caux_officer"])
    page = client.get(
        reverse("territory_map_page", kwargs={"territory_pk": world["caux"].pk})
    ).content.decode()
    assert reverse("territory_map_heat_networks", kwargs={"territory_pk": world["caux"].pk}) in page


def test_visible_to_keeps_each_team_to_its_networks(world):
    assert [n.name for n in HeatNetwork.objects.visible_to(world["havre_officer"])] == ["Réseau du Havre"]
    assert not HeatNetwork.objects.visible_to(world["programme"]).exists()
    assert not HeatNetwork.objects.visible_to(world["contact"]).exists()
