"""An import records what it overwrote: for each establishment already recorded that the file changes,
the previous value of every field it changed, shown to the territory team on the import's page."""

import io

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import LAITERIE, PAPETERIE, good_sample, sirene_csv, sirene_row
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import DataOrigin, Establishment
from tremplin.establishments.services import import_establishments, update_establishment
from tremplin.geo.models import Commune
from tremplin.imports.models import ImportChange, ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


def _import(territory, data, by=None):
    return import_establishments(territory, io.BytesIO(data), kind="sirene", by=by, filename="sirene.csv")


def test_a_reimport_keeps_the_previous_value_of_each_field_it_changed(caux, officer):
    _import(caux, good_sample(), by=officer)
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    update_establishment(papeterie, by=officer, address="12 quai de Seine")
    before = Establishment.objects.get(siret=PAPETERIE)
    renamed = sirene_csv(
        [
            sirene_row(
                PAPETERIE, name="Papeterie de Port-Jérôme", naf="17.12Z", band="31", x="526145", y="6936618"
            ),
            sirene_row(
                LAITERIE,
                sign="Laiterie de Lillebonne",
                naf="10.51A",
                band="12",
                commune="76384",
                x="521194",
                y="6936738",
            ),  # unchanged
        ]
    )
    report = _import(caux, renamed, by=officer)
    assert (report.updated, report.changed) == (2, 1)

    job = ImportJob.objects.get(pk=report.job_id)
    change = ImportChange.objects.get(job=job)
    assert (change.establishment, change.siret, change.name) == (
        papeterie,
        PAPETERIE,
        "Papeterie de Port-Jérôme",
    )
    # Only what changed; the address typed by the team is kept (the file has none) so it is not listed.
    assert change.previous == {"name": "Papeterie de la Seine", "headcount_band": "22"}
    assert change.current == {"name": "Papeterie de Port-Jérôme", "headcount_band": "31"}
    after = Establishment.objects.get(siret=PAPETERIE)
    assert (after.address, after.latitude, after.longitude) == (
        "12 quai de Seine",
        before.latitude,
        before.longitude,
    )
    entry = AuditEntry.objects.get(action="establishments.imported", data__changed=1)
    assert (entry.target, entry.data["updated"]) == (job, 2)


def test_a_change_of_commune_location_and_origin_keeps_the_previous_ones(caux):
    hand_made = factories.establishment(
        caux,
        siret=PAPETERIE,
        name="Papeterie",
        naf_code="17.12Z",
        headcount_band="22",
        commune=Commune.objects.get(insee_code="76114"),
        latitude=49.57,
        longitude=0.47,
        location_precision="address",
        origin=DataOrigin.MANUAL,
    )
    _import(caux, sirene_csv([sirene_row(PAPETERIE, name="Papeterie", naf="17.12Z", band="22")]))
    change = ImportChange.objects.get()
    commune = Commune.objects.get(insee_code="76476")
    assert change.establishment == hand_made
    assert change.previous == {
        "commune": "76114",
        "location": [49.57, 0.47, "address"],
        "origin": "manual",
    }
    assert change.current == {
        "commune": "76476",
        "location": [commune.centroid_lat, commune.centroid_lon, "commune"],
        "origin": "sirene",
    }


def test_new_establishments_and_identical_rows_record_no_change(caux):
    _import(caux, good_sample())
    _import(caux, good_sample())
    assert not ImportChange.objects.exists()
    assert list(ImportJob.objects.values_list("created", "updated", "changed")) == [(0, 3, 0), (3, 0, 0)]


def test_a_refused_file_records_neither_job_nor_change(caux):
    _import(caux, good_sample())
    from tremplin.establishments.services import ImportRejected

    with pytest.raises(ImportRejected):
        _import(caux, sirene_csv([sirene_row(PAPETERIE, name="Autre", naf="99.99Z")]))
    assert ImportJob.objects.count() == 1 and not ImportChange.objects.exists()


def test_the_import_page_shows_what_was_replaced(client, caux, officer):
    _import(caux, good_sample(), by=officer)
    report = _import(
        caux,
        sirene_csv([sirene_row(PAPETERIE, name="Papeterie <b>neuve</b>", naf="17.12Z", band="31")]),
        by=officer,
    )
    client.force_login(officer)
    html = client.get(reverse("establishment_import_job", kwargs={"pk": report.job_id})).content.decode()
    assert "Ce que cet import a remplacé" in html
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    assert f'href="/etablissements/{papeterie.pk}/"' in html
    assert "Papeterie &lt;b&gt;neuve&lt;/b&gt;" in html and "<b>neuve</b>" not in html
    assert '<td data-value="previous">Papeterie de la Seine</td>' in html
    assert '<td data-value="previous">22</td><td data-value="current">31</td>' in html
