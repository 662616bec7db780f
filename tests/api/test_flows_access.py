"""Every endpoint of /flows, tried by every persona of the conftest: who reads, who writes, and that a
refused write writes nothing."""

import pytest

from tests.api.conftest import ALL_PERSONAS
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Flow

pytestmark = pytest.mark.django_db

# Caux-Seine's team reads its territory; the read-only colleague too; the brewery's contact its own
# establishment only; the programme team sees aggregates, never flows.
LIST_OF_CAUX = {
    "owner": 200,
    "colleague": 200,
    "outsider": 404,
    "contact": 403,
    "programme": 403,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
BREWERY_READ = {
    "owner": 200,
    "colleague": 200,
    "outsider": 404,
    "contact": 200,
    "programme": 404,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
BREWERY_WRITE = BREWERY_READ | {"colleague": 403}


def _ids(response):
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_of_a_territory(api_world, as_persona, persona):
    response = as_persona(persona).get("/flows", territory=api_world.objects["caux"].pk)
    assert response.status_code == LIST_OF_CAUX[persona]
    if response.status_code == 200:
        objects = api_world.objects
        assert sorted(_ids(response)) == sorted([objects["brewery_flow"].pk, objects["farm_flow"].pk])
    else:
        assert set(response.json()) == {"code", "message", "field", "errors"}


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("owner", ["brewery_flow", "farm_flow"]),
        ("colleague", ["brewery_flow", "farm_flow"]),
        ("outsider", ["other_flow"]),
        ("contact", ["brewery_flow"]),
        ("programme", []),
        ("committee", []),
        ("nobody", []),
    ],
)
def test_list_without_a_filter_gives_what_the_caller_may_read(api_world, as_persona, persona, expected):
    response = as_persona(persona).get("/flows")
    assert response.status_code == 200
    assert sorted(_ids(response)) == sorted(api_world.objects[name].pk for name in expected)
    assert response.json()["count"] == len(expected)


def test_list_without_a_token_is_refused(api_world, as_persona):
    assert as_persona("anonymous").get("/flows").status_code == 401


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_of_an_establishment(api_world, as_persona, persona):
    brewery = api_world.objects["brewery"]
    response = as_persona(persona).get("/flows", establishment=brewery.pk)
    assert response.status_code == BREWERY_READ[persona]
    if response.status_code == 200:
        assert _ids(response) == [api_world.objects["brewery_flow"].pk]


def test_a_contact_does_not_reach_another_establishment_of_its_territory(api_world, as_persona):
    contact = as_persona("contact")
    farm, farm_flow = api_world.objects["farm"], api_world.objects["farm_flow"]
    assert contact.get("/flows", establishment=farm.pk).status_code == 404
    assert contact.get(f"/flows/{farm_flow.pk}").status_code == 404
    assert contact.get("/flows/estimates", establishment=farm.pk).status_code == 404
    body = {
        "establishment": farm.pk,
        "direction": "out",
        "resource": "wood_clean",
        "quantity": 1,
        "unit": "t",
    }
    assert contact.post("/flows", body).status_code == 404
    assert contact.patch(f"/flows/{farm_flow.pk}", {"version": 1, "quantity": 5}).status_code == 404
    assert contact.delete(f"/flows/{farm_flow.pk}?version=1").status_code == 404
    assert Flow.objects.get(pk=farm_flow.pk).quantity == 200


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_estimates_of_an_establishment(api_world, as_persona, persona):
    response = as_persona(persona).get("/flows/estimates", establishment=api_world.objects["brewery"].pk)
    assert response.status_code == BREWERY_READ[persona]
    if response.status_code == 200:
        rows = response.json()["results"]
        assert rows and {row["basis"] for row in rows} == {"estimated"}
        # The brewery's declared spent grain replaces its estimate.
        assert ("out", "bio_spent_grain") not in {(row["direction"], row["resource"]) for row in rows}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_detail(api_world, as_persona, persona):
    flow = api_world.objects["brewery_flow"]
    response = as_persona(persona).get(f"/flows/{flow.pk}")
    assert response.status_code == BREWERY_READ[persona]
    if response.status_code == 200:
        assert response.json()["id"] == flow.pk


def _declaration(api_world):
    return {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "out",
        "resource": "wood_clean",
        "quantity": "4",
        "unit": "t",
    }


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create(api_world, as_persona, persona):
    before = Flow.objects.count()
    response = as_persona(persona).post("/flows", _declaration(api_world))
    expected = BREWERY_WRITE[persona]
    assert response.status_code == (201 if expected == 200 else expected)
    if response.status_code == 201:
        assert Flow.objects.count() == before + 1
        assert (
            AuditEntry.objects.filter(
                action="flow.created", actor=api_world.people[persona], data__resource="wood_clean"
            ).count()
            == 1
        )
    else:
        assert Flow.objects.count() == before
        assert not AuditEntry.objects.filter(action="flow.created", data__resource="wood_clean").exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_update(api_world, as_persona, persona):
    flow = api_world.objects["brewery_flow"]
    response = as_persona(persona).patch(f"/flows/{flow.pk}", {"version": 1, "quantity": "320"})
    assert response.status_code == BREWERY_WRITE[persona]
    stored = Flow.objects.get(pk=flow.pk)
    if response.status_code == 200:
        assert (stored.quantity, stored.version) == (320, 2)
    else:
        assert (stored.quantity, stored.version) == (300, 1)
        assert not AuditEntry.objects.filter(action="flow.updated").exists()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_delete(api_world, as_persona, persona):
    flow = api_world.objects["brewery_flow"]
    response = as_persona(persona).delete(f"/flows/{flow.pk}?version=1")
    expected = BREWERY_WRITE[persona]
    assert response.status_code == (204 if expected == 200 else expected)
    assert Flow.objects.filter(pk=flow.pk).exists() is (response.status_code != 204)


@pytest.mark.parametrize("persona", ["owner", "colleague", "contact", "programme"])
def test_another_territory_s_flow_is_a_404_for_every_method(api_world, as_persona, persona):
    other = api_world.objects["other_flow"]
    client = as_persona(persona)
    assert client.get(f"/flows/{other.pk}").status_code == 404
    assert client.patch(f"/flows/{other.pk}", {"version": 1, "quantity": 1}).status_code == 404
    assert client.delete(f"/flows/{other.pk}?version=1").status_code == 404
    body = _declaration(api_world) | {"establishment": api_world.objects["other_brewery"].pk}
    assert client.post("/flows", body).status_code == 404
    assert client.get("/flows", territory=api_world.objects["havre"].pk).status_code in (403, 404)
    stored = Flow.objects.get(pk=other.pk)
    assert (stored.quantity, stored.version) == (50, 1)
