"""An import's page, its progress and what it replaced are the territory team's only: another territory's
officer, a company contact (even of an establishment the import changed), the programme team and a
committee member get a 404, and nothing is written."""

import io

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.establishments.samples import PAPETERIE, good_sample, sirene_csv, sirene_row
from tremplin.establishments.models import Establishment
from tremplin.establishments.services import import_establishments
from tremplin.imports.models import ImportChange, ImportJob

pytestmark = pytest.mark.django_db

URLS = ["establishment_import_job", "establishment_import_job_progress"]
ACCESS_CHECKED_URLS = set(URLS)
ACCESS_CHECKED_MODELS = {ImportJob, ImportChange}
OUTSIDERS = ["havre_officer", "changed_contact", "programme", "committee", "stranger"]


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    officer = factories.territory_officer(caux)
    import_establishments(caux, io.BytesIO(good_sample()), kind="sirene", by=officer)
    report = import_establishments(
        caux,
        io.BytesIO(sirene_csv([sirene_row(PAPETERIE, name="Nouveau nom", naf="17.12Z")])),
        kind="sirene",
        by=officer,
        filename="secret.csv",
    )
    return {
        "caux": caux,
        "job": ImportJob.objects.get(pk=report.job_id),
        "officer": officer,
        "colleague": factories.territory_elected_official(caux),
        "havre_officer": factories.territory_officer(havre),
        "changed_contact": factories.company_contact(Establishment.objects.get(siret=PAPETERIE)),
        "programme": factories.programme_team_member(),
        "committee": factories.committee_member(),
        "stranger": factories.user(),
    }


def _state():
    return sorted(ImportJob.objects.values_list("pk", "status")), ImportChange.objects.count()


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("url_name", URLS)
def test_outsiders_get_a_404_and_change_nothing(client, world, outsider, url_name):
    before = _state()
    client.force_login(world[outsider])
    url = reverse(url_name, kwargs={"pk": world["job"].pk})
    response = client.get(url)
    assert response.status_code == 404
    assert "secret.csv" not in response.content.decode()
    assert client.post(url).status_code in (404, 405)
    assert _state() == before


@pytest.mark.parametrize("person", ["officer", "colleague"])
@pytest.mark.parametrize("url_name", URLS)
def test_the_territory_team_reads_the_import(client, world, person, url_name):
    client.force_login(world[person])
    response = client.get(reverse(url_name, kwargs={"pk": world["job"].pk}))
    assert response.status_code == 200
    assert "Nouveau nom" in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(reverse("establishment_import_job", kwargs={"pk": world["job"].pk}))
    assert response.status_code == 302 and "/comptes/" in response["Location"]


def test_jobs_and_changes_are_visible_to_the_team_only(world):
    for model in (ImportJob, ImportChange):
        assert model.objects.visible_to(world["officer"]).exists(), model.__name__
        for outsider in OUTSIDERS:
            assert not model.objects.visible_to(world[outsider]).exists(), (model.__name__, outsider)
