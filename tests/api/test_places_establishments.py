"""``/establishments``: scope, filters, ordering and pagination, the team's record, and writes through
the establishment operations (audit, validation naming the field, stale version refused)."""

import pytest

from tests import factories
from tests.api.places import statuses
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment
from tremplin.establishments.services import update_establishment

pytestmark = pytest.mark.django_db


def _new_body(world, **fields) -> dict:
    commune = world.objects["caux"].epci.communes.order_by("insee_code").first()
    body = {
        "territory": world.objects["caux"].pk,
        "siret": factories.siret(),
        "name": "Fonderie du Port",
        "naf_code": "24.51Z",
        "headcount_band": "21",
        "commune": commune.insee_code,
    }
    return body | fields


# --- Who may do what -------------------------------------------------------------------------------


def test_list_status_for_each_persona(api_world, as_persona):
    caux = api_world.objects["caux"].pk
    assert statuses(as_persona, "get", "/establishments", territory=caux) == {
        "owner": 200,
        "colleague": 200,
        "contact": 200,
        "programme": 403,  # aggregates only
        "outsider": 404,
        "committee": 404,
        "nobody": 404,
        "anonymous": 401,
    }


def test_detail_status_for_each_persona(api_world, as_persona):
    brewery, farm = api_world.objects["brewery"].pk, api_world.objects["farm"].pk
    expected = {
        "owner": 200,
        "colleague": 200,
        "contact": 200,
        "programme": 404,
        "outsider": 404,
        "committee": 404,
        "nobody": 404,
        "anonymous": 401,
    }
    assert statuses(as_persona, "get", f"/establishments/{brewery}") == expected
    # The contact of the brewery does not see the farm next door.
    assert statuses(as_persona, "get", f"/establishments/{farm}") == expected | {"contact": 404}


def test_create_status_for_each_persona(api_world, as_persona):
    assert statuses(as_persona, "post", "/establishments", lambda: _new_body(api_world)) == {
        "owner": 201,
        "colleague": 403,  # read-only member
        "contact": 403,
        "programme": 403,
        "outsider": 404,
        "committee": 404,
        "nobody": 404,
        "anonymous": 401,
    }
    assert Establishment.objects.filter(name="Fonderie du Port").count() == 1


def test_update_status_for_each_persona(api_world, as_persona):
    brewery = api_world.objects["brewery"]
    answers = statuses(
        as_persona,
        "patch",
        f"/establishments/{brewery.pk}",
        lambda: {"version": Establishment.objects.get(pk=brewery.pk).version, "notes": "Vu au salon"},
    )
    assert answers == {
        "owner": 200,
        "colleague": 403,
        "contact": 403,
        "programme": 404,
        "outsider": 404,
        "committee": 404,
        "nobody": 404,
        "anonymous": 401,
    }
    assert Establishment.objects.get(pk=brewery.pk).notes == "Vu au salon"


def test_huge_or_unknown_identifiers_are_404(api_world, as_persona):
    client = as_persona("owner")
    for value in ["0", str(2**31), str(2**63), str(10**30)]:
        assert client.get(f"/establishments/{value}").status_code == 404, value
        assert client.get("/establishments", territory=value).status_code == 404, value
        assert client.patch(f"/establishments/{value}", {"version": 1}).status_code == 404, value
        assert client.post("/establishments", _new_body(api_world, territory=int(value))).status_code == 404


# --- What each one sees ----------------------------------------------------------------------------


def test_the_team_sees_its_record_and_contacts_the_company_contact_does_not(api_world, as_persona):
    brewery = api_world.objects["brewery"]
    Establishment.objects.filter(pk=brewery.pk).update(engagement="met", notes="Rappeler en mars")
    factories.establishment_contact(brewery, name="Jeanne Martin")
    team = as_persona("colleague").get(f"/establishments/{brewery.pk}").json()
    assert team["team"]["engagement"] == "met"
    assert team["team"]["notes"] == "Rappeler en mars"
    assert [c["name"] for c in team["team"]["contacts"]] == ["Jeanne Martin"]
    assert team["siret"] == brewery.siret and team["naf_code"] == "11.05Z"
    assert team["commune"]["insee_code"] == brewery.commune.insee_code
    own = as_persona("contact").get(f"/establishments/{brewery.pk}").json()
    assert own["team"] is None
    assert own["name"] == "Brasserie des Falaises" and own["siret"] == brewery.siret
    assert "Rappeler" not in str(own) and "Jeanne" not in str(own)
    listed = as_persona("contact").get("/establishments", territory=brewery.territory_id).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == brewery.pk and listed["results"][0]["team"] is None


