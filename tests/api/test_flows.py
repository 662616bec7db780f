"""/flows: filters, ordering and pages, the figures and their basis, declaring (stored values, audit
entry), changing from a version (409 on a stale one, nothing written), deleting, validation errors
naming the field in French and English, and hostile input (NUL, huge ids, unexpected fields)."""

from decimal import Decimal

import pytest

from tests import factories
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Basis, Flow

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def owner(as_persona):
    return as_persona("owner")


@pytest.fixture
def more_flows(api_world):
    """A register line and a workshop statement of Caux-Seine's farm, besides the conftest's flows."""
    farm = api_world.objects["farm"]
    register = Flow.objects.create(
        establishment=farm,
        direction="out",
        resource="bio_manure",
        quantity=Decimal("1000"),
        unit="t",
        quantity_per_year=1000.0,
        basis=Basis.REGISTER,
        source="IREP 2022",
        register_year=2022,
        below_threshold=True,
        treatment_operation="R3",
        confidential=False,
    )
    workshop = factories.flow(
        farm,
        by=api_world.people["owner"],
        direction="in",
        resource="wood_clean",
        quantity=5,
        basis="workshop",
    )
    return {"register": register, "workshop": workshop}


def test_a_flow_says_its_figures_their_unit_basis_and_source(api_world, owner):
    flow = api_world.objects["brewery_flow"]
    body = owner.get(f"/flows/{flow.pk}").json()
    assert body | {"created_at": None, "updated_at": None} == {
        "id": flow.pk,
        "establishment": api_world.objects["brewery"].pk,
        "establishment_name": "Brasserie des Falaises",
        "territory": api_world.objects["caux"].pk,
        "direction": "out",
        "resource": "bio_spent_grain",
        "resource_label": "Drêches de brasserie et de distillerie",
        "family": "biodechets",
        "family_label": "Biodéchets et coproduits agricoles et agroalimentaires",
        "quantity": "300",
        "unit": "t",
        "frequency": "year",
        "quantity_per_year": 300.0,
        "quantity_per_year_unit": "t",
        "basis": "declared",
        "source": "déclaré par l'établissement ou l'équipe de son territoire",
        "register_year": None,
        "below_threshold": False,
        "treatment_operation": "",
        "quality_notes": "",
        "current_route": "",
        "current_cost_eur_per_year": None,
        "confidential": True,
        "version": 1,
        "created_at": None,
        "updated_at": None,
    }
    english = owner.get(f"/flows/{flow.pk}", lang="en").json()
    assert english["source"] == "declared by the establishment or its territory team"


def test_a_register_flow_says_its_register_and_its_threshold(api_world, owner, more_flows):
    body = owner.get(f"/flows/{more_flows['register'].pk}").json()
    assert (body["basis"], body["source"], body["register_year"]) == ("register", "IREP 2022", 2022)
    assert (body["below_threshold"], body["treatment_operation"], body["confidential"]) == (True, "R3", False)
    workshop = owner.get(f"/flows/{more_flows['workshop'].pk}").json()
    assert (workshop["basis"], workshop["source"]) == ("workshop", "énoncé dans un atelier de détection")


