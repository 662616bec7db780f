"""The personal-data page of a territory: its team only; what it shows, exports and erases."""

import json

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import EstablishmentContact

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {"territory_personal_data"}
ACCESS_CHECKED_MODELS = set()


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def contact(caux):
    site = factories.establishment(caux, name="Papeterie")
    return factories.establishment_contact(site, name="Claire Martin", email="claire@papeterie.example")


def _url(territory):
    return reverse("territory_personal_data", kwargs={"territory_pk": territory.pk})


@pytest.mark.parametrize(
    "persona,status",
    [("outsider", 404), ("company_contact", 403), ("programme_team", 403), ("committee", 404)],
)
def test_only_the_territory_team_reaches_the_page(client, caux, contact, persona, status):
    person = {
        "outsider": lambda: factories.territory_officer(factories.territory(LE_HAVRE)),
        "company_contact": lambda: factories.company_contact(contact.establishment),
        "programme_team": factories.programme_team_member,
        "committee": factories.committee_member,
    }[persona]()
    client.force_login(person)
    url = _url(caux)
    assert client.get(url, {"email": contact.email}).status_code == status
    data = {"email": contact.email, "action": "erase", "confirm": "on"}
    assert client.post(url, data).status_code == status
    assert EstablishmentContact.objects.filter(pk=contact.pk).exists()
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_team_finds_downloads_and_erases_a_contacts_data(client, caux, contact):
    officer = factories.territory_officer(caux)
    client.force_login(officer)
    url = _url(caux)
    html = client.get(url, {"contact": contact.pk}).content.decode()
    assert 'data-holder="establishment_contacts">Contacts des établissements : 1' in html
    # reading what is held writes nothing (but the sign-in's own entry)
    assert not AuditEntry.objects.exclude(action__startswith="account.login").exists()

    response = client.post(url, {"email": contact.email, "contact": contact.pk, "action": "export"})
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment;" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["records"]["establishment_contacts"]["items"][0]["name"] == "Claire Martin"

    refused = client.post(url, {"email": contact.email, "action": "erase"})  # the box is not ticked
    assert refused.status_code == 400 and EstablishmentContact.objects.filter(pk=contact.pk).exists()
    assert "Cochez la case" in refused.content.decode()

    done = client.post(url, {"email": contact.email, "action": "erase", "confirm": "on"})
    assert done.status_code == 302
    assert not EstablishmentContact.objects.filter(pk=contact.pk).exists()
    assert AuditEntry.objects.filter(action="privacy.erased", actor=officer, territory=caux).count() == 1
    html = client.get(url, {"email": contact.email}).content.decode()
    assert 'data-findings="empty"' in html


def test_a_contact_of_another_territory_cannot_be_picked(client, caux, contact):
    havre = factories.territory(LE_HAVRE)
    client.force_login(factories.territory_officer(havre))
    response = client.post(_url(havre), {"contact": contact.pk, "action": "erase", "confirm": "on"})
    assert response.status_code == 400
    assert EstablishmentContact.objects.filter(pk=contact.pk).exists()
