"""Two officers editing the same establishment or contact from forms shown at different times, an import
landing while a form is open, and create forms posted twice."""

import io
import re

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import PAPETERIE, sirene_csv, sirene_row
from tremplin.establishments.models import Establishment, EstablishmentContact
from tremplin.establishments.services import (
    EditConflict,
    add_contact,
    import_establishments,
    update_contact,
    update_establishment,
)
from tremplin.geo.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux, first_name="Alice", last_name="Martin")


@pytest.fixture
def colleague(caux):
    return factories.territory_officer(caux, first_name="Bruno", last_name="Petit")


@pytest.fixture
def papeterie(caux):
    return factories.establishment(
        caux,
        siret=PAPETERIE,
        name="Papeterie de la Seine",
        naf_code="17.12Z",
        headcount_band="22",
        commune=Commune.objects.get(insee_code="76476"),
    )


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _form(establishment, page: str, **changes) -> dict:
    data = {
        "siret": establishment.siret,
        "name": establishment.name,
        "naf_code": establishment.naf_code,
        "headcount_band": establishment.headcount_band,
        "commune": establishment.commune_id,
        "address": "",
        "latitude": "",
        "longitude": "",
        "engagement": "identified",
        "met_on": "",
        "notes": "",
        "version": _hidden(page, "version"),
    }
    return data | changes


def test_an_establishment_edit_from_an_older_version_is_refused(papeterie, officer, colleague):
    update_establishment(papeterie, by=colleague, expected_version=1, engagement="met")
    with pytest.raises(EditConflict) as raised:
        update_establishment(papeterie, by=officer, expected_version=1, notes="Appelé le 3 mars")
    assert raised.value.current.engagement == "met"
    papeterie.refresh_from_db()
    assert (papeterie.engagement, papeterie.notes, papeterie.version) == ("met", "", 2)


def test_the_second_officer_sees_the_other_values_and_keeps_hers(client, papeterie, officer, colleague):
    url = reverse("establishment_edit", kwargs={"pk": papeterie.pk})
    client.force_login(officer)
    alice_page = client.get(url).content.decode()
    client.force_login(colleague)
    bruno_page = client.get(url).content.decode()
    response = client.post(url, _form(papeterie, bruno_page, engagement="met", notes="Rencontré au salon"))
    assert response.status_code == 302

    client.force_login(officer)
    response = client.post(url, _form(papeterie, alice_page, engagement="contacted", notes="Appel à refaire"))
    assert response.status_code == 409
    papeterie.refresh_from_db()
    assert (papeterie.engagement, papeterie.notes) == ("met", "Rencontré au salon")
    html = response.content.decode()
    assert "Bruno Petit" in html
    notes = re.search(r'<tr data-conflict-field="notes">(.*?)</tr>', html, re.S).group(1)
    assert "Rencontré au salon" in notes and "Appel à refaire" in notes
    assert 'data-conflict-field="engagement"' in html and 'data-conflict-field="name"' not in html
    assert "Appel à refaire</textarea>" in html  # what Alice typed is kept
    assert _hidden(html, "version") == "2"
    assert (
        client.post(url, _form(papeterie, html, engagement="contacted", notes="Appel à refaire")).status_code
        == 302
    )
    papeterie.refresh_from_db()
    assert (papeterie.engagement, papeterie.version) == ("contacted", 3)


def test_an_import_landing_while_a_form_is_open_is_not_overwritten_silently(client, caux, papeterie, officer):
    url = reverse("establishment_edit", kwargs={"pk": papeterie.pk})
    client.force_login(officer)
    page = client.get(url).content.decode()
    row = sirene_row(PAPETERIE, name="Papeteries Réunies", naf="17.12Z", band="22")
    import_establishments(caux, io.BytesIO(sirene_csv([row])), kind="sirene", by=officer)
    papeterie.refresh_from_db()
    assert papeterie.name == "Papeteries Réunies" and papeterie.version == 2
    response = client.post(url, _form(papeterie, page, name="Papeterie de la Seine", notes="Visite prévue"))
    assert response.status_code == 409
    papeterie.refresh_from_db()
    assert papeterie.name == "Papeteries Réunies"


def test_a_contact_edit_from_an_older_version_is_refused_and_shown(client, papeterie, officer, colleague):
    contact = factories.establishment_contact(papeterie, name="Claire Martin", job_title="Responsable HSE")
    url = reverse("establishment_contact_edit", kwargs={"pk": contact.pk})
    client.force_login(officer)
    page = client.get(url).content.decode()
    update_contact(contact, by=colleague, expected_version=1, phone="02 35 00 00 00")
    data = {
        "name": "Claire Martin",
        "job_title": "Directrice",
        "email": "hse@example.org",
        "phone": "",
        "notes": "",
        "version": _hidden(page, "version"),
    }
    response = client.post(url, data)
    assert response.status_code == 409
    contact.refresh_from_db()
    assert (contact.job_title, contact.phone) == ("Responsable HSE", "02 35 00 00 00")
    html = response.content.decode()
    phone = re.search(r'<tr data-conflict-field="phone">(.*?)</tr>', html, re.S).group(1)
    assert "02 35 00 00 00" in phone
    with pytest.raises(EditConflict):
        update_contact(contact, by=officer, expected_version=1, job_title="Directrice")


