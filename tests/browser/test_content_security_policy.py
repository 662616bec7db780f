"""What templates used to do inline still works under the Content-Security-Policy (the ``page`` fixture
fails on any violation): bars take their width from data-share, the language switch sends itself."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.browser


def test_bars_take_their_width_and_the_language_switch_submits_under_the_policy(page):
    caux = factories.territory(CAUX_SEINE)
    factories.establishment(caux, naf_code="10.71C")
    factories.establishment(caux, naf_code="10.71C")
    factories.establishment(caux, naf_code="16.10A")
    factories.territory_officer(caux, email="officer@caux.example")
    log_in(page, "officer@caux.example", factories.PASSWORD)
    response = page.goto(f"/territoires/{caux.pk}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # Section C holds the three establishments: a full bar, as wide as its cell (less its padding).
    bar = page.locator('tr[data-section="C"] .bar')
    assert bar.get_attribute("data-share") == "100%"
    assert bar.evaluate("node => getComputedStyle(node).getPropertyValue('--share')").strip() == "100%"
    cell_width = bar.evaluate("node => node.parentElement.clientWidth")
    assert 0.9 * cell_width < bar.bounding_box()["width"] <= cell_width

    with page.expect_navigation():
        page.get_by_label("Langue").select_option("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.csp_violations == []