def test_filters_of_the_list(api_world, as_persona):
    caux = api_world.objects["caux"]
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    other_commune = caux.epci.communes.order_by("-insee_code").first()
    bakery = factories.establishment(
        caux,
        name="Boulangerie Leroux",
        naf_code="10.71C",
        headcount_band="02",
        commune=other_commune,
        latitude=other_commune.centroid_lat,
        longitude=other_commune.centroid_lon,
        engagement="engaged",
        is_demo=True,
    )
    client = as_persona("owner")

    def ids(**query):
        body = client.get("/establishments", territory=caux.pk, **query).json()
        assert body["count"] == len(body["results"]), body
        return sorted(e["id"] for e in body["results"])

    assert ids() == sorted([brewery.pk, farm.pk, bakery.pk])
    assert ids(q="brasserie") == [brewery.pk]
    assert ids(q=brewery.siret[:9]) == [brewery.pk]
    assert ids(q=f"{brewery.siret[:3]} {brewery.siret[3:6]} {brewery.siret[6:9]}") == [brewery.pk]
    assert ids(naf="11.05Z") == [brewery.pk]
    assert ids(naf="1105z") == [brewery.pk]
    assert ids(naf="10.71") == [bakery.pk]  # the class and its subclasses
    assert ids(section="A") == [farm.pk]
    assert ids(section="C") == sorted([brewery.pk, bakery.pk])
    assert ids(division="11") == [brewery.pk]
    assert ids(size="small") == [brewery.pk]  # band 12: 20 to 49 employees
    assert ids(size="micro") == sorted([farm.pk, bakery.pk])
    assert ids(commune=other_commune.insee_code) == [bakery.pk]
    assert ids(engagement="engaged") == [bakery.pk]
    assert ids(engagement="not_engaged") == sorted([brewery.pk, farm.pk])
    assert ids(has_flows="true") == sorted([brewery.pk, farm.pk])
    assert ids(has_flows="false") == [bakery.pk]
    assert ids(is_demo="true") == [bakery.pk]
    assert ids(q="brasserie", has_flows="false") == []


def test_ordering_and_pagination(api_world, as_persona):
    caux = api_world.objects["caux"]
    names = ["Atelier Zéro", "Menuiserie Brunet", "Cidrerie Vallée"]
    for name in names:
        factories.establishment(caux, name=name)
    client = as_persona("owner")
    every = sorted([*names, "Brasserie des Falaises", "Ferme laitière du Plateau"])
    body = client.get("/establishments", territory=caux.pk).json()
    assert [e["name"] for e in body["results"]] == every
    body = client.get("/establishments", territory=caux.pk, ordering="-name", limit=2, offset=1).json()
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 1
    assert [e["name"] for e in body["results"]] == list(reversed(every))[1:3]
    by_naf = client.get("/establishments", territory=caux.pk, ordering="naf").json()["results"]
    assert [e["naf_code"] for e in by_naf] == ["01.41Z", "10.71C", "10.71C", "10.71C", "11.05Z"]
    # The engagement is the team's: a company contact may neither sort nor filter on it.
    contact = as_persona("contact")
    response = contact.get("/establishments", territory=caux.pk, ordering="engagement")
    assert response.status_code == 422 and response.json()["field"] == "query.ordering"
    response = contact.get("/establishments", territory=caux.pk, engagement="met")
    assert response.status_code == 422 and response.json()["field"] == "query.engagement"


def test_bad_filters_name_the_field_and_never_reach_the_database(api_world, as_persona):
    client = as_persona("owner")
    caux = api_world.objects["caux"].pk
    for query, field in [
        ({"naf": "99.99Z"}, "query.naf"),
        ({"naf": "10\x0071C"}, "query.naf"),
        ({"commune": "76\x00001"}, "query.commune"),
        ({"section": "AB"}, "query.section"),
        ({"size": "huge"}, "query.size"),
        ({"has_flows": "maybe"}, "query.has_flows"),
        ({"territory": "abc"}, "query.territory"),
    ]:
        response = client.get("/establishments", **({"territory": caux} | query))
        assert response.status_code == 422, query
        assert response.json()["field"] == field, query
    assert client.get("/establishments", territory=caux, q="\x00" * 50).status_code == 200
    assert client.get("/establishments", territory=caux, q="x" * 101).json()["field"] == "query.q"


# --- Creating --------------------------------------------------------------------------------------


