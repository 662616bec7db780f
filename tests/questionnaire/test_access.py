"""A questionnaire link opens one establishment, and only the territory team handles invitations."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.questionnaire.links import open_link
from tremplin.flows.models import Flow
from tremplin.questionnaire.models import Invitation

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {
    "questionnaire_open",
    "questionnaire_home",
    "questionnaire_outputs",
    "questionnaire_inputs",
    "questionnaire_review",
    "invitation_create",
    "invitation_revoke",
}
ACCESS_CHECKED_MODELS = {Invitation}

OUTSIDERS = [
    "another territory's officer",
    "another establishment's contact",
    "the programme team",
    "a committee member",
]


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    site_a = factories.establishment(caux, name="Site A")
    site_b = factories.establishment(caux, name="Site B")
    invitation, token = factories.invitation(site_a, email="a@entreprise.example")
    return {
        "site_a": site_a,
        "site_b": site_b,
        "invitation": invitation,
        "token": token,
        "officer": factories.territory_officer(caux),
        "outsiders": {
            "another territory's officer": factories.territory_officer(havre),
            "another establishment's contact": factories.company_contact(site_b),
            "the programme team": factories.programme_team_member(),
            "a committee member": factories.committee_member(),
        },
    }


def establishment_urls(site):
    return {
        name: reverse(name, kwargs={"establishment_pk": site.pk})
        for name in (
            "questionnaire_home",
            "questionnaire_outputs",
            "questionnaire_inputs",
            "questionnaire_review",
            "invitation_create",
        )
    }


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_cannot_open_the_questionnaire_of_site_a(client, world, outsider):
    client.force_login(world["outsiders"][outsider])
    for name, url in establishment_urls(world["site_a"]).items():
        assert client.get(url).status_code in (403, 404), name
        data = {
            "resource": "wood_clean",
            "quantity": "1",
            "unit": "t",
            "frequency": "year",
            "email": "x@y.example",
        }
        assert client.post(url, data).status_code in (403, 404), name
    assert not Flow.objects.exists()
    assert list(Invitation.objects.all()) == [world["invitation"]]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_cannot_revoke_an_invitation(client, world, outsider):
    client.force_login(world["outsiders"][outsider])
    url = reverse("invitation_revoke", kwargs={"pk": world["invitation"].pk})
    assert client.post(url).status_code in (403, 404)
    world["invitation"].refresh_from_db()
    assert world["invitation"].revoked is False


def test_a_contact_cannot_invite_or_revoke(client, world):
    contact = factories.company_contact(world["site_a"])
    client.force_login(contact)
    url = reverse("invitation_create", kwargs={"establishment_pk": world["site_a"].pk})
    assert client.post(url, {"email": "friend@example.org"}).status_code == 403
    revoke = reverse("invitation_revoke", kwargs={"pk": world["invitation"].pk})
    assert client.post(revoke).status_code == 404
    assert Invitation.objects.count() == 1


def test_the_link_of_site_a_never_opens_site_b(client, world):
    open_link(client, reverse("questionnaire_open", kwargs={"token": world["token"]}))
    for name, url in establishment_urls(world["site_b"]).items():
        assert client.get(url).status_code in (403, 404), name
    assert client.get(establishment_urls(world["site_a"])["questionnaire_home"]).status_code == 200
    assert client.get(reverse("establishment_detail", kwargs={"pk": world["site_b"].pk})).status_code == 404
    assert client.get(reverse("establishment_detail", kwargs={"pk": world["site_a"].pk})).status_code == 200


def test_the_officer_reaches_every_page(client, world):
    client.force_login(world["officer"])
    for name, url in establishment_urls(world["site_a"]).items():
        assert client.get(url).status_code == 200, name
    revoke = reverse("invitation_revoke", kwargs={"pk": world["invitation"].pk})
    assert client.post(revoke).status_code == 302


def test_invitations_are_visible_to_the_territory_team_only(world):
    invitation = world["invitation"]
    assert Invitation.objects.visible_to(world["officer"]).filter(pk=invitation.pk).exists()
    assert not Invitation.objects.visible_to(factories.company_contact(world["site_a"])).exists()
    for person in world["outsiders"].values():
        assert not Invitation.objects.visible_to(person).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in establishment_urls(world["site_a"]).values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
