"""The map's GeoJSON: counts, properties, filters and exports, checked against values set by hand."""

import gzip
import json

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def places(caux):
    """A brewery (section C) and a dairy farm (section A) 5 km apart, a sawmill (C), a demo office (M)."""
    brewery, farm = factories.brewery_and_farm(caux)
    sawmill = factories.establishment(
        caux, name="Scierie", naf_code="16.10A", latitude=49.5123456789, longitude=0.5987654321
    )
    office = factories.establishment(caux, name="Bureau d'études", naf_code="71.12B", is_demo=True)
    factories.flow(brewery, resource="bio_spent_grain", quantity=80, unit="t")
    return {"brewery": brewery, "farm": farm, "sawmill": sawmill, "office": office}


def _points(client, caux, **params):
    response = client.get(reverse("territory_map_points", kwargs={"territory_pk": caux.pk}), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def test_the_points_are_one_compact_feature_per_establishment(client, caux, officer, places):
    client.force_login(officer)
    data = _points(client, caux)
    assert data["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in data["features"]}
    assert set(by_id) == {p.pk for p in places.values()}
    sawmill = by_id[places["sawmill"].pk]
    # Longitude first (RFC 7946), rounded to 5 decimals.
    assert sawmill["geometry"] == {"type": "Point", "coordinates": [0.59877, 49.51235]}
    assert sawmill["properties"] == {"n": "Scierie", "s": "C", "e": "identified", "d": 0}
    assert by_id[places["office"].pk]["properties"]["d"] == 1
    assert by_id[places["farm"].pk]["properties"]["s"] == "A"


def test_the_points_answer_gzipped_when_the_browser_accepts_it(client, caux, officer, places):
    client.force_login(officer)
    url = reverse("territory_map_points", kwargs={"territory_pk": caux.pk})
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.content))["features"]) == 4


def test_the_sector_filter_keeps_one_naf_section(client, caux, officer, places):
    client.force_login(officer)
    ids = {f["id"] for f in _points(client, caux, section="C")["features"]}
    assert ids == {places["brewery"].pk, places["sawmill"].pk}


def test_the_resource_filter_keeps_declared_flows_then_adds_estimated_ones_on_demand(
    client, caux, officer, places
):
    client.force_login(officer)
    declared = _points(client, caux, resource="bio_spent_grain")["features"]
    assert [(f["id"], f["properties"]["b"]) for f in declared] == [(places["brewery"].pk, "declared")]
    # A second brewery declares nothing: its sector profile estimates spent grain.
    other = factories.establishment(caux, name="Micro-brasserie", naf_code="11.05Z", headcount_band="12")
    with_estimates = _points(client, caux, resource="bio_spent_grain", estimated="1")["features"]
    bases = {f["id"]: f["properties"]["b"] for f in with_estimates}
    assert bases == {places["brewery"].pk: "declared", other.pk: "estimated"}


def test_an_unknown_filter_value_is_ignored(client, caux, officer, places):
    client.force_login(officer)
    assert len(_points(client, caux, section="Z", resource="nothing")["features"]) == 4


def test_synergies_are_lines_from_supplier_to_receiver_and_stars_for_groups(client, caux, officer, places):
    brewery, farm, sawmill, office = places["brewery"], places["farm"], places["sawmill"], places["office"]
    line = factories.synergy(
        caux, participants=(brewery, farm), status="operational", gain_eur_per_year=1234.4
    )
    group = factories.synergy(
        caux, participants=(brewery, sawmill, office), kind="mutualisation", status="qualified"
    )
    client.force_login(officer)
    response = client.get(reverse("territory_map_synergies", kwargs={"territory_pk": caux.pk}))
    features = {f["id"]: f for f in json.loads(response.content)["features"]}
    assert features[line.pk]["geometry"] == {
        "type": "LineString",
        "coordinates": [
            [round(brewery.longitude, 5), round(brewery.latitude, 5)],
            [round(farm.longitude, 5), round(farm.latitude, 5)],
        ],
    }
    assert features[line.pk]["properties"]["status"] == "operational"
    assert features[line.pk]["properties"]["gain_eur_per_year"] == 1234
    star = features[group.pk]["geometry"]
    assert star["type"] == "MultiLineString"
    assert len(star["coordinates"]) == 3
    members = [brewery, sawmill, office]
    centre = [
        round(sum(round(m.longitude, 5) for m in members) / 3, 5),
        round(sum(round(m.latitude, 5) for m in members) / 3, 5),
    ]
    assert all(spoke[0] == centre for spoke in star["coordinates"])
    assert {p["name"] for p in features[group.pk]["properties"]["participants"]} == {
        "Brasserie des Falaises",
        "Scierie",
        "Bureau d'études",
    }


@pytest.mark.parametrize(
    "layer, count",
    [("perimeter", 1), ("communes", 50), ("establishments", 4), ("flows", 1), ("synergies", 0)],
)
def test_each_layer_downloads_as_a_geojson_file_for_qgis(client, caux, officer, places, layer, count):
    client.force_login(officer)
    url = reverse("territory_map_export", kwargs={"territory_pk": caux.pk, "layer": layer})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.geojson"')
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data  # RFC 7946: WGS84 implied
    assert len(data["features"]) == count


def test_the_flows_layer_carries_resource_and_quantities(client, caux, officer, places):
    client.force_login(officer)
    url = reverse("territory_map_export", kwargs={"territory_pk": caux.pk, "layer": "flows"})
    (feature,) = json.loads(client.get(url).content)["features"]
    brewery = places["brewery"]
    assert feature["geometry"]["coordinates"] == [round(brewery.longitude, 5), round(brewery.latitude, 5)]
    p = feature["properties"]
    assert (p["establishment"], p["direction"], p["resource"]) == (
        "Brasserie des Falaises",
        "out",
        "bio_spent_grain",
    )
    assert (p["quantity"], p["unit"], p["quantity_per_year"], p["basis"]) == (80.0, "t", 80.0, "declared")
    assert p["confidential"] is True


def test_the_establishments_layer_names_every_column(client, caux, officer, places):
    client.force_login(officer)
    url = reverse("territory_map_export", kwargs={"territory_pk": caux.pk, "layer": "establishments"})
    features = {f["id"]: f for f in json.loads(client.get(url).content)["features"]}
    p = features[places["sawmill"].pk]["properties"]
    assert p["siret"] == places["sawmill"].siret
    assert (p["naf_code"], p["naf_section"], p["demo"]) == ("16.10A", "C", False)
    assert p["commune_insee"] == places["sawmill"].commune.insee_code


def test_the_map_page_offers_filters_legend_and_exports(client, caux, officer, places):
    synergy = factories.synergy(
        caux, participants=(places["brewery"], places["farm"]), resource_label="Drêches"
    )
    client.force_login(officer)
    page = client.get(reverse("territory_map_page", kwargs={"territory_pk": caux.pk})).content.decode()
    assert 'id="workspace-map"' in page
    assert "leaflet.markercluster.js" in page
    assert '<option value="C">C — ' in page and '<option value="M">' in page
    assert 'value="bio_spent_grain"' in page
    # The legend tells statuses apart by line pattern and label, not colour alone.
    assert 'data-status="operational"' in page and "stroke-dasharray" in page
    assert "Opérationnelle" in page
    assert reverse("synergy_detail", kwargs={"pk": synergy.pk}) in page
    assert reverse("territory_map_export", kwargs={"territory_pk": caux.pk, "layer": "flows"}) in page
