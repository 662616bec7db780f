"""Start-up phase in a real browser: a territory submits its W1 diagnosis, the programme team validates it;
an officer draws an activity zone for its W2 perimeter."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.coaching.models import Deliverable, Perimeter, PerimeterMode

pytestmark = pytest.mark.browser


@pytest.fixture
def selected_caux():
    call = factories.coaching_call()
    caux = factories.territory(CAUX_SEINE)
    participation = factories.coaching_participation(call, caux)
    factories.territory_officer(caux, email="officer@caux.example")
    factories.programme_team_member(email="team@region.example")
    return participation


def test_a_territory_submits_its_w1_diagnosis_and_the_programme_team_validates_it(page, selected_caux):
    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Accompagnement"
    ).click()
    page.get_by_role(
        "link", name="Communauté d'agglomération Caux Seine Agglo — Tremplin EIT Normandie 2019"
    ).click()
    page.get_by_role("link", name="A1 · Diagnostic territorial").click()
    assert page.get_by_role("heading", name="Les données du territoire").is_visible()

    for category, text in (
        ("Force", "Un port et une zone industrialo-portuaire"),
        ("Menace", "Coût croissant des déchets"),
    ):
        page.get_by_label("Catégorie").select_option(label=category)
        page.get_by_label("Texte").fill(text)
        page.get_by_role("button", name="Ajouter", exact=True).click()
        page.wait_for_load_state()
    assert page.get_by_text("Un port et une zone industrialo-portuaire").is_visible()
    assert page.locator("#deliverable-status").inner_text().strip() == "En cours"

    page.get_by_role("button", name="Soumettre à l'équipe programme").click()
    assert page.locator("#deliverable-status").inner_text().strip() == "Soumis"
    # Submitted: read-only for the territory, and it cannot validate its own work.
    assert page.get_by_role("button", name="Valider").count() == 0
    assert page.get_by_label("Texte").count() == 0

    page.context.clear_cookies()
    log_in(page, "team@region.example", factories.PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Accompagnement"
    ).click()
    page.get_by_role("link", name="Suivi des territoires").click()
    row = page.locator('tr[data-territory="Communauté d\'agglomération Caux Seine Agglo"]')
    row.get_by_role("link", name="Soumis").click()
    assert page.get_by_text("Coût croissant des déchets").is_visible()
    page.locator("#comment-validate").fill("Diagnostic complet, merci.")
    page.get_by_role("button", name="Valider").click()
    assert page.locator("#deliverable-status").inner_text().strip() == "Validé"
    assert page.get_by_text("Diagnostic complet, merci.").first.is_visible()

    deliverable = Deliverable.objects.get(participation=selected_caux, kind="w1_diagnosis")
    assert deliverable.status == "validated"
    assert [t.action for t in deliverable.transitions.all()] == [
        "deliverable.start",
        "deliverable.submit",
        "deliverable.validate",
    ]


def test_an_officer_draws_an_activity_zone_on_the_map(page, selected_caux):
    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/accompagnement/participations/{selected_caux.pk}/livrables/w2_perimeter/")
    page.wait_for_selector("#perimeter-map[data-loaded]")
    page.get_by_role("button", name="Dessiner une zone").click()
    box = page.locator("#perimeter-map").bounding_box()
    for dx, dy in ((0.45, 0.45), (0.55, 0.45), (0.55, 0.55), (0.45, 0.55)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    assert page.locator("#perimeter-map").get_attribute("data-vertices") == "4"
    page.get_by_role("button", name="Terminer la zone").click()
    assert page.locator("#perimeter-map").get_attribute("data-zones") == "1"
    page.get_by_role("button", name="Enregistrer le périmètre").click()
    page.wait_for_load_state()
    assert page.get_by_text("Périmètre enregistré.").is_visible()

    perimeter = Perimeter.objects.get(participation=selected_caux)
    assert perimeter.mode == PerimeterMode.ZONES
    ring = perimeter.zones[0]["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    # Caux Seine Agglo lies around 0.5° E, 49.5° N.
    assert all(0 < lon < 1 and 49 < lat < 50 for lon, lat in ring)
