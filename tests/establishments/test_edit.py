"""Creating and editing establishments and their contacts from the web, and the detail page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import PAPETERIE, good_sample, sirene_csv, sirene_row
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import DataOrigin, Engagement, Establishment, EstablishmentContact
from tremplin.geo.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux, client):
    person = factories.territory_officer(caux)
    client.force_login(person)
    return person


def _form(**changes):
    data = {
        "siret": "500 123 450 00016",
        "name": "Papeterie de la Seine",
        "naf_code": "1712z",
        "headcount_band": "22",
        "commune": Commune.objects.get(insee_code="76476").pk,
        "address": "",
        "latitude": "",
        "longitude": "",
        "engagement": "identified",
        "met_on": "",
        "notes": "",
        "version": "1",  # the version an edit form shows (a creation form ignores it)
    }
    data.update(changes)
    return data


def test_an_officer_creates_an_establishment_placed_in_its_commune(client, caux, officer):
    response = client.post(reverse("establishment_create", kwargs={"territory_pk": caux.pk}), _form())
    establishment = Establishment.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "establishment_detail", kwargs={"pk": establishment.pk}
    )
    assert (establishment.siret, establishment.naf_code, establishment.origin) == (
        PAPETERIE,
        "17.12Z",
        DataOrigin.MANUAL,
    )
    commune = establishment.commune
    assert (establishment.latitude, establishment.longitude) == (commune.centroid_lat, commune.centroid_lon)
    assert establishment.location_precision == "commune"
    assert AuditEntry.objects.about(establishment).get().action == "establishment.created"


def test_a_form_with_errors_keeps_what_was_typed(client, caux, officer):
    response = client.post(
        reverse("establishment_create", kwargs={"territory_pk": caux.pk}),
        _form(siret="50012345000017", naf_code="99.99Z", latitude="49.5", address="Route du Havre"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "clé de contrôle (Luhn) du SIRET invalide" in html
    assert "Code NAF inconnu (NAF rév. 2 ou NAF 2025)." in html
    assert "Donnez les deux coordonnées, ou aucune." in html
    assert (
        'value="50012345000017"' in html
        and 'value="Route du Havre"' in html
        and 'value="Papeterie de la Seine"' in html
    )
    assert not Establishment.objects.exists()


def test_a_siret_already_in_the_territory_is_refused(client, caux, officer):
    factories.establishment(caux, siret=PAPETERIE)
    response = client.post(reverse("establishment_create", kwargs={"territory_pk": caux.pk}), _form())
    assert "Un autre établissement de ce territoire a déjà ce SIRET." in response.content.decode()


def test_an_edit_records_each_change_in_the_history(client, caux, officer):
    establishment = factories.establishment(caux, siret=PAPETERIE, name="Papeterie")
    response = client.post(
        reverse("establishment_edit", kwargs={"pk": establishment.pk}),
        _form(
            name="Papeterie de la Seine",
            engagement="met",
            met_on="2026-03-12",
            latitude="49.51",
            longitude="0.59",
        ),
    )
    assert response.status_code == 302
    establishment.refresh_from_db()
    assert (establishment.engagement, establishment.met_on) == (Engagement.MET, datetime.date(2026, 3, 12))
    assert (establishment.latitude, establishment.longitude, establishment.location_precision) == (
        49.51,
        0.59,
        "address",
    )
    entry = AuditEntry.objects.about(establishment).get(action="establishment.updated")
    assert set(entry.data["changes"]) >= {"name", "engagement", "met_on", "location"}
    html = client.get(reverse("establishment_detail", kwargs={"pk": establishment.pk})).content.decode()
    history = html[html.index('id="history"') :]
    assert "A modifié l&#x27;établissement Papeterie de la Seine" in history
    assert "engagement : " in history and "→" in history  # each change, before → after


def test_an_edit_without_change_writes_no_history(client, caux, officer):
    establishment = factories.establishment(
        caux,
        siret=PAPETERIE,
        name="Papeterie de la Seine",
        naf_code="17.12Z",
        headcount_band="22",
        commune=Commune.objects.get(insee_code="76476"),
    )
    client.post(
        reverse("establishment_edit", kwargs={"pk": establishment.pk}),
        _form(latitude=str(establishment.latitude), longitude=str(establishment.longitude)),
    )
    assert not AuditEntry.objects.about(establishment).exists()


def test_contacts_are_added_changed_and_removed(client, caux, officer):
    establishment = factories.establishment(caux)
    client.post(
        reverse("establishment_contact_add", kwargs={"pk": establishment.pk}),
        {
            "name": "Claire Martin",
            "job_title": "Responsable HSE",
            "email": "claire@example.org",
            "phone": "",
            "notes": "",
        },
    )
    contact = EstablishmentContact.objects.get()
    assert contact.establishment == establishment
    response = client.post(
        reverse("establishment_contact_edit", kwargs={"pk": contact.pk}),
        {
            "name": "Claire Martin",
            "job_title": "Directrice",
            "email": "pas-une-adresse",
            "phone": "",
            "notes": "",
            "version": "1",
        },
    )
    assert response.status_code == 200 and 'value="Directrice"' in response.content.decode()
    client.post(
        reverse("establishment_contact_edit", kwargs={"pk": contact.pk}),
        {
            "name": "Claire Martin",
            "job_title": "Directrice",
            "email": "",
            "phone": "02 35 00 00 00",
            "notes": "",
            "version": "1",
        },
    )
    contact.refresh_from_db()
    assert (contact.job_title, contact.phone) == ("Directrice", "02 35 00 00 00")
    html = client.get(reverse("establishment_detail", kwargs={"pk": establishment.pk})).content.decode()
    assert "Claire Martin" in html and "Directrice" in html
    client.post(reverse("establishment_contact_delete", kwargs={"pk": contact.pk}), {"version": "2"})
    assert not EstablishmentContact.objects.exists()
    actions = list(AuditEntry.objects.about(establishment).order_by("id").values_list("action", flat=True))
    assert actions == [
        "establishment.contact.added",
        "establishment.contact.updated",
        "establishment.contact.removed",
    ]


def test_the_detail_page_says_where_the_data_comes_from(client, caux, officer):
    demo = factories.establishment(caux, is_demo=True, origin=DataOrigin.DEMO)
    html = client.get(reverse("establishment_detail", kwargs={"pk": demo.pk})).content.decode()
    assert "Données de démonstration générées" in html and 'data-origin="demo"' in html
    assert 'id="establishment-map"' in html and "leaflet/leaflet.js" in html


def test_the_upload_form_imports_and_shows_the_report(client, caux, officer):
    url = reverse("establishment_import", kwargs={"territory_pk": caux.pk})
    response = client.post(
        url, {"kind": "sirene", "file": SimpleUploadedFile("sirene.csv", good_sample())}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 établissements créés" in html
    assert "2 lignes ignorées (1 fermés, 1 hors du territoire)" in html
    sirene = Establishment.objects.get(siret=PAPETERIE)
    html = client.get(reverse("establishment_detail", kwargs={"pk": sirene.pk})).content.decode()
    assert "Données du répertoire SIRENE (Insee), importées le" in html


def test_a_broken_upload_lists_every_bad_row_and_imports_nothing(client, caux, officer):
    url = reverse("establishment_import", kwargs={"territory_pk": caux.pk})
    data = sirene_csv(
        [sirene_row(PAPETERIE, naf="17.12Z"), sirene_row("50012345000017"), sirene_row(PAPETERIE, band="99")]
    )
    response = client.post(
        url, {"kind": "sirene", "file": SimpleUploadedFile("casse.csv", data)}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "casse.csv a été refusé : 2 erreurs. Rien n'a été importé." in html
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert not Establishment.objects.exists()