def test_a_contact_removal_confirmed_on_an_older_version_is_asked_again(
    client, papeterie, officer, colleague
):
    contact = add_contact(papeterie, by=officer, name="Claire Martin", job_title="Responsable HSE")
    client.force_login(officer)
    page = client.get(reverse("establishment_contact_delete", kwargs={"pk": contact.pk})).content.decode()
    version = _hidden(page, "version")
    assert version == "1"
    # Meanwhile a colleague records that the contact is now the plant's director.
    update_contact(contact, by=colleague, expected_version=1, name="Claire Martin", job_title="Directrice")
    response = client.post(
        reverse("establishment_contact_delete", kwargs={"pk": contact.pk}), {"version": version}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="edit-conflict"' in html and "Directrice" in html and _hidden(html, "version") == "2"
    assert EstablishmentContact.objects.filter(pk=contact.pk).exists()
    # A post without any version (a forged or an old form) is refused the same way.
    response = client.post(reverse("establishment_contact_delete", kwargs={"pk": contact.pk}))
    assert response.status_code == 409 and EstablishmentContact.objects.filter(pk=contact.pk).exists()
    # Confirmed again on what is shown now, it goes.
    client.post(reverse("establishment_contact_delete", kwargs={"pk": contact.pk}), {"version": "2"})
    assert not EstablishmentContact.objects.filter(pk=contact.pk).exists()


def test_the_removal_operation_refuses_an_older_version(papeterie, officer, colleague):
    from tremplin.establishments.services import remove_contact

    contact = add_contact(papeterie, by=officer, name="Claire Martin")
    update_contact(contact, by=colleague, expected_version=1, name="Claire Martin", phone="02 35 00 00 01")
    with pytest.raises(EditConflict):
        remove_contact(contact, by=officer, expected_version=1)
    assert EstablishmentContact.objects.filter(pk=contact.pk).exists()


def test_the_establishment_form_posted_twice_creates_one_establishment(client, caux, officer):
    client.force_login(officer)
    url = reverse("establishment_create", kwargs={"territory_pk": caux.pk})
    page = client.get(url).content.decode()
    data = {
        "siret": PAPETERIE,
        "name": "Papeterie de la Seine",
        "naf_code": "17.12Z",
        "headcount_band": "22",
        "commune": Commune.objects.get(insee_code="76476").pk,
        "engagement": "identified",
        "submission_key": _hidden(page, "submission_key"),
    }
    first = client.post(url, data)
    second = client.post(url, data)
    establishment = Establishment.objects.get()
    # Both answers lead to the establishment: the second is not a "SIRET already used" error.
    assert first.url == second.url == reverse("establishment_detail", kwargs={"pk": establishment.pk})


def test_the_contact_form_posted_twice_adds_one_contact(client, papeterie, officer):
    client.force_login(officer)
    url = reverse("establishment_contact_add", kwargs={"pk": papeterie.pk})
    key = _hidden(client.get(url).content.decode(), "submission_key")
    data = {
        "name": "Claire Martin",
        "job_title": "",
        "email": "",
        "phone": "",
        "notes": "",
        "submission_key": key,
    }
    client.post(url, data)
    client.post(url, data)
    assert EstablishmentContact.objects.count() == 1
    add_contact(papeterie, by=officer, submission_key="other", name="Claire Martin")
    assert EstablishmentContact.objects.count() == 2


def test_the_establishment_operations_check_their_actor(caux, papeterie):
    from tests.conftest import LE_HAVRE
    from tremplin.establishments.services import EstablishmentError, create_establishment, remove_contact

    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    contact_person = factories.company_contact(papeterie)
    contact = factories.establishment_contact(papeterie)
    for by in (outsider, contact_person):
        with pytest.raises(EstablishmentError):
            update_establishment(papeterie, by=by, notes="x")
        with pytest.raises(EstablishmentError):
            add_contact(papeterie, by=by, name="Intrus")
        with pytest.raises(EstablishmentError):
            update_contact(contact, by=by, name="Intrus")
        with pytest.raises(EstablishmentError):
            remove_contact(contact, by=by)
        with pytest.raises(EstablishmentError):
            create_establishment(caux, by=by, siret=factories.siret(), name="Intrus", naf_code="10.71C")
    papeterie.refresh_from_db()
    assert papeterie.notes == "" and EstablishmentContact.objects.count() == 1
