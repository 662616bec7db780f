"""``/catalogue``: families and resources of the knowledge base, for any authenticated caller."""

import pytest

from tests.api.conftest import ALL_PERSONAS
from tests.api.places import statuses

pytestmark = pytest.mark.django_db

EVERYONE_SIGNED_IN = dict.fromkeys(ALL_PERSONAS, 200) | {"anonymous": 401}


def test_every_signed_in_persona_reads_the_catalogue(api_world, as_persona):
    assert statuses(as_persona, "get", "/catalogue/families") == EVERYONE_SIGNED_IN
    assert statuses(as_persona, "get", "/catalogue/resources") == EVERYONE_SIGNED_IN
    assert statuses(as_persona, "get", "/catalogue/resources/bio_spent_grain") == EVERYONE_SIGNED_IN


def test_a_resource_with_its_unit_family_and_waste_codes(api_world, as_persona):
    body = as_persona("nobody").get("/catalogue/resources/bio_spent_grain").json()
    assert body["label"] == "Drêches de brasserie et de distillerie"
    assert body["unit"] == "t"
    assert body["family"] == {
        "code": "biodechets",
        "label": "Biodéchets et coproduits agricoles et agroalimentaires",
        "kind": "material",
    }
    assert body["waste_codes"] == [{"code": "02 07 04", "hazardous": False}]
    assert body["role"] == "waste"
    assert body["knowledge_base"]


def test_search_like_the_forms(api_world, as_persona):
    client = as_persona("owner")
    # Accents and case ignored; both kinds of grains.
    found = client.get("/catalogue/resources", q="DRECHES").json()
    assert [r["code"] for r in found["results"]] == ["bio_spent_grain", "bio_distillers_grains"]
    assert found["count"] == 2
    # A NUL becomes a space (two words, both required).
    assert client.get("/catalogue/resources", q="dreches\x00brasserie").json()["count"] == 1
    assert client.get("/catalogue/resources", q="zzzz").json() == {
        "count": 0,
        "limit": 50,
        "offset": 0,
        "results": [],
    }


def test_families_filter_ordering_and_pagination(api_world, as_persona):
    client = as_persona("owner")
    families = client.get("/catalogue/families", limit=200).json()
    biodechets = next(f for f in families["results"] if f["code"] == "biodechets")
    wood = client.get("/catalogue/resources", family="biodechets", limit=200).json()
    assert wood["count"] == biodechets["resources"] == len(wood["results"]) > 10
    assert {r["family"]["code"] for r in wood["results"]} == {"biodechets"}
    assert (
        sum(f["resources"] for f in families["results"]) == client.get("/catalogue/resources").json()["count"]
    )
    by_code = client.get("/catalogue/resources", family="biodechets", ordering="-code", limit=200).json()
    codes = [r["code"] for r in by_code["results"]]
    assert codes == sorted(codes, reverse=True)
    second = client.get(
        "/catalogue/resources", family="biodechets", ordering="-code", limit=3, offset=3
    ).json()
    assert [r["code"] for r in second["results"]] == codes[3:6]


def test_bad_parameters_and_unknown_codes(api_world, as_persona):
    client = as_persona("owner")
    assert client.get("/catalogue/resources/nothing_like_this").status_code == 404
    assert client.get("/catalogue/resources/" + "x" * 101).status_code == 422
    assert client.get("/catalogue/resources/a%00b").status_code == 404
    response = client.get("/catalogue/resources", ordering="price")
    assert response.status_code == 422 and response.json()["field"] == "query.ordering"
    response = client.get("/catalogue/resources", family="Bio\x00")
    assert response.status_code == 422 and response.json()["field"] == "query.family"
    assert client.get("/catalogue/families", ordering="label").json()["field"] == "query.ordering"
