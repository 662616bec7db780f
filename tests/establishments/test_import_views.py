"""The import page: an upload goes to the import's own page (post/redirect/get), a refused file lists
its first errors and counts the others, an oversized upload is refused before it is read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import good_sample, sirene_csv, sirene_row
from tremplin.imports.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux, client):
    person = factories.territory_officer(caux)
    client.force_login(person)
    return person


def _url(territory):
    return reverse("establishment_import", kwargs={"territory_pk": territory.pk})


def test_an_upload_redirects_to_the_page_of_its_import(client, caux, officer):
    response = client.post(_url(caux), {"kind": "sirene", "file": SimpleUploadedFile("s.csv", good_sample())})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("establishment_import_job", kwargs={"pk": job.pk})
    assert job.created_by == officer and job.filename == "s.csv"
    page = client.get(_url(caux)).content.decode()
    assert 'class="table table-sm recent-imports"' in page
    assert reverse("establishment_import_job", kwargs={"pk": job.pk}) in page


def test_a_refused_file_lists_the_first_errors_and_counts_the_others(client, caux, officer, settings):
    settings.IMPORT_MAX_ERRORS_LISTED = 2
    rows = [sirene_row(f"5001234500{n:04d}") for n in range(10, 15)]  # 5 bad Luhn keys
    response = client.post(
        _url(caux),
        {"kind": "sirene", "file": SimpleUploadedFile("casse.csv", sirene_csv(rows))},
        follow=True,
    )
    html = response.content.decode()
    assert "casse.csv a été refusé : 5 erreurs. Rien n'a été importé." in html
    assert html.count("Luhn") == 2
    assert "Seules les 2 premières erreurs sont listées : 3 autres erreurs ne sont pas affichées." in html


def test_an_upload_declared_larger_than_the_limit_is_refused_before_it_is_read(
    client, caux, officer, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1_000
    response = client.post(
        _url(caux),
        {"kind": "sirene", "file": SimpleUploadedFile("gros.csv", b"x" * 200_000)},
    )
    assert response.status_code == 413
    assert "Le fichier est trop volumineux (1000\xa0octets au plus)" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_over_the_limit_within_the_envelope_is_refused_by_the_form(client, caux, officer, settings):
    assert len(good_sample()) > 300
    settings.IMPORT_MAX_UPLOAD_BYTES = 300
    response = client.post(_url(caux), {"kind": "sirene", "file": SimpleUploadedFile("s.csv", good_sample())})
    assert response.status_code == 200
    assert "Le fichier est trop volumineux" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_page_states_the_limits(client, caux, officer, settings):
    settings.IMPORT_MAX_ROWS = 1234
    html = client.get(_url(caux)).content.decode()
    assert "Fichiers de 200,0\xa0Mio et 1\u202f234 lignes au plus." in html
