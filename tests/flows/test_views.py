"""The flow pages of the territory team."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Chaufferie Nord", naf_code="35.30Z")


@pytest.fixture
def officer(site, client):
    person = factories.territory_officer(site.territory)
    client.force_login(person)
    return person


def post_flow(client, site, **values):
    data = {
        "direction": "out",
        "resource": "steam",
        "quantity": "1200",
        "unit": "MWh",
        "frequency": "year",
        "current_route": "",
        "current_cost_eur_per_year": "",
        "quality_notes": "",
        "confidential": "on",
    } | values
    return client.post(reverse("flow_create", kwargs={"establishment_pk": site.pk}), data)


def test_an_officer_declares_a_flow(client, site, officer):
    response = post_flow(client, site, quantity="1,5", unit="GWh", current_cost_eur_per_year="-4 000")
    assert response.status_code == 302
    flow = Flow.objects.get()
    # 1.5 GWh = 1 500 MWh, French decimal comma accepted
    assert flow.quantity_per_year == pytest.approx(1500.0)
    assert str(flow.current_cost_eur_per_year) == "-4000.00"
    assert flow.declared_by == officer
    assert AuditEntry.objects.filter(action="flow.created", actor=officer).count() == 1


def test_a_conversion_error_names_the_field_and_keeps_what_was_typed(client, site, officer):
    response = post_flow(client, site, unit="m3", current_route="Réseau de chaleur urbain")
    assert response.status_code == 200
    html = response.content.decode()
    assert not Flow.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == ["unit"]
    assert "m3 de vapeur : unité incompatible" in form.errors["unit"][0]
    assert 'value="1200"' in html and 'value="m3"' in html and 'value="Réseau de chaleur urbain"' in html
    assert '<option value="steam" selected>' in html


def test_an_officer_edits_and_deletes_a_flow(client, site, officer):
    flow = factories.flow(site, resource="steam", quantity=100, unit="MWh")
    url = reverse("flow_update", kwargs={"pk": flow.pk})
    assert client.get(url).status_code == 200
    data = {"direction": "out", "resource": "steam", "quantity": "200", "unit": "MWh", "frequency": "month"}
    assert client.post(url, data | {"version": "1"}).status_code == 302
    flow.refresh_from_db()
    assert flow.quantity_per_year == pytest.approx(2400.0)  # 200 MWh x 12
    assert flow.confidential is False  # the box was left unticked
    assert flow.version == 2
    delete = reverse("flow_delete", kwargs={"pk": flow.pk})
    assert client.post(delete, {"version": "2"}).status_code == 302
    assert not Flow.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="flow.").values_list("action", flat=True)) == [
        "flow.deleted",
        "flow.updated",
        "flow.created",
    ]


def test_the_next_address_must_stay_on_the_site(client, site, officer):
    flow = factories.flow(site)
    response = client.post(
        reverse("flow_delete", kwargs={"pk": flow.pk}) + "?next=https://evil.example/", {"version": "1"}
    )
    assert response.url == reverse("establishment_detail", kwargs={"pk": site.pk})


def test_the_territory_flows_tab_lists_known_flows(client, site, officer):
    factories.flow(site, resource="steam", quantity=10, unit="MWh")
    response = client.get(reverse("territory_flows", kwargs={"territory_pk": site.territory.pk}))
    html = response.content.decode()
    assert "Chaufferie Nord" in html and "Vapeur" in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert 'aria-current="page">Flux</a>' in html


def test_the_establishment_page_tells_the_officer_what_changed_and_when(client, site, officer):
    contact = factories.company_contact(site, email="hse@chaufferie.example")
    flow = factories.flow(site, by=contact, resource="steam", quantity=100, unit="MWh")
    from tremplin.flows.services import update_flow

    update_flow(flow, by=contact, quantity=150)
    html = client.get(reverse("establishment_detail", kwargs={"pk": site.pk})).content.decode()
    history = html.split('class="list-unstyled flow-history"')[1].split("</ol>")[0]
    assert history.count("hse@chaufferie.example") == 2
    assert "A modifié un flux de Chaufferie Nord : Vapeur" in history and "quantité : 100 → 150" in history
    assert "flow." not in history.replace('data-action="flow.', "")  # never a raw code
