"""The officer runs a detection, accepts a lead, carries it to operational, and the indicators follow."""

import re

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.browser


def _small_territory():
    caux = factories.territory(CAUX_SEINE)
    factories.brewery_and_farm(caux, distance_km=5.0)
    commune = caux.epci.communes.order_by("insee_code").first()
    lat, lon = commune.centroid_lat, commune.centroid_lon
    factories.establishment(
        caux,
        name="Scierie du Pays de Caux",
        naf_code="16.10A",
        headcount_band="12",
        latitude=lat + 0.02,
        longitude=lon + 0.02,
    )
    factories.establishment(
        caux,
        name="Panneaux de Normandie",
        naf_code="16.21Z",
        headcount_band="21",
        latitude=lat + 0.025,
        longitude=lon + 0.03,
    )
    factories.territory_officer(caux, email="officer@caux.example")
    return caux


def test_an_officer_detects_accepts_and_carries_a_synergy_to_operational(page):
    caux = _small_territory()
    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/territoires/{caux.pk}/")
    page.get_by_role("link", name="Détection").click()
    page.get_by_label("Déductive (codes d'activité et effectifs)").check()
    page.get_by_role("button", name="Lancer la détection").click()

    progress = page.get_by_role("progressbar", name="Avancement de la détection")
    progress.wait_for()
    page.wait_for_selector('#run-progress[data-status="done"]')
    assert progress.get_attribute("aria-valuenow") == "100"
    page.reload()  # the run survives a reload
    assert page.locator("#run-progress").get_attribute("data-status") == "done"

    lead = page.locator("article.lead-card", has_text="Drêches de brasserie").first
    lead.get_by_text("Explication, hypothèses et sources").click()
    assert lead.get_by_text("Substitution (règle SUB-BIO-01)").is_visible()
    lead.get_by_role("button", name=re.compile("Accepter dans le pipeline")).click()
    assert page.get_by_role("alert").filter(has_text="maintenant dans le pipeline").is_visible()

    page.get_by_role("link", name="Synergies", exact=True).click()
    column = page.locator('section[data-status="detected"]')
    assert column.get_by_role("link", name=re.compile("Drêches de brasserie")).is_visible()
    for move, status in (("Qualifier", "qualified"), ("Lancer l'étude", "under_study")):
        page.get_by_role("button", name=re.compile(f"^{re.escape(move)}")).first.click()
        card = page.locator(f'section[data-status="{status}"]').get_by_role(
            "link", name=re.compile("Drêches")
        )
        assert card.is_visible()

    # Nobody has agreed to be introduced yet: implementation waits, and the board says why.
    under_study = page.locator('section[data-status="under_study"]')
    assert under_study.get_by_text("pas encore de réponse").is_visible()
    assert not page.get_by_role("button", name=re.compile("^Lancer la mise en œuvre")).count()
    # Both companies said yes to the officer, who records it on the synergy's page.
    under_study.get_by_role("link", name=re.compile("Drêches")).click()
    for name in ("Brasserie des Falaises", "Ferme laitière du Plateau"):
        page.get_by_role("button", name=f"Noter : accepte ({name})").click()
        assert page.get_by_role("alert").filter(has_text="Réponse enregistrée").is_visible()
    history = page.locator("#history")
    assert history.get_by_text("Brasserie des Falaises accepte la mise en relation").is_visible()
    assert history.get_by_text("Ferme laitière du Plateau accepte la mise en relation").is_visible()

    page.get_by_role("link", name="Synergies", exact=True).first.click()
    for move, status in (
        ("Lancer la mise en œuvre", "being_implemented"),
        ("Déclarer opérationnelle", "operational"),
    ):
        page.get_by_role("button", name=re.compile(f"^{re.escape(move)}")).first.click()
        card = page.locator(f'section[data-status="{status}"]').get_by_role(
            "link", name=re.compile("Drêches")
        )
        assert card.is_visible()

    page.get_by_role("link", name="Indicateurs").click()
    assert page.locator('[data-indicator="operational"]').inner_text() == "1"
    assert page.locator('[data-indicator="conversion_rate"]').inner_text() == "100 %"
    row = page.locator('tr[data-status="operational"]')
    assert row.locator("td").first.inner_text() == "1"
    tonnes = page.locator('tr[data-figure="tonnes_diverted_per_year"] [data-value="operational_estimated"]')
    assert tonnes.inner_text() != "0"
