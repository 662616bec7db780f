"""The API's documentation page under the platform's Content-Security-Policy (the ``page`` fixture fails
on any violation): the operations are listed, "Authorize" takes a personal token, and "Try it out" on /me
answers with the token's owner."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.browser


def test_the_documentation_page_authorizes_a_token_and_tries_a_call_under_the_policy(page):
    from tremplin.api.tokens import create_token

    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, email="officer@caux.example")
    _token, raw = create_token(
        officer, by=officer, name="Swagger", expires_at=timezone.now() + dt.timedelta(days=1)
    )

    response = page.goto("/api/v1/docs")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.locator("html").get_attribute("lang") == "fr"
    bar = page.get_by_role("navigation", name="Plateforme")
    assert bar.get_by_role("link", name="Mes jetons d’API").get_attribute("href") == "/comptes/jetons-api/"
    operation = page.locator("#operations-me-tremplin_api_routers_me_me")
    operation.wait_for()
    assert "/api/v1/me" in operation.inner_text()

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    dialog.wait_for()
    bearer = dialog.locator("form", has_text="TokenAuth")
    bearer.locator("input").fill(raw)
    bearer.get_by_role("button", name="Apply credentials").click()
    bearer.get_by_role("button", name="Remove authorization").wait_for()  # the token is taken
    bearer.get_by_role("button", name="Close").click()

    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table")
    status = live.locator("tr.response .response-col_status")
    status.wait_for()
    assert status.inner_text().strip() == "200"
    body = json.loads(live.locator("tr.response .highlight-code pre").first.inner_text())
    assert body["email"] == "officer@caux.example" and body["token"] == "Swagger"
    assert page.csp_violations == []
