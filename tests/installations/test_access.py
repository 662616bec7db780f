"""Only the territory's team imports installations classées and links them; others are refused."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.installations.samples import dumps, installation, response
from tremplin.installations.models import Installation, Match
from tremplin.installations.services import import_icpe

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {"icpe_import", "icpe_match"}
ACCESS_CHECKED_MODELS = {Installation}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    insee = caux.epci.communes.order_by("insee_code").first().insee_code
    site = factories.establishment(caux, name="Valo Caux")
    officer = factories.territory_officer(caux)
    import_icpe(
        caux,
        dumps(response(installation(name="VALO CAUX", insee=insee))),
        by=officer,
        file_date=dt.date(2026, 1, 5),
    )
    return {
        "caux": caux,
        "insee": insee,
        "site": site,
        "officer": officer,
        "installation": Installation.objects.get(),
        "outsider": factories.territory_officer(havre),
        "contact": factories.company_contact(site),
        "programme": factories.programme_team_member(),
    }


@pytest.mark.parametrize("who", ["outsider", "contact", "programme"])
def test_others_neither_read_nor_import(client, world, who):
    client.force_login(world[who])
    url = reverse("icpe_import", args=[world["caux"].pk])
    assert client.get(url).status_code in (403, 404)
    upload = SimpleUploadedFile(
        "icpe.json", dumps(response(installation("0005809999", insee=world["insee"])))
    )
    assert client.post(url, {"file": upload, "file_date": "2026-01-05"}).status_code in (403, 404)
    assert Installation.objects.count() == 1
    assert not Installation.objects.visible_to(world[who]).exists()


@pytest.mark.parametrize("who", ["outsider", "contact", "programme"])
def test_others_cannot_confirm_a_proposed_link(client, world, who):
    client.force_login(world[who])
    response_ = client.post(reverse("icpe_match", args=[world["installation"].pk]), {"decision": "confirm"})
    assert response_.status_code in (403, 404)
    assert Installation.objects.get().match == Match.PROPOSED


def test_the_team_confirms_a_proposed_link(client, world):
    client.force_login(world["officer"])
    client.post(reverse("icpe_match", args=[world["installation"].pk]), {"decision": "confirm"})
    assert Installation.objects.get().match == Match.CONFIRMED
