"""Only the territory team imports a register; another territory's officer, the programme team and
company contacts get 403 or 404 and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.registers.samples import establishment_row, irep_zip, waste_row
from tremplin.flows.models import Flow
from tremplin.registers.models import RegisterImport
from tremplin.registers.services import prepare_irep_import

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {"irep_upload", "irep_review", "irep_confirm"}
ACCESS_CHECKED_MODELS = {RegisterImport}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    site = factories.establishment(caux, name="Papeterie de Caux")
    archive = irep_zip(
        [establishment_row("A1", "Papeterie de Caux", site.siret, "Lillebonne")],
        produced=[waste_row("A1", "P", "15 01 01", "Emballages", "120", "R3")],
    )
    return {
        "territory": caux,
        "site": site,
        "job": prepare_irep_import(caux, archive, by=None, filename="irep.zip"),
        "officer": factories.territory_officer(caux),
        "havre_officer": factories.territory_officer(havre),
        "contact": factories.company_contact(site),
        "programme": factories.programme_team_member(),
    }


def _upload(world):
    archive = irep_zip(
        [establishment_row("A1", "Papeterie de Caux", world["site"].siret, "Lillebonne")],
        produced=[waste_row("A1", "P", "15 01 01", "Emballages", "120", "R3")],
    )
    return SimpleUploadedFile("irep.zip", archive.getvalue(), content_type="application/zip")


@pytest.mark.parametrize("who", ["havre_officer", "contact", "programme"])
def test_outsiders_cannot_open_or_post_the_upload(client, world, who):
    client.force_login(world[who])
    url = reverse("irep_upload", kwargs={"territory_pk": world["territory"].pk})
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"file": _upload(world)}).status_code in (403, 404)
    assert RegisterImport.objects.count() == 1


@pytest.mark.parametrize("who", ["havre_officer", "contact", "programme"])
def test_outsiders_cannot_read_or_apply_an_import(client, world, who):
    client.force_login(world[who])
    pk = world["job"].pk
    assert client.get(reverse("irep_review", kwargs={"pk": pk})).status_code == 404
    assert client.post(reverse("irep_confirm", kwargs={"pk": pk}), {"action": "apply"}).status_code == 404
    assert not Flow.objects.exists()
    world["job"].refresh_from_db()
    assert world["job"].status == RegisterImport.Status.PENDING


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(reverse("irep_review", kwargs={"pk": world["job"].pk}))
    assert response.status_code == 302
    assert not Flow.objects.exists()


def test_the_queryset_shows_imports_to_their_territory_team_only(world):
    assert list(RegisterImport.objects.visible_to(world["officer"])) == [world["job"]]
    for who in ("havre_officer", "contact", "programme"):
        assert not RegisterImport.objects.visible_to(world[who]).exists()