def test_create_writes_through_the_operation_and_its_audit(api_world, as_persona):
    body = _new_body(api_world, address="2 quai de la Seine", notes="Ligne 1\nLigne 2", met_on="2026-03-02")
    response = as_persona("owner").post("/establishments", body)
    assert response.status_code == 201, response.json()
    answer = response.json()
    created = Establishment.objects.get(pk=answer["id"])
    assert created.siret == body["siret"] and created.name == "Fonderie du Port"
    assert created.origin == "manual" and created.version == 1
    assert created.notes == "Ligne 1\nLigne 2" and str(created.met_on) == "2026-03-02"
    # No coordinates: the reference point of its commune.
    assert created.location_precision == "commune"
    assert (created.latitude, created.longitude) == (
        created.commune.centroid_lat,
        created.commune.centroid_lon,
    )
    assert answer["location_precision"] == "commune" and answer["team"]["notes"] == "Ligne 1\nLigne 2"
    entry = AuditEntry.objects.get(action="establishment.created", target_id=str(created.pk))
    assert entry.actor == api_world.people["owner"]
    assert entry.territory == api_world.objects["caux"]
    assert entry.data["siret"] == body["siret"]


def test_a_siret_with_spaces_and_coordinates_in_the_commune(api_world, as_persona):
    commune = api_world.objects["caux"].epci.communes.order_by("insee_code").first()
    siret = factories.siret()
    body = _new_body(
        api_world,
        siret=f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}",
        latitude=commune.centroid_lat,
        longitude=commune.centroid_lon,
    )
    answer = as_persona("owner").post("/establishments", body).json()
    assert answer["siret"] == siret
    assert answer["location_precision"] == "address"
    assert answer["latitude"] == commune.centroid_lat


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"siret": "12345"}, "body.siret"),
        ({"naf_code": "99.99Z"}, "body.naf_code"),
        ({"commune": "14118"}, "body.commune"),  # Caen: not a commune of Caux-Seine
        ({"latitude": 49.5}, "body.longitude"),
        ({"latitude": 91, "longitude": 0.5}, "body.latitude"),
        ({"name": "Fonderie\x00"}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x" * 201}, "body.name"),
        ({"notes": "a\x00b"}, "body.notes"),
        ({"headcount_band": "99"}, "body.headcount_band"),
        ({"met_on": "2026-02-30"}, "body.met_on"),
        ({"version": 3}, "body.version"),  # not a field of a creation
        ({"territory": "caux"}, "body.territory"),
    ],
)
def test_an_invalid_creation_names_the_field_and_writes_nothing(api_world, as_persona, fields, field):
    before = Establishment.objects.count()
    response = as_persona("owner").post("/establishments", _new_body(api_world, **fields))
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "invalid"
    assert response.json()["field"] == field
    assert Establishment.objects.count() == before
    assert not AuditEntry.objects.filter(action="establishment.created").exists()


def test_a_point_outside_its_commune_is_refused_by_the_operation(api_world, as_persona):
    far = api_world.objects["havre"].epci.communes.order_by("insee_code").first()
    body = _new_body(api_world, latitude=far.centroid_lat, longitude=far.centroid_lon)
    response = as_persona("owner").post("/establishments", body)
    assert response.status_code == 422
    assert response.json()["field"] == "body.latitude"
    assert "hors de la commune" in response.json()["message"] or "outside" in response.json()["message"]


def test_a_duplicate_siret_is_refused_in_french_and_in_english(api_world, as_persona):
    siret = api_world.objects["brewery"].siret
    french = as_persona("owner").post("/establishments", _new_body(api_world, siret=siret)).json()
    assert french["field"] == "body.siret"
    assert french["message"] == "Un autre établissement de ce territoire a déjà ce SIRET."
    english = as_persona("owner", lang="en").post("/establishments", _new_body(api_world, siret=siret)).json()
    assert english["field"] == "body.siret"
    assert english["message"] == "Another establishment of this territory already has this SIRET."
    unknown = as_persona("owner", lang="en").post("/establishments", _new_body(api_world, naf_code="99.99Z"))
    assert unknown.json()["message"] == "Unknown NAF code (NAF rév. 2 or NAF 2025)."


# --- Changing --------------------------------------------------------------------------------------


