"""Outsiders never read nor change establishment records, contacts or imports of a territory."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.establishments.samples import good_sample
from tremplin.establishments.models import Establishment, EstablishmentContact

pytestmark = pytest.mark.django_db

# url name -> (keyword, which object of the world the id designates)
URLS = {
    "establishment_create": ("territory_pk", "territory"),
    "establishment_import": ("territory_pk", "territory"),
    "establishment_template_csv": ("territory_pk", "territory"),
    "establishment_template_xlsx": ("territory_pk", "territory"),
    "establishment_detail": ("pk", "site"),
    "establishment_edit": ("pk", "site"),
    "establishment_contact_add": ("pk", "site"),
    "establishment_contact_edit": ("pk", "contact"),
    "establishment_contact_delete": ("pk", "contact"),
    "establishment_list": ("territory_pk", "territory"),
}
ACCESS_CHECKED_URLS = set(URLS)
ACCESS_CHECKED_MODELS = {Establishment, EstablishmentContact}

# Pages the establishment's own company contact may read (its own record), but never change.
CONTACT_READABLE = {"establishment_detail", "establishment_list"}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    site = factories.establishment(caux, name="Papeterie de Caux")
    other_site = factories.establishment(caux, name="Voisin")
    havre_site = factories.establishment(havre, name="Docks")
    return {
        "territory": caux,
        "site": site,
        "contact": factories.establishment_contact(site, name="Claire Martin"),
        "officer": factories.territory_officer(caux),
        "havre_officer": factories.territory_officer(havre),
        "own_contact": factories.company_contact(site),
        "neighbour_contact": factories.company_contact(other_site),
        "havre_contact": factories.company_contact(havre_site),
        "programme": factories.programme_team_member(),
        "committee": factories.committee_member(),
    }


def _url(world, name):
    keyword, key = URLS[name]
    return reverse(name, kwargs={keyword: world[key].pk})


POST_DATA = {
    "name": "Changé",
    "siret": "50012345000016",
    "naf_code": "10.71C",
    "headcount_band": "11",
    "engagement": "engaged",
    "kind": "sirene",
    "job_title": "Changé",
}


def _snapshot():
    return (
        sorted(Establishment.objects.values_list("pk", "name", "engagement")),
        sorted(EstablishmentContact.objects.values_list("pk", "name", "job_title")),
    )


@pytest.mark.parametrize(
    "outsider", ["havre_officer", "havre_contact", "neighbour_contact", "programme", "committee"]
)
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_outsiders_are_refused_and_change_nothing(client, world, outsider, url_name):
    before = _snapshot()
    client.force_login(world[outsider])
    url = _url(world, url_name)
    response = client.get(url)
    if url_name == "establishment_list" and outsider == "neighbour_contact":
        # A company contact lists its own establishment only, never its neighbours.
        assert response.status_code == 200 and "Papeterie de Caux" not in response.content.decode()
        return
    assert response.status_code in (403, 404)
    data = dict(POST_DATA, file=SimpleUploadedFile("sirene.csv", good_sample()))
    assert client.post(url, data).status_code in (403, 404)
    assert _snapshot() == before


@pytest.mark.parametrize("url_name", sorted(set(URLS) - CONTACT_READABLE))
def test_the_establishments_own_contact_may_not_change_it(client, world, url_name):
    before = _snapshot()
    client.force_login(world["own_contact"])
    url = _url(world, url_name)
    assert client.get(url).status_code == 403
    assert (
        client.post(url, dict(POST_DATA, file=SimpleUploadedFile("s.csv", good_sample()))).status_code == 403
    )
    assert _snapshot() == before


def test_the_establishments_own_contact_reads_its_record_and_contacts(client, world):
    client.force_login(world["own_contact"])
    html = client.get(_url(world, "establishment_detail")).content.decode()
    assert "Claire Martin" in html
    assert _url(world, "establishment_edit") not in html


@pytest.mark.parametrize("url_name", sorted(URLS))
def test_the_territory_team_reaches_every_url(client, world, url_name):
    client.force_login(world["officer"])
    assert client.get(_url(world, url_name)).status_code == 200


def test_contacts_are_scoped_like_their_establishment(world):
    contact = world["contact"]
    visible = EstablishmentContact.objects.visible_to
    assert visible(world["officer"]).filter(pk=contact.pk).exists()
    assert visible(world["own_contact"]).filter(pk=contact.pk).exists()
    for outsider in ("havre_officer", "neighbour_contact", "havre_contact", "programme", "committee"):
        assert not visible(world[outsider]).filter(pk=contact.pk).exists(), outsider
