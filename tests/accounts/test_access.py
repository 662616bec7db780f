"""Who reaches the accounts pages that take an id: a territory's team page and journal, its access
requests and the removal of its members, and the sign-up confirmation link."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.access_requests import request_territory_access
from tremplin.accounts.models import AccessRequest, Membership, Role
from tremplin.accounts.signup import confirmation_token

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {
    "territory_team",
    "territory_journal",
    "access_request_accept",
    "access_request_refuse",
    "team_member_remove",
    "account_confirm",
}
ACCESS_CHECKED_MODELS = {AccessRequest}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    owner = factories.territory_officer(caux, email="owner@caux.example")
    colleague = factories.territory_officer(caux, email="colleague@caux.example")
    newcomer = factories.user(email="newcomer@example.org")
    return {
        "caux": caux,
        "owner": owner,
        "colleague": colleague,
        "outsider": factories.territory_officer(havre),
        "contact": factories.company_contact(factories.establishment(caux)),
        "committee": factories.committee_member(),
        "programme": factories.programme_team_member(),
        "stranger": factories.user(),
        "newcomer": newcomer,
        "request": request_territory_access(newcomer, caux, by=None, function="officer", via="selection"),
        "colleague_membership": Membership.objects.get(user=colleague, role=Role.TERRITORY_TEAM),
    }


def _team_pages(world):
    caux = world["caux"]
    return [
        reverse("territory_team", kwargs={"territory_pk": caux.pk}),
        reverse("territory_journal", kwargs={"territory_pk": caux.pk}),
    ]


def _writes(world):
    return [
        reverse("access_request_accept", kwargs={"pk": world["request"].pk}),
        reverse("access_request_refuse", kwargs={"pk": world["request"].pk}),
        reverse("team_member_remove", kwargs={"pk": world["colleague_membership"].pk}),
    ]


@pytest.mark.parametrize("persona", ["outsider", "stranger", "committee", "newcomer"])
def test_outsiders_do_not_reach_a_territorys_team_pages(client, world, persona):
    client.force_login(world[persona])
    for url in _team_pages(world):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["contact", "programme"])
def test_a_company_contact_and_the_programme_team_are_refused_the_team_pages(client, world, persona):
    client.force_login(world[persona])
    for url in _team_pages(world):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["owner", "colleague"])
def test_the_team_reaches_its_team_pages(client, world, persona):
    client.force_login(world[persona])
    for url in _team_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode(), url


@pytest.mark.parametrize("persona", ["outsider", "stranger", "committee", "contact", "newcomer"])
def test_outsiders_cannot_decide_a_request_or_remove_a_member(client, world, persona):
    client.force_login(world[persona])
    for url in _writes(world):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    world["request"].refresh_from_db()
    assert world["request"].status == "pending"
    assert Membership.objects.filter(pk=world["colleague_membership"].pk).exists()
    assert not Membership.objects.filter(user=world["newcomer"]).exists()


def test_deciding_and_removing_need_a_post(client, world):
    client.force_login(world["owner"])
    for url in _writes(world):
        assert client.get(url).status_code == 405, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    for url in [*_team_pages(world), reverse("access_requests")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["owner", "outsider", "contact", "committee", "stranger"])
def test_only_the_programme_team_reaches_the_list_of_every_request(client, world, persona):
    client.force_login(world[persona])
    assert client.get(reverse("access_requests")).status_code == 403
    client.force_login(world["programme"])
    response = client.get(reverse("access_requests"))
    assert response.status_code == 200
    assert "newcomer@example.org" in response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode()


def test_requests_are_scoped_to_their_territory():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    request = request_territory_access(factories.user(), caux, by=None)
    assert request in AccessRequest.objects.visible_to(factories.territory_officer(caux))
    assert request in AccessRequest.objects.visible_to(factories.programme_team_member())
    assert request not in AccessRequest.objects.visible_to(factories.territory_officer(havre))
    assert request not in AccessRequest.objects.visible_to(request.user)


def test_a_confirmation_link_opens_only_the_account_it_was_made_for(client):
    confirmed = factories.user(email="already@example.org")
    token = confirmation_token(confirmed)
    response = client.get(reverse("account_confirm", kwargs={"token": token}))
    assert response.status_code == 400
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("account_confirm", kwargs={"token": forged})).status_code == 400
    response = client.post(
        reverse("account_confirm", kwargs={"token": token}),
        {"new_password1": "another long passphrase", "new_password2": "another long passphrase"},
    )
    assert response.status_code == 400
    confirmed.refresh_from_db()
    assert confirmed.check_password(factories.PASSWORD)
