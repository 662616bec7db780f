"""Two people editing the same flow from forms shown at different times, and forms posted twice."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Flow
from tremplin.flows.services import FlowConflict, declare_flow, delete_flow, update_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Chaufferie Nord", naf_code="35.30Z")


@pytest.fixture
def officer(site):
    return factories.territory_officer(site.territory, first_name="Alice", last_name="Martin")


@pytest.fixture
def colleague(site):
    return factories.territory_officer(site.territory, first_name="Bruno", last_name="Petit")


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _edit_data(html: str, **values) -> dict:
    data = {"direction": "out", "resource": "steam", "unit": "MWh", "frequency": "year", "confidential": "on"}
    return data | {"version": _hidden(html, "version")} | values


def test_an_edit_made_from_an_older_version_is_refused_by_the_operation(site, officer, colleague):
    flow = factories.flow(site, resource="steam", quantity=100, unit="MWh")
    update_flow(flow, by=colleague, expected_version=1, quantity=150)
    with pytest.raises(FlowConflict) as raised:
        update_flow(flow, by=officer, expected_version=1, quantity=120)
    assert raised.value.current.quantity == 150 and raised.value.current.version == 2
    flow.refresh_from_db()
    assert (flow.quantity, flow.version, flow.declared_by) == (150, 2, colleague)
    assert AuditEntry.objects.filter(action="flow.updated").count() == 1


def test_a_stale_edit_asking_for_what_is_recorded_now_loses_nothing_and_passes(site, officer, colleague):
    flow = factories.flow(site, resource="steam", quantity=100, unit="MWh")
    update_flow(flow, by=colleague, expected_version=1, quantity=150)
    assert update_flow(flow, by=officer, expected_version=1, quantity=150).version == 2


def test_the_second_officer_sees_the_conflict_with_both_values_and_keeps_what_she_typed(
    client, site, officer, colleague
):
    flow = factories.flow(site, resource="steam", quantity=100, unit="MWh", current_route="Réseau urbain")
    url = reverse("flow_update", kwargs={"pk": flow.pk})
    client.force_login(officer)
    alice_page = client.get(url).content.decode()
    client.force_login(colleague)
    bruno_page = client.get(url).content.decode()
    assert (
        client.post(url, _edit_data(bruno_page, quantity="150", current_route="Réseau urbain")).status_code
        == 302
    )

    client.force_login(officer)
    response = client.post(url, _edit_data(alice_page, quantity="120", current_route="Chaufferie voisine"))
    assert response.status_code == 409
    flow.refresh_from_db()
    assert (flow.quantity, flow.current_route) == (150, "Réseau urbain")  # Bruno's change is not lost
    html = response.content.decode()
    assert "Quelqu’un d’autre a modifié cet enregistrement pendant que vous le modifiiez" in html
    assert "Bruno Petit" in html
    quantity_row = re.search(r'<tr data-conflict-field="quantity">(.*?)</tr>', html, re.S).group(1)
    assert (
        '<td data-value="saved">150</td>' in quantity_row
        and '<td data-value="typed">120</td>' in quantity_row
    )
    route_row = re.search(r'<tr data-conflict-field="current_route">(.*?)</tr>', html, re.S).group(1)
    assert "Réseau urbain" in route_row and "Chaufferie voisine" in route_row
    assert 'data-conflict-field="unit"' not in html  # the same on both sides
    # What Alice typed stays in the form, which now carries the current version.
    assert 'value="120"' in html and 'value="Chaufferie voisine"' in html
    assert _hidden(html, "version") == "2"

    # Saving again is a deliberate choice to replace Bruno's values.
    again = client.post(url, _edit_data(html, quantity="120", current_route="Chaufferie voisine"))
    assert again.status_code == 302
    flow.refresh_from_db()
    assert (flow.quantity, flow.version, flow.declared_by) == (120, 3, officer)


def test_an_edit_that_does_not_say_its_version_is_refused(client, site, officer):
    flow = factories.flow(site, resource="steam", quantity=100, unit="MWh")
    client.force_login(officer)
    data = {"direction": "out", "resource": "steam", "quantity": "5", "unit": "MWh", "frequency": "year"}
    response = client.post(reverse("flow_update", kwargs={"pk": flow.pk}), data)
    assert response.status_code == 200
    flow.refresh_from_db()
    assert flow.quantity == 100


def test_a_flow_changed_since_the_deletion_page_opened_is_not_deleted(client, site, officer, colleague):
    flow = factories.flow(site, resource="steam", quantity=100, unit="MWh")
    url = reverse("flow_delete", kwargs={"pk": flow.pk})
    client.force_login(officer)
    version = _hidden(client.get(url).content.decode(), "version")
    update_flow(flow, by=colleague, expected_version=1, quantity=150)
    response = client.post(url, {"version": version})
    assert response.status_code == 409 and Flow.objects.filter(pk=flow.pk).exists()
    html = response.content.decode()
    assert 'id="edit-conflict"' in html and "150" in html
    assert client.post(url, {"version": _hidden(html, "version")}).status_code == 302
    assert not Flow.objects.filter(pk=flow.pk).exists()
    with pytest.raises(Flow.DoesNotExist):
        delete_flow(flow, by=officer, expected_version=3)


# --- Double submits --------------------------------------------------------------------------------


def test_a_declaration_sent_twice_with_the_same_key_records_one_flow(site, officer):
    values = {"direction": "out", "resource": "steam", "quantity": 10, "unit": "MWh"}
    first = declare_flow(site, by=officer, submission_key="key-1", **values)
    second = declare_flow(site, by=officer, submission_key="key-1", **values)
    assert first.pk == second.pk and Flow.objects.count() == 1
    assert AuditEntry.objects.filter(action="flow.created").count() == 1
    declare_flow(site, by=officer, submission_key="key-2", **values)
    assert Flow.objects.count() == 2


def test_someone_else_sending_the_same_key_does_not_reach_the_first_flow(site, officer, colleague):
    values = {"direction": "out", "resource": "steam", "quantity": 10, "unit": "MWh"}
    first = declare_flow(site, by=officer, submission_key="same-key", **values)
    other = declare_flow(site, by=colleague, submission_key="same-key", **values)
    assert other.pk != first.pk


def test_the_declaration_form_posted_twice_records_one_flow(client, site, officer):
    client.force_login(officer)
    url = reverse("flow_create", kwargs={"establishment_pk": site.pk})
    page = client.get(url + "?direction=out").content.decode()
    data = {
        "direction": "out",
        "resource": "steam",
        "quantity": "1200",
        "unit": "MWh",
        "frequency": "year",
        "submission_key": _hidden(page, "submission_key"),
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)  # the double click, or the back button
    assert Flow.objects.count() == 1
    assert "Ce formulaire avait déjà été envoyé : le flux Vapeur n’a été enregistré qu’une fois" in (
        again.content.decode()
    )
    # A new form is a new declaration.
    data["submission_key"] = _hidden(client.get(url).content.decode(), "submission_key")
    assert client.post(url, data).status_code == 302
    assert Flow.objects.count() == 2


def test_the_questionnaire_step_posted_twice_records_one_flow(client, site):
    contact = factories.company_contact(site)
    client.force_login(contact)
    url = reverse("questionnaire_outputs", kwargs={"establishment_pk": site.pk})
    page = client.get(url).content.decode()
    data = {
        "direction": "out",
        "resource": "steam",
        "quantity": "30",
        "unit": "MWh",
        "frequency": "year",
        "submission_key": _hidden(page, "submission_key"),
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Flow.objects.filter(establishment=site).count() == 1


def test_replaying_a_declaration_whose_flow_was_deleted_says_so(client, site, officer):
    client.force_login(officer)
    url = reverse("flow_create", kwargs={"establishment_pk": site.pk})
    key = _hidden(client.get(url).content.decode(), "submission_key")
    data = {"direction": "out", "resource": "steam", "quantity": "5", "unit": "MWh", "frequency": "year"}
    client.post(url, data | {"submission_key": key})
    Flow.objects.get().delete()
    response = client.post(url, data | {"submission_key": key})
    assert response.status_code == 200 and not Flow.objects.exists()
    assert "Ce formulaire a déjà été envoyé" in response.content.decode()


def test_a_conflict_names_a_changed_resource_by_its_label(site):
    from tremplin.www.conflicts import conflict_rows
    from tremplin.www.flows.forms import FlowForm

    data = {"direction": "out", "resource": "steam", "quantity": "5", "unit": "MWh", "frequency": "year"}
    form = FlowForm(data | {"version": "1"}, version=1)
    assert form.is_valid()
    rows = conflict_rows(form, {"resource": "wood_clean", "quantity": 5, "unit": "MWh"})
    assert [(row.field, row.saved, row.typed) for row in rows] == [
        ("resource", "Bois brut non traité (classe A : chutes, caisses) (t)", "Vapeur (MWh)")
    ]


def test_the_flow_operations_check_their_actor(site, officer):
    from tests.conftest import LE_HAVRE
    from tremplin.flows.services import FlowError

    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    values = {"direction": "out", "resource": "steam", "quantity": 10, "unit": "MWh"}
    with pytest.raises(FlowError):
        declare_flow(site, by=outsider, **values)
    flow = declare_flow(site, by=factories.company_contact(site), **values)  # its own establishment
    with pytest.raises(FlowError):
        update_flow(flow, by=outsider, quantity=1)
    with pytest.raises(FlowError):
        delete_flow(flow, by=outsider)
    assert Flow.objects.get().quantity == 10
