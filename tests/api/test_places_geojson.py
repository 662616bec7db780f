"""GeoJSON layers: the perimeter and communes for whoever may open the territory, the company-level
layers for its team only; the same data as the map pages, typed as the OpenAPI description says."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests import factories
from tests.api.places import statuses
from tremplin.geo.models import Commune, Epci

pytestmark = pytest.mark.django_db

TERRITORY_PAGE = {
    "owner": 200,
    "colleague": 200,
    "contact": 200,
    "programme": 200,
    "outsider": 404,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
TEAM_ONLY = {
    "owner": 200,
    "colleague": 200,
    "contact": 403,
    "programme": 403,
    "outsider": 404,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
LAYERS = {
    "perimeter": TERRITORY_PAGE,
    "communes": TERRITORY_PAGE,
    "establishments": TEAM_ONLY,
    "establishment-points": TEAM_ONLY,
    "flows": TEAM_ONLY,
    "synergies": TEAM_ONLY,
    "heat-networks": TEAM_ONLY,
}


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_status_for_each_persona(api_world, as_persona, layer):
    caux = api_world.objects["caux"].pk
    assert statuses(as_persona, "get", f"/territories/{caux}/layers/{layer}") == LAYERS[layer]


def test_perimeter_and_communes(api_world, as_persona):
    caux = api_world.objects["caux"]
    perimeter = as_persona("programme").get(f"/territories/{caux.pk}/layers/perimeter")
    assert {"no-store", "private"} <= {part.strip() for part in perimeter["Cache-Control"].split(",")}
    body = perimeter.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    feature = body["features"][0]
    assert feature["properties"] == {
        "siren": "200010700",
        "name": caux.epci.name,
        "population": caux.epci.population,
        "communes": caux.epci.commune_count,
    }
    assert feature["geometry"] == json.loads(caux.epci.boundary_geojson)
    communes = as_persona("contact").get(f"/territories/{caux.pk}/layers/communes").json()["features"]
    expected = caux.epci.communes.exclude(geometry_geojson="").order_by("insee_code")
    assert [f["properties"]["insee_code"] for f in communes] == list(
        expected.values_list("insee_code", flat=True)
    )
    assert len(communes) == caux.epci.commune_count


def test_every_boundary_of_the_region_is_a_polygon_or_multipolygon():
    """The layers declare their areas as Polygon | MultiPolygon: true of every boundary loaded."""
    kinds = {
        json.loads(text)["type"]
        for text in Epci.objects.exclude(boundary_geojson="").values_list("boundary_geojson", flat=True)
    }
    kinds |= {
        json.loads(text)["type"]
        for text in Commune.objects.exclude(geometry_geojson="").values_list("geometry_geojson", flat=True)
    }
    assert kinds <= {"Polygon", "MultiPolygon"} and kinds


def test_the_establishments_layer_and_the_map_points(api_world, as_persona):
    caux = api_world.objects["caux"]
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    brewery.name = "Brasserie <script>alert(1)</script> & fils"
    brewery.save()
    client = as_persona("colleague")
    features = client.get(f"/territories/{caux.pk}/layers/establishments").json()["features"]
    assert [f["id"] for f in features] == [brewery.pk, farm.pk]
    first = features[0]
    # Plain JSON text, never HTML-escaped (the map's script escapes what it shows).
    assert first["properties"]["name"] == "Brasserie <script>alert(1)</script> & fils"
    assert first["properties"]["siret"] == brewery.siret
    assert first["properties"]["naf_section"] == "C" and first["properties"]["engagement"] == "identified"
    assert first["geometry"] == {
        "type": "Point",
        "coordinates": [round(brewery.longitude, 5), round(brewery.latitude, 5)],
    }
    points = client.get(f"/territories/{caux.pk}/layers/establishment-points", section="A").json()
    assert [(f["id"], f["properties"]["s"]) for f in points["features"]] == [(farm.pk, "A")]
    grain = client.get(
        f"/territories/{caux.pk}/layers/establishment-points", resource="bio_spent_grain"
    ).json()
    assert [(f["id"], f["properties"]["b"]) for f in grain["features"]] == [
        (brewery.pk, "declared"),
        (farm.pk, "declared"),
    ]
    unknown = client.get(f"/territories/{caux.pk}/layers/establishment-points", resource="nothing_here")
    assert unknown.status_code == 422 and unknown.json()["field"] == "query.resource"
    bad = client.get(f"/territories/{caux.pk}/layers/establishment-points", resource="bio\x00")
    assert bad.status_code == 422 and bad.json()["field"] == "query.resource"


def test_the_flows_and_synergies_layers(api_world, as_persona):
    caux = api_world.objects["caux"]
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    synergy = factories.synergy(
        caux, participants=(brewery, farm), status="qualified", gain_eur_per_year=1234.4
    )
    client = as_persona("owner")
    flows = client.get(f"/territories/{caux.pk}/layers/flows").json()["features"]
    assert [(f["properties"]["establishment_id"], f["properties"]["direction"]) for f in flows] == [
        (brewery.pk, "out"),
        (farm.pk, "in"),
    ]
    assert flows[0]["properties"]["quantity"] == 300.0 and flows[0]["properties"]["unit"] == "t"
    assert flows[0]["properties"]["basis"] == "declared"
    lines = client.get(f"/territories/{caux.pk}/layers/synergies").json()["features"]
    assert len(lines) == 1 and lines[0]["id"] == synergy.pk
    assert lines[0]["geometry"]["type"] == "LineString"
    assert lines[0]["geometry"]["coordinates"][0] == [round(brewery.longitude, 5), round(brewery.latitude, 5)]
    assert lines[0]["properties"]["status"] == "qualified"
    assert lines[0]["properties"]["gain_eur_per_year"] == 1234
    assert [p["id"] for p in lines[0]["properties"]["participants"]] == [brewery.pk, farm.pk]
    # Another territory's flows never appear.
    assert api_world.objects["other_brewery"].pk not in {f["properties"]["establishment_id"] for f in flows}


def test_the_heat_networks_layer(api_world, as_persona):
    from tremplin.heatnetworks.models import HeatNetwork

    caux = api_world.objects["caux"]
    record = factories.establishment(caux, kind="heat_network", siret=None, name="Réseau de Lillebonne")
    HeatNetwork.objects.create(
        territory=caux,
        establishment=record,
        identifier="7601C",
        name="Réseau de Lillebonne",
        operator="Engie Solutions",
        deliveries_mwh=12500.0,
        trace_geojson='{"type":"MultiLineString","coordinates":[[[0.53,49.52],[0.54,49.53]]]}',
        source_file="reseaux_chaleur.geojson",
        source_date=dt.date(2025, 6, 1),
        imported_at=timezone.now(),
    )
    features = as_persona("colleague").get(f"/territories/{caux.pk}/layers/heat-networks").json()["features"]
    assert len(features) == 1
    assert features[0]["id"] == record.pk
    assert features[0]["geometry"]["type"] == "MultiLineString"
    assert features[0]["properties"]["deliveries_mwh"] == 12500.0
    assert features[0]["properties"]["renewable_share"] is None
    assert (
        features[0]["properties"]["source"] == "France Chaleur Urbaine (reseaux_chaleur.geojson, 01/06/2025)"
    )


def test_unknown_or_huge_territories_are_404(api_world, as_persona):
    for value in ("0", str(2**63), str(10**25)):
        for layer in LAYERS:
            assert as_persona("programme").get(f"/territories/{value}/layers/{layer}").status_code == 404


def test_the_openapi_description_types_each_layer():
    from tremplin.api.main import api

    schema = api.get_openapi_schema()
    paths = schema["paths"]
    for layer in LAYERS:
        operation = paths[f"/api/v1/territories/{{territory_id}}/layers/{layer}"]["get"]
        assert {200, 401, 403, 404} <= set(operation["responses"]), layer
    components = schema["components"]["schemas"]
    area = components["PerimeterFeature"]["properties"]["geometry"]
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in area["oneOf"]} == {"Polygon", "MultiPolygon"}
    assert components["EstablishmentFeature"]["properties"]["geometry"]["$ref"].endswith("/Point")
    assert components["Point"]["properties"]["coordinates"]["minItems"] == 2
