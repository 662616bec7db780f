"""The contact's guided questionnaire and what the officer sees of it."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def brewery():
    return factories.establishment(
        factories.territory(CAUX_SEINE),
        name="Brasserie du Pays de Caux",
        naf_code="11.05Z",
        headcount_band="11",
    )


@pytest.fixture
def contact(brewery, client):
    person = factories.company_contact(brewery, email="brasseur@caux.example")
    client.force_login(person)
    return person


def test_the_outputs_step_suggests_the_sector_estimates(client, brewery, contact):
    html = client.get(
        reverse("questionnaire_outputs", kwargs={"establishment_pk": brewery.pk})
    ).content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html
    assert 'aria-current="step"' in html
    assert "Drêches de brasserie et de distillerie" in html
    assert "840 t par an, estimé" in html  # 60 t per employee x 14 employees


def test_a_contact_declares_an_output_in_the_first_step(client, brewery, contact):
    url = reverse("questionnaire_outputs", kwargs={"establishment_pk": brewery.pk})
    data = {
        "resource": "bio_spent_grain",
        "quantity": "15",
        "unit": "t",
        "frequency": "week",
        "confidential": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url
    flow = Flow.objects.get()
    # 15 t a week x 52 = 780 t
    assert (flow.direction, flow.quantity_per_year, flow.declared_by) == ("out", 780.0, contact)
    html = client.get(url).content.decode()
    assert 'data-resource="bio_spent_grain"' in html
    assert "?suggestion=bio_spent_grain" not in html  # declared: no longer suggested


def test_the_inputs_step_records_a_need(client, brewery, contact):
    url = reverse("questionnaire_inputs", kwargs={"establishment_pk": brewery.pk})
    data = {"resource": "electricity", "quantity": "1500", "unit": "kWh", "frequency": "month"}
    client.post(url, data)
    flow = Flow.objects.get()
    assert (flow.direction, flow.quantity_per_year, flow.confidential) == ("in", 18.0, False)


def test_a_unit_error_in_the_questionnaire_keeps_the_answer(client, brewery, contact):
    url = reverse("questionnaire_outputs", kwargs={"establishment_pk": brewery.pk})
    response = client.post(
        url, {"resource": "heat_medium", "quantity": "12", "unit": "t", "frequency": "year"}
    )
    assert response.status_code == 200
    assert "t de chaleur moyenne température" in response.content.decode()
    assert 'value="12"' in response.content.decode()
    assert not Flow.objects.exists()


def test_sending_tells_the_territory_team(client, brewery, contact, django_capture_on_commit_callbacks):
    officer = factories.territory_officer(brewery.territory, email="officer@caux.example")
    factories.invitation(brewery, email=contact.email, created_by=officer)
    factories.flow(brewery, by=contact, resource="bio_spent_grain", quantity=700, unit="t")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("questionnaire_review", kwargs={"establishment_pk": brewery.pk}))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="questionnaire.submitted")
    assert (entry.actor, entry.data["outputs"], entry.data["inputs"]) == (contact, 1, 0)
    assert mail.outbox[-1].to == ["officer@caux.example"]
    assert "Brasserie du Pays de Caux" in mail.outbox[-1].subject

    client.force_login(officer)
    html = client.get(reverse("establishment_detail", kwargs={"pk": brewery.pk})).content.decode()
    history = html.split('class="list-unstyled flow-history"')[1].split("</ol>")[0]
    assert "A envoyé le questionnaire de Brasserie du Pays de Caux" in history
    assert "brasseur@caux.example" in history
    assert "contact de l'entreprise" in history


def test_the_contact_menu_leads_to_its_questionnaire(client, brewery, contact):
    response = client.get(reverse("questionnaire_mine"))
    assert response.url == reverse("questionnaire_home", kwargs={"establishment_pk": brewery.pk})
    html = client.get("/").content.decode()
    assert "Mon questionnaire" in html
