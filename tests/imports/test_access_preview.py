"""Confirming or cancelling a previewed import is the territory team's: another territory's officer, a
company contact, the programme team and a committee member get a 404 and nothing is written; the
operations refuse them too."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.establishments.samples import PAPETERIE, good_sample, sirene_csv, sirene_row
from tremplin.establishments.models import Establishment
from tremplin.establishments.services import import_establishments
from tremplin.imports.models import ImportJob, ImportStatus
from tremplin.imports.services import ImportNotAllowed, cancel_import, confirm_import, start_import

pytestmark = pytest.mark.django_db

URLS = ["establishment_import_confirm", "establishment_import_cancel"]
ACCESS_CHECKED_URLS = set(URLS)
ACCESS_CHECKED_MODELS = set()
OUTSIDERS = ["havre_officer", "changed_contact", "programme", "committee", "stranger"]


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    officer = factories.territory_officer(caux)
    import_establishments(caux, io.BytesIO(good_sample()), kind="sirene", by=officer)
    upload = SimpleUploadedFile(
        "secret.csv", sirene_csv([sirene_row(PAPETERIE, name="Nouveau nom", naf="17.12Z")])
    )
    job = start_import(caux, upload, kind="sirene", by=officer, preview=True)
    assert job.status == ImportStatus.PREVIEWED
    return {
        "caux": caux,
        "job": job,
        "officer": officer,
        "havre_officer": factories.territory_officer(havre),
        "changed_contact": factories.company_contact(Establishment.objects.get(siret=PAPETERIE)),
        "programme": factories.programme_team_member(),
        "committee": factories.committee_member(),
        "stranger": factories.user(),
    }


def _state(world):
    job = ImportJob.objects.get(pk=world["job"].pk)
    return job.status, bool(job.file), Establishment.objects.get(siret=PAPETERIE).name


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("url_name", URLS)
def test_outsiders_get_a_404_and_change_nothing(client, world, outsider, url_name):
    before = _state(world)
    client.force_login(world[outsider])
    url = reverse(url_name, kwargs={"pk": world["job"].pk})
    assert client.post(url, {"take_all": "1"}).status_code == 404
    assert client.get(url).status_code in (404, 405)
    assert _state(world) == before == (ImportStatus.PREVIEWED, True, "Papeterie de la Seine")


def test_the_preview_page_is_not_shown_to_another_territory(client, world):
    client.force_login(world["havre_officer"])
    response = client.get(reverse("establishment_import_job", kwargs={"pk": world["job"].pk}))
    assert response.status_code == 404 and "Nouveau nom" not in response.content.decode()


@pytest.mark.parametrize("operation", [confirm_import, cancel_import])
def test_the_operations_refuse_another_territory_s_officer(world, operation):
    with pytest.raises(ImportNotAllowed):
        operation(world["job"], by=world["havre_officer"])
    assert _state(world) == (ImportStatus.PREVIEWED, True, "Papeterie de la Seine")


def test_another_territory_s_officer_cannot_start_a_preview(world):
    with pytest.raises(ImportNotAllowed):
        start_import(
            world["caux"],
            SimpleUploadedFile("x.csv", good_sample()),
            kind="sirene",
            by=world["havre_officer"],
            preview=True,
        )


def test_a_colleague_of_the_team_confirms(client, world):
    colleague = factories.territory_officer(world["caux"])
    client.force_login(colleague)
    response = client.post(reverse("establishment_import_confirm", kwargs={"pk": world["job"].pk}))
    assert response.status_code == 302
    assert _state(world) == (ImportStatus.DONE, False, "Nouveau nom")


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.post(reverse("establishment_import_confirm", kwargs={"pk": world["job"].pk}))
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    assert _state(world)[0] == ImportStatus.PREVIEWED