def test_an_update_changes_the_fields_sent_and_is_audited(api_world, as_persona):
    brewery = api_world.objects["brewery"]
    response = as_persona("owner").patch(
        f"/establishments/{brewery.pk}",
        {"version": 1, "name": "Brasserie des Falaises SARL", "engagement": "met", "met_on": "2026-11-30"},
    )
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["version"] == 2 and answer["name"] == "Brasserie des Falaises SARL"
    assert answer["team"]["engagement"] == "met" and answer["team"]["met_on"] == "2026-11-30"
    assert answer["team"]["hand_corrected"] == ["name"]
    stored = Establishment.objects.get(pk=brewery.pk)
    assert (stored.name, stored.engagement, stored.version) == ("Brasserie des Falaises SARL", "met", 2)
    assert stored.naf_code == "11.05Z" and stored.siret == brewery.siret  # not sent: unchanged
    entry = AuditEntry.objects.get(action="establishment.updated", target_id=str(brewery.pk))
    assert entry.actor == api_world.people["owner"]
    assert entry.data["changes"]["name"] == ["Brasserie des Falaises", "Brasserie des Falaises SARL"]
    assert entry.data["changes"]["engagement"] == ["identified", "met"]
    assert set(entry.data["changes"]) == {"name", "engagement", "met_on"}
    assert entry.data["version"] == 2
    # The team's journal of the record, as its page shows it.
    history = as_persona("colleague").get(f"/establishments/{brewery.pk}").json()["team"]["history"]
    assert [h["action"] for h in history] == ["establishment.updated"]
    assert history[0]["actor"] == "Owner Caux"


def test_a_stale_version_is_a_409_and_nothing_is_written(api_world, as_persona):
    brewery = api_world.objects["brewery"]
    # Someone else changed it in the interface since the client read version 1.
    update_establishment(brewery, by=api_world.people["owner"], expected_version=1, notes="Vu le 3")
    response = as_persona("owner").patch(f"/establishments/{brewery.pk}", {"version": 1, "name": "Autre nom"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and response.json()["field"] == "body.version"
    assert "2" in response.json()["message"]
    stored = Establishment.objects.get(pk=brewery.pk)
    assert (stored.name, stored.notes, stored.version) == ("Brasserie des Falaises", "Vu le 3", 2)
    assert AuditEntry.objects.filter(action="establishment.updated", target_id=str(brewery.pk)).count() == 1
    # Read again, then the change goes through.
    assert (
        as_persona("owner")
        .patch(f"/establishments/{brewery.pk}", {"version": 2, "name": "Autre nom"})
        .json()["version"]
        == 3
    )


def test_an_update_to_what_is_recorded_writes_nothing(api_world, as_persona):
    brewery = api_world.objects["brewery"]
    response = as_persona("owner").patch(
        f"/establishments/{brewery.pk}", {"version": 1, "name": "Brasserie des Falaises"}
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    assert not AuditEntry.objects.filter(action="establishment.updated").exists()


def test_an_invalid_update_names_the_field_in_the_request_language(api_world, as_persona):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    path = f"/establishments/{brewery.pk}"
    english = as_persona("owner", lang="en").patch(path, {"version": 1, "siret": farm.siret}).json()
    assert english["field"] == "body.siret"
    assert english["message"] == "Another establishment of this territory already has this SIRET."
    french = as_persona("owner", lang="fr").patch(path, {"version": 1, "naf_code": "00.00Z"}).json()
    assert french["field"] == "body.naf_code"
    assert french["message"] == "Code NAF inconnu (NAF rév. 2 ou NAF 2025)."
    for body, field in [
        ({"version": 1, "name": None}, "body.name"),
        ({"name": "x"}, "body.version"),
        ({"version": 0, "name": "x"}, "body.version"),
        ({"version": 10**30, "name": "x"}, "body.version"),
        ({"version": 1, "territory": 2}, "body.territory"),
        ({"version": 1, "commune": "76351"}, "body.commune"),
    ]:
        response = as_persona("owner").patch(path, body)
        assert response.status_code == 422, body
        assert response.json()["field"] == field, body
    assert Establishment.objects.get(pk=brewery.pk).version == 1


def test_coordinates_emptied_place_the_establishment_at_its_commune(api_world, as_persona):
    brewery = api_world.objects["brewery"]
    commune = brewery.commune
    near = {"latitude": commune.centroid_lat + 0.001, "longitude": commune.centroid_lon}
    moved = as_persona("owner").patch(f"/establishments/{brewery.pk}", {"version": 1, **near}).json()
    assert moved["location_precision"] == "address" and moved["latitude"] == near["latitude"]
    back = as_persona("owner").patch(
        f"/establishments/{brewery.pk}", {"version": 2, "latitude": None, "longitude": None}
    )
    assert back.json()["location_precision"] == "commune"
    assert back.json()["latitude"] == commune.centroid_lat
