"""Club EIT: the territories, their officials and officers, and the practices they chose to share."""

import pytest
from django.urls import reverse

from tests import factories
from tremplin.coaching.models import GoodPractice
from tremplin.programme.models import CommitteeSeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def practices(caux_participation, havre_participation):
    GoodPractice.objects.create(
        participation=caux_participation,
        title="Collecte mutualisée des cartons",
        text="Douze entreprises.",
        shared=True,
    )
    GoodPractice.objects.create(
        participation=caux_participation, title="Brouillon interne", text="Pas encore prêt.", shared=False
    )


def test_members_of_the_programme_read_the_network(
    client, call, caux, practices, caux_officer, havre_officer, programme, committee
):
    factories.territory_elected_official(caux, email="elue@caux.example", first_name="Alix", last_name="Élue")
    factories.establishment(caux, name="Papeterie confidentielle")
    CommitteeSeat.objects.create(call=call, member=committee)
    url = reverse("coaching_network", kwargs={"call_pk": call.pk})
    for person in (caux_officer, havre_officer, programme, committee):
        client.force_login(person)
        html = client.get(url, follow=True).content.decode()
        assert "Collecte mutualisée des cartons" in html
        assert "Brouillon interne" not in html
        assert "officer@caux.example" in html and "elue@caux.example" in html
        assert "Communauté urbaine Le Havre Seine Métropole" in html
        # Never establishment data.
        assert "Papeterie confidentielle" not in html


def test_company_contacts_and_outsiders_are_refused(
    client, call, caux_participation, caux_contact, committee
):
    url = reverse("coaching_network", kwargs={"call_pk": call.pk})
    for person in (caux_contact, committee, factories.user()):  # committee member without a seat on this call
        client.force_login(person)
        assert client.get(url).status_code == 403


def test_only_the_team_writes_its_good_practices(client, caux_participation, caux_officer, programme):
    url = reverse("coaching_good_practices", kwargs={"pk": caux_participation.pk})
    client.force_login(programme)
    assert client.post(url, {"title": "T", "text": "x", "shared": "on"}).status_code == 403
    client.force_login(caux_officer)
    client.post(url, {"title": "Achats groupés d'énergie", "text": "Six sites.", "shared": "on"})
    practice = GoodPractice.objects.get()
    assert practice.shared and practice.created_by == caux_officer


# --- A lasting regional network ------------------------------------------------------------------------


@pytest.fixture
def two_editions(call, caux, havre):
    """The 2019 edition selects Caux and Le Havre, the 2027 edition Caux again, which declares the same
    elected official (her e-mail typed in capitals) and a new officer."""
    import datetime

    from tests.conftest import CAUX_SEINE, LE_HAVRE

    later = factories.coaching_call(
        title="Tremplin EIT Normandie 2027",
        opens_at=datetime.datetime(2027, 1, 15, 9, 0, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2027, 3, 8, 23, 0, tzinfo=datetime.UTC),
    )
    applicant = factories.user(email="depot@caux.example")
    people = {
        (call, CAUX_SEINE): ("Alix Élue", "elue@caux.example", "Paul Tech", "tech@caux.example"),
        (call, LE_HAVRE): ("Marie Maire", "maire@havre.example", "Hugo Havre", "tech@havre.example"),
        (later, CAUX_SEINE): ("Alix Élue", "ELUE@caux.example", "Nina Neuve", "nouveau@caux.example"),
    }
    for (edition, siren), (official, official_email, officer, officer_email) in people.items():
        factories.submitted_application(
            edition,
            siren,
            applicant if siren == CAUX_SEINE else None,
            official_name=official,
            official_email=official_email,
            officer_name=officer,
            officer_email=officer_email,
        )
    first_caux = factories.coaching_participation(call, caux)
    factories.coaching_participation(call, havre)
    later_caux = factories.coaching_participation(later, caux)
    GoodPractice.objects.create(participation=first_caux, title="Collecte 2019", text="…", shared=True)
    GoodPractice.objects.create(participation=later_caux, title="Achats 2027", text="…", shared=True)
    return later


