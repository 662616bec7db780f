"""Answers ninja or Django would give in plain text or HTML come in the API's JSON error shape too, in
the request's language: a method the address does not take (405), a body that is not JSON (400), sent
as something else than JSON (415), or too large (413)."""

import pytest
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI, Schema

from tests.api.conftest import ApiClient
from tremplin.api import errors

pytestmark = pytest.mark.django_db


def test_a_method_the_address_does_not_take_is_a_json_405_with_allow(api_world):
    for method in ("post", "delete", "put", "patch"):
        response = ApiClient(api_world.tokens["owner"], lang="en").request(method, "/me")
        assert response.status_code == 405, method
        assert response["Allow"] == "GET"
        assert response.json() == {
            "code": "method_not_allowed",
            "message": f"This address does not accept the method {method.upper()} (it accepts: GET).",
            "field": None,
            "errors": [],
        }
    french = ApiClient(api_world.tokens["owner"]).post("/me").json()["message"]
    assert french.startswith("Cette adresse")


class Thing(Schema):
    name: str


#: An API built like the platform's (same parser and handlers) with one write, to send it bodies; this
#: module is the URL configuration of the tests below.
_api = NinjaAPI(urls_namespace="test-errors", parser=errors.JsonParser())
errors.install(_api)


@_api.post("/things")
def _create(request, thing: Thing):
    return {"name": thing.name}


@_api.get("/broken")
def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("t/", _api.urls)]
here = override_settings(ROOT_URLCONF=__name__)


def _post(body: bytes, content_type="application/json"):
    return Client().post("/t/things", body, content_type=content_type)


@here
def test_a_body_that_is_not_json_is_a_400_invalid_json():
    assert _post(b'{"name": "a"}').json() == {"name": "a"}
    for body in (b"{not json", b"\xff\xfe", b'{"name": '):
        response = _post(body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid_json"
        assert response.json()["field"] == "body"


@here
def test_a_body_sent_as_something_else_than_json_is_a_415():
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = _post(b'{"name": "a"}', content_type)
        assert response.status_code == 415, content_type
        assert response.json()["code"] == "unsupported_media_type"
    assert _post(b'{"name": "a"}', "application/merge-patch+json").status_code == 200
    assert _post(b'{"name": "a"}', "application/json; charset=utf-8").status_code == 200


@here
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_too_large_is_a_413():
    response = _post(b'{"name": "' + b"a" * 200 + b'"}')
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@here
def test_a_server_error_is_logged_and_answered_in_the_error_shape(caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/t/broken")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert any(record.exc_info and record.exc_info[0] is RuntimeError for record in caplog.records)
    # Tests still see the exception itself.
    with pytest.raises(RuntimeError, match="a bug"):
        Client().get("/t/broken")


def test_a_write_to_an_unknown_api_address_is_a_json_404_without_csrf_token(api_world):
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {api_world.tokens['owner']}"}
    for address in ("/api/v1/nothing", "/api/v1/synergies/-3/transitions", "/api/v2/flows"):
        response = client.post(address, "{}", content_type="application/json", headers=headers)
        assert response.status_code == 404, address
        assert response.json()["code"] == "not_found"


def test_the_documentation_page_sends_the_description_to_no_outside_validator():
    html = Client().get("/api/v1/docs").content.decode()
    assert '"validatorUrl": null' in html
    assert "swagger.io" not in html