def test_filters(api_world, owner, more_flows):
    objects = api_world.objects
    caux = objects["caux"].pk
    brewery_flow, farm_flow = objects["brewery_flow"].pk, objects["farm_flow"].pk
    register, workshop = more_flows["register"].pk, more_flows["workshop"].pk
    assert sorted(_ids(owner.get("/flows", territory=caux))) == sorted(
        [brewery_flow, farm_flow, register, workshop]
    )
    assert sorted(_ids(owner.get("/flows", territory=caux, direction="in"))) == sorted([farm_flow, workshop])
    assert sorted(_ids(owner.get("/flows", direction="out"))) == sorted([brewery_flow, register])
    assert sorted(_ids(owner.get("/flows", resource="bio_spent_grain"))) == sorted([brewery_flow, farm_flow])
    # Spent grain and manure are both in the family of bio-waste and agricultural by-products.
    assert sorted(_ids(owner.get("/flows", family="biodechets"))) == sorted(
        [brewery_flow, farm_flow, register]
    )
    assert _ids(owner.get("/flows", family="bois")) == [workshop]
    assert _ids(owner.get("/flows", basis="register")) == [register]
    assert _ids(owner.get("/flows", basis="workshop")) == [workshop]
    assert sorted(_ids(owner.get("/flows", basis="declared"))) == sorted([brewery_flow, farm_flow])
    assert _ids(owner.get("/flows", establishment=objects["farm"].pk, direction="out")) == [register]
    # Filters combine: the brewery has no input.
    assert _ids(owner.get("/flows", establishment=objects["brewery"].pk, direction="in")) == []


