"""The applicants' SIRENE extract is the programme team's: its upload and its progress answer 403 to
every other role (the committee of the call included) and send visitors to the login page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.establishments.models import DataOrigin, Establishment
from tremplin.imports.models import RegisterExtract

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {"programme_extract_upload", "programme_extract_progress"}

CSV = (
    b"siret;etatAdministratifEtablissement;codeCommuneEtablissement;activitePrincipaleEtablissement;"
    b"trancheEffectifsEtablissement\n50012345000016;A;76476;17.12Z;22\n"
)


@pytest.fixture
def world():
    caux = factories.territory(CAUX_SEINE)
    call = factories.call()
    factories.submitted_application(call, CAUX_SEINE)
    programme = factories.programme_team_member()
    extract = RegisterExtract.objects.create(call=call, filename="stock.csv", created_by=programme)
    return {
        "call": call,
        "extract": extract,
        "member": factories.seated_committee_member(call),
        "officer": factories.territory_officer(caux),
        "contact": factories.company_contact(factories.establishment(caux)),
        "stranger": factories.user(),
    }


def _urls(world):
    return [
        reverse("programme_extract_upload", kwargs={"pk": world["call"].pk}),
        reverse("programme_extract_progress", kwargs={"pk": world["extract"].pk}),
    ]


@pytest.mark.parametrize("persona", ["member", "officer", "contact", "stranger"])
def test_the_extract_pages_refuse_every_other_role(client, world, persona):
    client.force_login(world[persona])
    for url in _urls(world):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"file": SimpleUploadedFile("s.csv", CSV)}).status_code == 403, url
    assert RegisterExtract.objects.count() == 1
    assert not Establishment.objects.filter(origin=DataOrigin.SIRENE).exists()


def test_the_extract_pages_send_visitors_to_the_login_page(client, world):
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
