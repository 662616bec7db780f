"""A territory officer signs in, opens its territory, reads the map; an outsider is refused."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE, LE_HAVRE

pytestmark = pytest.mark.browser


def test_an_officer_opens_its_territory_map_and_switches_to_english(page):
    caux = factories.territory(CAUX_SEINE)
    factories.establishment(caux, name="Laiterie démo", is_demo=True)
    factories.territory_officer(caux, email="officer@caux.example")

    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.get_by_role("link", name="Communauté d'agglomération Caux Seine Agglo").first.click()
    page.wait_for_selector("#territory-map[data-loaded]")
    # The perimeter and the 50 communes of Caux Seine Agglo are drawn.
    assert page.locator("#territory-map").get_attribute("data-loaded") == "51"
    assert page.locator("#territory-map path.leaflet-interactive").count() == 51
    assert page.locator('[data-fact="communes"]').inner_text() == "50"
    assert page.get_by_text("Données de démonstration").first.is_visible()

    with page.expect_navigation():
        page.get_by_label("Langue").select_option("en")
    assert page.get_by_role("heading", name="Key facts").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_skip_link_is_the_first_stop_of_the_keyboard(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_an_officer_of_another_territory_cannot_open_it(page):
    caux = factories.territory(CAUX_SEINE)
    havre = factories.territory(LE_HAVRE)
    factories.territory_officer(havre, email="officer@havre.example")

    log_in(page, "officer@havre.example", factories.PASSWORD)
    response = page.goto(f"/territoires/{caux.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page introuvable").is_visible()
    assert "Caux Seine" not in page.content()