@pytest.mark.parametrize(
    "query, field",
    [
        ({"resource": "unobtainium"}, "query.resource"),
        ({"family": "nothing"}, "query.family"),
        ({"basis": "estimated"}, "query.basis"),
        ({"direction": "sideways"}, "query.direction"),
        ({"ordering": "password"}, "query.ordering"),
        ({"ordering": "-"}, "query.ordering"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 201}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"territory": "abc"}, "query.territory"),
    ],
)
def test_a_bad_filter_is_a_422_naming_the_parameter(api_world, owner, query, field):
    response = owner.get("/flows", **query)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_ordering_and_pages(api_world, owner, more_flows):
    objects = api_world.objects
    caux = objects["caux"].pk
    # Per year: brewery 300 t, farm 200 t, manure 1000 t, wood 5 t.
    expected = [
        more_flows["workshop"].pk,
        objects["farm_flow"].pk,
        objects["brewery_flow"].pk,
        more_flows["register"].pk,
    ]
    assert _ids(owner.get("/flows", territory=caux, ordering="quantity_per_year")) == expected
    assert _ids(owner.get("/flows", territory=caux, ordering="-quantity_per_year")) == expected[::-1]
    page = owner.get("/flows", territory=caux, ordering="quantity_per_year", limit=2, offset=1).json()
    assert (page["count"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [row["id"] for row in page["results"]] == expected[1:3]
    # By default: by establishment name (the brewery before the farm), outputs first, then resource.
    assert _ids(owner.get("/flows", territory=caux)) == [
        objects["brewery_flow"].pk,
        more_flows["register"].pk,
        objects["farm_flow"].pk,
        more_flows["workshop"].pk,
    ]


def test_declaring_a_flow_stores_its_values_and_audits_them(api_world, owner):
    brewery = api_world.objects["brewery"]
    response = owner.post(
        "/flows",
        {
            "establishment": brewery.pk,
            "direction": "out",
            "resource": "oil_mineral_used",
            "quantity": "2",
            "unit": "m3",
            "frequency": "week",
            "quality_notes": "Huile de vidange\nstockée en fût",
            "current_route": "Collecteur agréé",
            "current_cost_eur_per_year": -120.5,
            "confidential": False,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    flow = Flow.objects.get(pk=body["id"])
    # 2 m³ a week x 0.9 t/m³ x 52 weeks = 93.6 t a year.
    assert body["quantity_per_year"] == pytest.approx(93.6)
    assert (body["quantity"], body["unit"], body["quantity_per_year_unit"]) == ("2", "m3", "t")
    assert body["current_cost_eur_per_year"] == "-120.5"
    assert (flow.establishment, flow.quantity, flow.unit, flow.frequency) == (
        brewery,
        Decimal("2"),
        "m3",
        "week",
    )
    assert flow.quantity_per_year == pytest.approx(93.6)
    assert (flow.current_cost_eur_per_year, flow.confidential, flow.basis) == (
        Decimal("-120.5"),
        False,
        "declared",
    )
    assert flow.quality_notes == "Huile de vidange\nstockée en fût"
    assert flow.declared_by == api_world.people["owner"]
    entry = AuditEntry.objects.get(action="flow.created", data__resource="oil_mineral_used")
    assert (entry.actor, entry.territory, entry.target) == (
        api_world.people["owner"],
        api_world.objects["caux"],
        flow,
    )
    assert entry.data["before"] is None
    assert entry.data["after"]["quantity"] == "2"
    assert entry.data["after"]["frequency"] == "week"
    assert entry.data["after"]["current_cost_eur_per_year"] == "-120.5"


@pytest.mark.parametrize("quantity", [12.5, "12.5", "12.50", 12.5000])
def test_a_quantity_is_a_number_or_a_string_and_comes_back_as_an_exact_string(api_world, owner, quantity):
    body = {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "in",
        "resource": "wood_clean",
        "quantity": quantity,
        "unit": "t",
    }
    response = owner.post("/flows", body)
    assert response.status_code == 201
    assert response.json()["quantity"] == "12.5"
    assert Flow.objects.get(pk=response.json()["id"]).quantity == Decimal("12.5")


def test_a_company_contact_declares_for_its_own_establishment(api_world, as_persona):
    body = {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "out",
        "resource": "wood_clean",
        "quantity": 3,
        "unit": "t",
    }
    response = as_persona("contact").post("/flows", body)
    assert response.status_code == 201
    flow = Flow.objects.get(pk=response.json()["id"])
    assert flow.declared_by == api_world.people["contact"]
    assert (
        AuditEntry.objects.get(action="flow.created", data__resource="wood_clean").actor == flow.declared_by
    )


def test_a_declaration_sent_twice_with_its_idempotency_key_records_one_flow(api_world, owner):
    body = {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "out",
        "resource": "wood_clean",
        "quantity": 3,
        "unit": "t",
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "3f2a9c61-key"}
    first = owner.client.post(
        "/api/v1/flows",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_world.tokens['owner']}"},
        **headers,
    )
    second = owner.client.post(
        "/api/v1/flows",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_world.tokens['owner']}"},
        **headers,
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Flow.objects.filter(resource="wood_clean").count() == 1
    assert AuditEntry.objects.filter(action="flow.created", data__resource="wood_clean").count() == 1


def test_a_validation_error_names_the_field_in_french_and_in_english(api_world, as_persona):
    body = {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "out",
        "resource": "bio_spent_grain",
        "quantity": "12.5",
        "unit": "MWh",
    }
    french = as_persona("owner").post("/flows", body)
    english = as_persona("owner", lang="en").post("/flows", body)
    assert french.status_code == english.status_code == 422
    assert french.json()["field"] == english.json()["field"] == "body.unit"
    assert french.json()["message"].startswith(
        "12,5 MWh de drêches de brasserie et de distillerie : unité incompatible, t attendu"
    )
    assert english.json()["message"].startswith(
        "12.5 MWh of drêches de brasserie et de distillerie: incompatible unit, expected t"
    )
    missing = {key: value for key, value in body.items() if key != "quantity"}
    french = as_persona("owner").post("/flows", missing).json()
    english = as_persona("owner", lang="en").post("/flows", missing).json()
    assert (french["field"], french["message"]) == ("body.quantity", "Ce champ est obligatoire.")
    assert (english["field"], english["message"]) == ("body.quantity", "This field is required.")
    assert not Flow.objects.filter(establishment=api_world.objects["brewery"], unit="MWh").exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"resource": "unobtainium"}, "body.resource"),
        ({"quantity": -1}, "body.quantity"),
        ({"quantity": "0.00001"}, "body.quantity"),
        ({"quantity": "1e20"}, "body.quantity"),
        ({"quantity": "NaN"}, "body.quantity"),
        ({"quantity": "douze"}, "body.quantity"),
        ({"unit": ""}, "body.unit"),
        ({"unit": "t" * 17}, "body.unit"),
        ({"unit": "t\x00"}, "body.unit"),
        ({"frequency": "hourly"}, "body.frequency"),
        ({"direction": "both"}, "body.direction"),
        ({"quality_notes": "sale\x00"}, "body.quality_notes"),
        ({"quality_notes": "x" * 5001}, "body.quality_notes"),
        ({"current_route": "r" * 301}, "body.current_route"),
        ({"current_route": "ligne\nbrisée"}, "body.current_route"),
        ({"current_cost_eur_per_year": "1.234"}, "body.current_cost_eur_per_year"),
        ({"basis": "register"}, "body.basis"),
        ({"establishment": "brasserie"}, "body.establishment"),
    ],
)
def test_a_bad_declaration_is_a_422_naming_the_field_and_writes_nothing(api_world, owner, change, field):
    body = {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "out",
        "resource": "wood_clean",
        "quantity": 3,
        "unit": "t",
    } | change
    before = Flow.objects.count()
    response = owner.post("/flows", body)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Flow.objects.count() == before


