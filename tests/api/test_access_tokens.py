"""Access to the pages of personal API tokens: a person reaches only their own tokens; another person's
token (of any role, in any territory) is a 404, as an unknown one is."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import ApiClient
from tremplin.api.models import ApiToken

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {"api_token_revoke"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["colleague", "outsider", "contact", "programme", "committee", "nobody"])
def test_another_persons_token_is_a_404_to_see_or_revoke(api_world, persona):
    theirs = ApiToken.objects.get(user=api_world.people["owner"])
    client = _client(api_world.people[persona])
    url = reverse("api_token_revoke", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert ApiClient(api_world.tokens["owner"]).get("/me").status_code == 200
    assert theirs.prefix not in client.get(reverse("api_tokens")).content.decode()


def test_the_owner_reaches_their_token(api_world):
    mine = ApiToken.objects.get(user=api_world.people["owner"])
    assert (
        _client(api_world.people["owner"]).get(reverse("api_token_revoke", args=[mine.pk])).status_code == 200
    )
