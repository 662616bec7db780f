"""Outsiders never read nor change establishment records, contacts or imports of a territory."""

import datetime

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
    # The team's contact records are outside the company contact's scope altogether (404); its own
    # establishment's record it may read but not change (403).
    expected = 404 if url_name in ("establishment_contact_edit", "establishment_contact_delete") else 403
    assert client.get(url).status_code == expected
    assert (
        client.post(url, dict(POST_DATA, file=SimpleUploadedFile("s.csv", good_sample()))).status_code
        == expected
    )
    assert _snapshot() == before


def test_the_establishments_own_contact_reads_its_record_but_not_the_teams_contacts(client, world):
    client.force_login(world["own_contact"])
    html = client.get(_url(world, "establishment_detail")).content.decode()
    assert "Papeterie de Caux" in html
    assert "Claire Martin" not in html
    assert _url(world, "establishment_edit") not in html


@pytest.mark.parametrize("url_name", sorted(URLS))
def test_the_territory_team_reaches_every_url(client, world, url_name):
    client.force_login(world["officer"])
    assert client.get(_url(world, url_name)).status_code == 200


def test_contacts_are_the_territory_teams_own_record(world):
    contact = world["contact"]
    visible = EstablishmentContact.objects.visible_to
    assert visible(world["officer"]).filter(pk=contact.pk).exists()
    for outsider in (
        "own_contact",  # the establishment's own company contact: not the team's notes on its people
        "havre_officer",
        "neighbour_contact",
        "havre_contact",
        "programme",
        "committee",
    ):
        assert not visible(world[outsider]).filter(pk=contact.pk).exists(), outsider


# --- What a company contact sees of its own establishment's page (issue 9: only what concerns it) ---


@pytest.fixture
def recorded_site(world):
    """The team's working record of the establishment: notes, engagement, contacts with their own notes,
    an invitation, a history; and one flow the establishment declared."""
    from tremplin.establishments.services import add_contact

    site, officer = world["site"], world["officer"]
    Establishment.objects.filter(pk=site.pk).update(
        notes="Dirigeant réticent, relancer après l'été", engagement="met", met_on=datetime.date(2026, 3, 12)
    )
    site.refresh_from_db()
    add_contact(
        site,
        by=officer,
        name="Bernard Lefèvre",
        job_title="Directeur d'usine",
        email="b.lefevre@papeterie.example",
        phone="02 35 00 00 01",
        notes="Préfère être appelé le matin",
    )
    factories.invitation(site, email="achats@papeterie.example", created_by=officer)
    factories.flow(site, by=world["own_contact"], resource="wood_clean", quantity=40, unit="t")
    return site


HIDDEN_FROM_THE_CONTACT = {
    "the team's notes on the establishment": "Dirigeant réticent",
    "the engagement status": 'class="engagement ',
    "the date the team met it": "12 mars 2026",
    "a contact's name": "Bernard Lefèvre",
    "a contact's job title": "Directeur d&#x27;usine",
    "a contact's e-mail": "b.lefevre@papeterie.example",
    "a contact's phone": "02 35 00 00 01",
    "the team's notes on a contact": "Préfère être appelé le matin",
    "the other factory contact": "Claire Martin",
    "the contacts section": 'id="contacts"',
    "the invitations sent": "achats@papeterie.example",
    "the invitation form": 'name="email"',
    "the record's history": 'id="history"',
    "the flows' history": "flow-history",
    "the edit link": "/modifier/",
    "the link to the territory's list": "Établissements</a>",
}


def test_the_team_sees_its_whole_working_record(client, world, recorded_site):
    client.force_login(world["officer"])
    html = client.get(_url(world, "establishment_detail")).content.decode()
    for what, text in HIDDEN_FROM_THE_CONTACT.items():
        if what == "the edit link":
            text = _url(world, "establishment_edit")
        assert text in html, what


@pytest.mark.parametrize("what", sorted(HIDDEN_FROM_THE_CONTACT))
def test_a_company_contact_never_sees_the_teams_working_record(client, world, recorded_site, what):
    client.force_login(world["own_contact"])
    response = client.get(_url(world, "establishment_detail"))
    assert response.status_code == 200
    text = HIDDEN_FROM_THE_CONTACT[what]
    if what == "the edit link":
        text = _url(world, "establishment_edit")
    assert text not in response.content.decode()


def test_a_company_contact_sees_what_concerns_it(client, world, recorded_site):
    client.force_login(world["own_contact"])
    html = client.get(_url(world, "establishment_detail")).content.decode()
    site = recorded_site
    assert site.name in html and site.siret in html and site.naf_code in html
    assert 'data-flows="declared-out"' in html and "Bois" in html  # its declared flow
    questionnaire = reverse("questionnaire_home", kwargs={"establishment_pk": site.pk})
    assert f'href="{questionnaire}"' in html and f'href="{questionnaire}#opportunities"' in html


def test_a_company_contacts_list_shows_nothing_of_the_teams_follow_up(client, world, recorded_site):
    """The list a contact reaches (its own establishment only) carries no engagement column, filter or
    sort: the team's follow-up of the company is not the company's to read, nor to infer by filtering."""
    list_url = reverse("establishment_list", kwargs={"territory_pk": world["territory"].pk})
    client.force_login(world["own_contact"])
    html = client.get(list_url).content.decode()
    assert "Papeterie de Caux" in html
    for text in ('class="engagement ', 'name="engagement"', "sort=engagement", "Rencontré"):
        assert text not in html, text
    for probe in ("?engagement=met", "?engagement=not_engaged", "?sort=engagement"):
        probed = client.get(list_url + probe).content.decode()
        assert "Papeterie de Caux" in probed, probe  # the filter is ignored, never a yes/no oracle
    client.force_login(world["officer"])
    html = client.get(list_url).content.decode()
    assert 'class="engagement engagement-met"' in html and 'name="engagement"' in html
    assert "Voisin" not in client.get(list_url + "?engagement=met").content.decode()