def test_a_change_from_the_current_version_is_saved_and_audited(api_world, owner):
    flow = api_world.objects["brewery_flow"]
    response = owner.patch(f"/flows/{flow.pk}", {"version": 1, "quantity": "25", "frequency": "month"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["quantity"], body["frequency"], body["quantity_per_year"], body["version"]) == (
        "25",
        "month",
        300.0,
        2,
    )
    stored = Flow.objects.get(pk=flow.pk)
    assert (stored.quantity, stored.frequency, stored.version, stored.unit) == (
        Decimal("25"),
        "month",
        2,
        "t",
    )
    entry = AuditEntry.objects.get(action="flow.updated")
    assert (entry.actor, entry.target, entry.data["version"]) == (api_world.people["owner"], stored, 2)
    assert (entry.data["before"]["quantity"], entry.data["after"]["quantity"]) == ("300", "25")
    assert (entry.data["before"]["frequency"], entry.data["after"]["frequency"]) == ("year", "month")


def test_a_change_from_a_stale_version_is_a_409_and_writes_nothing(api_world, as_persona):
    flow = api_world.objects["brewery_flow"]
    assert (
        as_persona("contact").patch(f"/flows/{flow.pk}", {"version": 1, "quantity": 310}).status_code == 200
    )
    response = as_persona("owner", lang="en").patch(f"/flows/{flow.pk}", {"version": 1, "quantity": 999})
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == ("conflict", "body.version")
    assert body["message"] == (
        "Someone else changed this flow since you opened the form: your changes were not saved. "
        "Its version is now 2."
    )
    stored = Flow.objects.get(pk=flow.pk)
    assert (stored.quantity, stored.version) == (Decimal("310"), 2)
    assert AuditEntry.objects.filter(action="flow.updated").count() == 1
    # Read again, then sent again: saved.
    assert as_persona("owner").patch(f"/flows/{flow.pk}", {"version": 2, "quantity": 999}).status_code == 200
    assert Flow.objects.get(pk=flow.pk).quantity == 999


def test_a_change_needs_the_version_and_refuses_nulls(api_world, owner):
    flow = api_world.objects["brewery_flow"]
    assert owner.patch(f"/flows/{flow.pk}", {"quantity": 1}).json()["field"] == "body.version"
    for name in ("quantity", "unit", "resource", "confidential"):
        response = owner.patch(f"/flows/{flow.pk}", {"version": 1, name: None})
        assert (response.status_code, response.json()["field"]) == (422, f"body.{name}")
    response = owner.patch(f"/flows/{flow.pk}", {"version": 1, "unit": "MWh"})
    assert (response.status_code, response.json()["field"]) == (422, "body.unit")
    stored = Flow.objects.get(pk=flow.pk)
    assert (stored.quantity, stored.unit, stored.version) == (300, "t", 1)
    # The cost may be cleared.
    response = owner.patch(f"/flows/{flow.pk}", {"version": 1, "current_cost_eur_per_year": "80"})
    assert response.json()["current_cost_eur_per_year"] == "80"
    response = owner.patch(f"/flows/{flow.pk}", {"version": 2, "current_cost_eur_per_year": None})
    assert response.json()["current_cost_eur_per_year"] is None


def test_delete_from_the_version_read(api_world, owner):
    flow = api_world.objects["brewery_flow"]
    owner.patch(f"/flows/{flow.pk}", {"version": 1, "quantity": 301})
    stale = owner.delete(f"/flows/{flow.pk}?version=1")
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    assert Flow.objects.filter(pk=flow.pk).exists()
    assert owner.delete(f"/flows/{flow.pk}").json()["field"] == "query.version"
    response = owner.delete(f"/flows/{flow.pk}?version=2")
    assert (response.status_code, response.content) == (204, b"")
    assert not Flow.objects.filter(pk=flow.pk).exists()
    entry = AuditEntry.objects.get(action="flow.deleted")
    assert (entry.actor, entry.data["before"]["quantity"], entry.data["after"]) == (
        api_world.people["owner"],
        "301",
        None,
    )
    assert owner.get(f"/flows/{flow.pk}").status_code == 404


@pytest.mark.parametrize("huge", ["9223372036854775808", "99999999999999999999999999", "-1", "0"])
def test_an_identifier_out_of_range_is_a_404(api_world, owner, huge):
    assert owner.get(f"/flows/{huge}").status_code == 404
    assert owner.patch(f"/flows/{huge}", {"version": 1, "quantity": 1}).status_code == 404
    assert owner.delete(f"/flows/{huge}?version=1").status_code == 404
    assert owner.get("/flows", establishment=huge).status_code == 404
    assert owner.get("/flows", territory=huge).status_code == 404
    assert owner.get("/flows/estimates", establishment=huge).status_code == 404
    body = {
        "establishment": int(huge),
        "direction": "out",
        "resource": "wood_clean",
        "quantity": 1,
        "unit": "t",
    }
    assert owner.post("/flows", body).status_code == 404


def test_a_nul_in_a_filter_is_refused_without_reaching_the_database(api_world, owner):
    response = owner.get("/flows", resource="bio\x00")
    assert (response.status_code, response.json()["field"]) == (422, "query.resource")


def test_estimates_say_their_source(api_world, owner):
    response = owner.get("/flows/estimates", establishment=api_world.objects["brewery"].pk)
    rows = response.json()["results"]
    assert response.json()["count"] == len(rows) > 0
    for row in rows:
        assert row["basis"] == "estimated"
        assert row["source"]
        assert row["quantity_per_year"] > 0
    page = owner.get("/flows/estimates", establishment=api_world.objects["brewery"].pk, limit=2, offset=1)
    assert page.json()["results"] == rows[1:3]


def test_the_openapi_description_lists_the_flow_operations():
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    assert set(schema["paths"]["/api/v1/flows"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/flows/{flow_id}"]) == {"get", "patch", "delete"}
    assert "get" in schema["paths"]["/api/v1/flows/estimates"]
    flow = schema["components"]["schemas"]["FlowOut"]
    assert flow["properties"]["basis"]["enum"] == ["declared", "workshop", "register", "estimated"]
    assert flow["properties"]["quantity"]["type"] == "string"


def test_an_idempotency_key_too_long_is_a_422(api_world, owner):
    body = {
        "establishment": api_world.objects["brewery"].pk,
        "direction": "out",
        "resource": "wood_clean",
        "quantity": 3,
        "unit": "t",
    }
    response = owner.client.post(
        "/api/v1/flows",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_world.tokens['owner']}", "Idempotency-Key": "k" * 65},
    )
    assert (response.status_code, response.json()["field"]) == (422, "header.Idempotency-Key")
    assert not Flow.objects.filter(resource="wood_clean").exists()
