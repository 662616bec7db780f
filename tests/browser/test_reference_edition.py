"""The reference 2019 call run on the demonstration data, as a new user of each role would: the demo
committee member scores, the programme team selects 8, a selected territory finds its first workshop
deliverable."""

import re

import pytest
from django.core import mail

from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.demo.services import DEMO_PASSWORD, seed_demo, seed_reference_edition
from tremplin.programme.models import Application, Participation

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_reference_edition_runs_on_the_demonstration_data(page):
    seed_demo([CAUX_SEINE, LE_HAVRE])
    seed_reference_edition()

    # The DREAL member of the demonstration scores an application the others already scored.
    log_in(page, "comite@demo.tremplin.localhost", DEMO_PASSWORD)
    page.get_by_role("link", name="Comité", exact=True).click()
    page.get_by_role("link", name=re.compile("Normandie 2019")).click()
    rows = page.locator("tr[data-application]")
    assert rows.count() == 12
    # Every applicant has the engine's figure beside it (each demo EPCI has an economic fabric).
    assert page.get_by_text("Aucun établissement n'est enregistré").count() == 0
    caen = page.locator('tr[data-application="Communauté urbaine Caen la Mer"]')
    assert "À noter" in caen.inner_text()
    caen.get_by_role("link").first.click()
    page.get_by_label(re.compile(r"^Note : Motivation")).fill("5")
    page.get_by_label(re.compile(r"^Note : Potentiel")).fill("4")
    page.get_by_role("button", name="Enregistrer mes notes").click()
    assert page.get_by_text("Vos notes sont enregistrées.").is_visible()

    # The programme team selects the eight best-ranked eligible applications.
    page.context.clear_cookies()
    log_in(page, "programme@demo.tremplin.localhost", DEMO_PASSWORD)
    page.get_by_role("link", name="Gestion du programme").click()
    page.get_by_role("row", name=re.compile("Normandie 2019")).get_by_role(
        "link", name="Classement et sélection"
    ).click()
    assert page.locator("tr[data-rank]").count() == 10  # the two ineligible ones are not ranked
    assert page.locator("input[name=chosen]:checked").count() == 8
    page.get_by_role("button", name="Vérifier les e-mails avant de sélectionner").click()
    assert page.locator("[data-preview=selected]").is_visible()
    page.get_by_role("button", name="Faire la sélection et informer les candidats").click()
    assert page.get_by_text("8 candidatures sont retenues").is_visible()
    assert Application.objects.filter(status="selected").count() == 8
    outcomes = [message for message in mail.outbox if "candidature" in message.subject]
    assert len(outcomes) == 12  # every applicant hears the outcome, the ineligible ones too

    # Caux Seine Agglo, ranked first, starts its start-up phase: its officer opens workshop 1.
    assert Participation.objects.filter(territory__epci__siren=CAUX_SEINE).exists()
    page.context.clear_cookies()
    log_in(page, "technicien.cauxseine@demo.tremplin.localhost", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Accompagnement"
    ).click()
    page.get_by_role("link", name=re.compile("Caux Seine Agglo — ")).first.click()
    page.get_by_role("link", name="A1 · Diagnostic territorial").click()
    assert page.get_by_role("heading", name="Les données du territoire").is_visible()
    assert page.locator('[data-fact="known-outputs"]').inner_text() == "0"

    # The applicant of Caux Seine Agglo is not on its team because it applied: the team decides.
    applicant = Application.objects.get(epci__siren=CAUX_SEINE).applicant
    assert not applicant.memberships.exists()
    page.goto(f"/territoires/{Participation.objects.get(territory__epci__siren=CAUX_SEINE).territory_id}/")
    workspace = page.get_by_role("navigation", name="Espace de travail du territoire")
    workspace.get_by_role("link", name="Équipe").click()
    request = page.locator("[data-access-request]")
    assert request.count() == 1 and applicant.email in request.inner_text()
    request.get_by_role("button", name="Refuser").click()
    assert page.get_by_text("est refusée").is_visible()
    assert not applicant.memberships.exists()
    workspace.get_by_role("link", name="Journal").click()
    assert page.get_by_text("A refusé la demande de").first.is_visible()