def _members(html):
    import re

    return re.findall(r'<tr data-member="([^"]+)">', html)


def test_the_club_lists_two_editions_people_once_each(client, call, two_editions, programme):
    from tremplin.coaching.services.network import network_of

    network = network_of(call.region)
    by_email = {m.email.lower(): m for m in network.members}
    # By hand: 5 people (the elected official of Caux declared twice), never the applicant's account.
    assert sorted(by_email) == [
        "elue@caux.example",
        "maire@havre.example",
        "nouveau@caux.example",
        "tech@caux.example",
        "tech@havre.example",
    ]
    assert by_email["elue@caux.example"].editions == [
        "Tremplin EIT Normandie 2019",
        "Tremplin EIT Normandie 2027",
    ]
    assert by_email["tech@caux.example"].editions == ["Tremplin EIT Normandie 2019"]
    assert by_email["nouveau@caux.example"].editions == ["Tremplin EIT Normandie 2027"]
    assert by_email["elue@caux.example"].territories == ["Communauté d'agglomération Caux Seine Agglo"]

    client.force_login(programme)
    response = client.get(reverse("coaching_network", kwargs={"call_pk": two_editions.pk}))
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert len(_members(html)) == 5
    assert "depot@caux.example" not in html
    row = html.split('<tr data-member="elue@caux.example">')[1].split("</tr>")[0]
    assert "Élu référent" in row and "Caux Seine Agglo" in row
    assert "Tremplin EIT Normandie 2019, Tremplin EIT Normandie 2027" in row
    row = html.split('<tr data-member="nouveau@caux.example">')[1].split("</tr>")[0]
    assert "Chargé de mission EIT" in row and "2019" not in row
    # Practices shared in either edition stay visible in the region's club.
    assert "Collecte 2019" in html and "Achats 2027" in html


def test_the_club_of_another_region_is_refused(
    client, call, havre, caux_participation, caux_officer, caux_contact
):
    import datetime

    from tremplin.geo.models import Region

    brittany = Region.objects.get(code="53")
    breton_call = factories.coaching_call(
        title="Tremplin EIT Bretagne 2027",
        region=brittany,
        opens_at=datetime.datetime(2027, 1, 15, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC),
    )
    factories.coaching_participation(breton_call, havre)
    havre_officer = factories.territory_officer(havre, email="officer@havre.example")
    normandy = reverse("coaching_regional_network", kwargs={"region_pk": call.region_id})
    breton = reverse("coaching_regional_network", kwargs={"region_pk": brittany.pk})
    client.force_login(caux_officer)
    assert client.get(normandy).status_code == 200
    assert client.get(breton).status_code == 403
    client.force_login(havre_officer)
    assert client.get(breton).status_code == 200
    assert client.get(normandy).status_code == 403
    client.force_login(caux_contact)
    assert client.get(normandy).status_code == 403
    client.force_login(factories.seated_committee_member(breton_call))
    assert client.get(breton).status_code == 200
    assert client.get(normandy).status_code == 403


def test_a_programme_member_bound_to_another_region_does_not_read_the_club(client, call, practices):
    """The club lists people's names and e-mails: a programme team member who runs Brittany only does
    not read Normandy's (one bound to no region, as the demo's, does)."""
    from tremplin.accounts.models import Membership, Role
    from tremplin.geo.models import Region

    normandy = reverse("coaching_regional_network", kwargs={"region_pk": call.region_id})
    breton = factories.user(email="breton@region.example")
    Membership.objects.create(user=breton, role=Role.PROGRAMME_TEAM, region=Region.objects.get(code="53"))
    norman = factories.user(email="norman@region.example")
    Membership.objects.create(user=norman, role=Role.PROGRAMME_TEAM, region=call.region)
    client.force_login(breton)
    assert client.get(normandy).status_code == 403
    client.force_login(norman)
    assert client.get(normandy).status_code == 200
