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
        html = client.get(url).content.decode()
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
