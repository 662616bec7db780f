"""Rate limits per token, per session user and per address of calls without valid credentials: 429 in
the error shape with Retry-After, counted separately for each."""

import pytest
from django.test import Client, override_settings

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_PER_TOKEN="3/min")
def test_a_token_over_its_rate_gets_429_with_retry_after(api_world):
    owner = ApiClient(api_world.tokens["owner"], lang="en")
    assert [owner.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = owner.get("/me")
    assert refused.status_code == 429
    body = refused.json()
    assert body == {
        "code": "rate_limited",
        "message": "Too many requests: slow down.",
        "field": None,
        "errors": [],
    }
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another token (another person, or the same person's other token) counts on its own.
    assert ApiClient(api_world.tokens["colleague"]).get("/me").status_code == 200
    from tests.api.conftest import token_for

    assert ApiClient(token_for(api_world.people["owner"], name="second")).get("/me").status_code == 200
    # French by default.
    assert ApiClient(api_world.tokens["owner"]).get("/me").json()["message"] != body["message"]


@override_settings(API_RATE_PER_USER="2/min", API_RATE_PER_TOKEN="100/min")
def test_the_session_of_the_platform_has_its_own_rate(api_world):
    client = Client()
    client.force_login(api_world.people["owner"])
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    # The person's token is not held by their session's count.
    assert ApiClient(api_world.tokens["owner"]).get("/me").status_code == 200


@override_settings(API_RATE_ANONYMOUS="2/min")
def test_calls_without_valid_credentials_are_limited_per_address(api_world):
    forged = {"Authorization": "Bearer tpl_" + "x" * 40}
    statuses = [
        Client(REMOTE_ADDR="192.0.2.7").get("/api/v1/me", headers=forged).status_code for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    assert Client(REMOTE_ADDR="192.0.2.8").get("/api/v1/me").status_code == 401
    # A valid token from the same address is not held.
    assert (
        Client(REMOTE_ADDR="192.0.2.7")
        .get("/api/v1/me", headers={"Authorization": f"Bearer {api_world.tokens['owner']}"})
        .status_code
        == 200
    )


@override_settings(API_RATE_PER_TOKEN="")
def test_an_empty_rate_means_no_limit(api_world):
    owner = ApiClient(api_world.tokens["owner"])
    assert {owner.get("/me").status_code for _ in range(30)} == {200}


def test_a_rate_the_throttles_cannot_read_stops_the_platform_from_starting(settings):
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    settings.API_RATE_PER_TOKEN = "lots"
    with pytest.raises(ImproperlyConfigured, match="API_RATE_PER_TOKEN"):
        apps.get_app_config("api").ready()
