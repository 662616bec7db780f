"""The territories' potential pages are the programme team's: every other role gets 403, visitors the
login page, and a refused upload writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.programme import national_files as nf
from tremplin.potentials.models import PotentialRelease
from tremplin.potentials.services import load_release

pytestmark = pytest.mark.django_db

URLS = [
    "programme_potentials",
    "programme_potential_map",
    "programme_potential_export_csv",
    "programme_potential_export_xlsx",
    "programme_potential_load",
]


@pytest.fixture
def world():
    load_release("potentials.csv", nf.csv_bytes(nf.rows()), by=None)
    caux = factories.territory(nf.CAUX_SEINE)
    site = factories.establishment(caux)
    call = factories.call()
    return {
        "programme": factories.programme_team_member(),
        "member": factories.seated_committee_member(call),
        "officer": factories.territory_officer(caux),
        "contact": factories.company_contact(site),
        "stranger": factories.user(),
    }


def _upload():
    return SimpleUploadedFile(
        "potentials.csv", nf.csv_bytes(nf.rows(computed_at="2026-12-01T00:00:00Z")), content_type="text/csv"
    )


@pytest.mark.parametrize("persona", ["officer", "contact", "member", "stranger"])
def test_every_other_role_is_refused(client, world, persona):
    client.force_login(world[persona])
    for name in URLS:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.post(reverse("programme_potential_load"), {"file": _upload()}).status_code == 403
    assert PotentialRelease.objects.count() == 1


def test_visitors_are_sent_to_the_login_page(client, world):
    for name in URLS:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_the_programme_team_reaches_every_page(client, world):
    client.force_login(world["programme"])
    for name in URLS:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        if name != "programme_potentials" and name != "programme_potential_load":
            assert "no-store" in response["Cache-Control"], name
    assert client.post(reverse("programme_potential_load"), {"file": _upload()}).status_code == 302
    assert PotentialRelease.objects.count() == 2
