"""The API's conventions: authentication by token or session, the error shape and its language, the
JSON 404 under /api/, and the OpenAPI description."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_me_with_a_token_gives_the_scope_of_its_owner(api_world, as_persona):
    response = as_persona("owner").get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == api_world.people["owner"].email
    assert body["team_territories"] == [api_world.objects["caux"].pk]
    assert body["editor_territories"] == [api_world.objects["caux"].pk]
    colleague = as_persona("colleague").get("/me").json()
    assert colleague["team_territories"] == [api_world.objects["caux"].pk]
    assert colleague["editor_territories"] == []
    assert as_persona("contact").get("/me").json()["contact_establishments"] == [
        api_world.objects["brewery"].pk
    ]


@pytest.mark.parametrize("header", [None, "Bearer tpl_forged", "Bearer ", "Basic abc", "Bearer " + "x" * 500])
def test_without_a_valid_token_the_api_answers_401_in_json(api_world, header):
    headers = {"Authorization": header} if header else {}
    response = Client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_revoked_or_expired_token_is_refused(api_world):
    from tremplin.api.models import ApiToken
    from tremplin.api.tokens import revoke_token

    owner = api_world.people["owner"]
    raw = api_world.tokens["owner"]
    assert ApiClient(raw).get("/me").status_code == 200
    token = ApiToken.objects.get(user=owner)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert ApiClient(raw).get("/me").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    revoke_token(token, by=owner)
    assert ApiClient(raw).get("/me").status_code == 401


def test_a_deactivated_user_s_token_is_refused(api_world):
    owner = api_world.people["owner"]
    owner.is_active = False
    owner.save()
    assert ApiClient(api_world.tokens["owner"]).get("/me").status_code == 401


def test_only_the_hash_of_a_token_is_stored(api_world):
    from tremplin.api.models import ApiToken

    raw = api_world.tokens["owner"]
    stored = ApiToken.objects.get(user=api_world.people["owner"])
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix) and len(stored.prefix) == 12


def test_the_session_of_the_platform_authenticates_reads(api_world):
    client = Client()
    client.force_login(api_world.people["owner"])
    assert client.get("/api/v1/me").json()["email"] == api_world.people["owner"].email


def test_unknown_addresses_under_api_answer_json_404():
    for path in ("/api/", "/api/v2/me", "/api/v1/nothing-here"):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_errors_follow_accept_language(api_world):
    french = Client().get("/api/v1/me", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).json()
    english = Client().get("/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.8"}).json()
    default = Client().get("/api/v1/me").json()
    assert english["message"] == "Authentication required: send a valid API token."
    assert french["message"] == default["message"] != english["message"]


def test_the_openapi_description_and_its_documentation_page():
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me" in schema["paths"]
    page = Client().get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    # Served from the platform's own static files, never a CDN.
    assert "cdn" not in html.lower()
    assert "/static/" in html
