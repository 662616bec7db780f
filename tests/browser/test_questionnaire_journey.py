"""The officer invites a company contact, who declares a gisement on a phone through its link; the officer
sees the change on the establishment page."""

import re

import pytest
from django.core import mail

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.flows.models import Flow

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def test_a_company_contact_fills_the_questionnaire_through_its_link(page, chromium, live_server):
    caux = factories.territory(CAUX_SEINE)
    brewery = factories.establishment(
        caux, name="Brasserie du Pays de Caux", naf_code="11.05Z", headcount_band="11"
    )
    factories.territory_officer(caux, email="officer@caux.example")

    # The officer invites the brewery's contact from the establishment page.
    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/etablissements/{brewery.pk}/")
    page.get_by_label("Adresse e-mail du contact").fill("brasseur@pays-de-caux.example")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.wait_for_selector("text=Invitation envoyée à brasseur@pays-de-caux.example")
    assert mail.outbox[-1].to == ["brasseur@pays-de-caux.example"]
    link = re.search(r"http://\S+/questionnaire/lien/\S+/", mail.outbox[-1].body).group(0)

    # The officer, checking the link in their own browser, is asked first and stays themselves.
    page.goto(link)
    assert page.get_by_text("Vous êtes connecté en tant que officer@caux.example").is_visible()
    page.get_by_role("link", name="Rester connecté en tant que officer@caux.example").click()
    page.goto(f"/etablissements/{brewery.pk}/")
    assert page.get_by_role("link", name="Modifier", exact=True).is_visible()

    # The contact opens the link on a phone, and confirms (the link signs in once).
    phone = chromium.new_context(locale="fr-FR", base_url=live_server.url, **PHONE)
    phone.set_default_timeout(15_000)
    contact = phone.new_page()
    contact.goto(link)
    contact.get_by_role("button", name="Ouvrir le questionnaire").click()
    contact.wait_for_url("**/questionnaire/etablissements/*/")
    assert contact.get_by_role("heading", name="Brasserie du Pays de Caux").is_visible()
    contact.get_by_role("link", name="Commencer").click()
    contact.wait_for_url("**/gisements/")
    assert contact.get_by_role("heading", name="Que produit ou rejette votre site ?").is_visible()
    # Nothing sticks out sideways on a phone.
    assert contact.evaluate("document.documentElement.scrollWidth") <= 390

    # Search-as-you-type in the catalogue, accents left out.
    contact.get_by_label("Rechercher dans le catalogue").press_sequentially("dreche", delay=50)
    option = contact.get_by_role("button", name=re.compile("Drêches de brasserie"))
    option.click()
    assert contact.get_by_label("Ressource", exact=True).input_value() == "bio_spent_grain"
    assert contact.get_by_label("Unité").input_value() == "t"
    contact.get_by_label("Quantité").fill("15")
    contact.get_by_label("Fréquence").select_option("week")
    contact.get_by_label("Filière actuelle").fill("Éleveur voisin, reprise gratuite")
    contact.get_by_role("button", name="Ajouter", exact=True).click()
    contact.wait_for_selector("text=Enregistré : Drêches de brasserie et de distillerie.")
    assert contact.locator('[data-resource="bio_spent_grain"]').inner_text().count("780 t par an") == 1

    contact.get_by_role("link", name="Suivant : ce que vous achetez ou consommez").click()
    contact.get_by_role("link", name="Suivant : vérifier et envoyer").click()
    contact.get_by_role("button", name="Envoyer mes réponses").click()
    contact.wait_for_selector("text=Merci : vos réponses ont été transmises")
    phone.close()

    flow = Flow.objects.get()
    # 15 t a week x 52 weeks = 780 t a year, declared by the contact
    assert (flow.resource, flow.quantity_per_year, flow.declared_by.email) == (
        "bio_spent_grain",
        780.0,
        "brasseur@pays-de-caux.example",
    )

    # The officer sees the declared flow in place of the estimate, and who changed what, when.
    page.reload()
    declared = page.locator('[data-flows="declared-out"]')
    assert "Drêches de brasserie et de distillerie" in declared.inner_text()
    assert page.locator('[data-estimate="out:bio_spent_grain"]').count() == 0
    history = page.locator(".flow-history")
    assert "brasseur@pays-de-caux.example" in history.inner_text()
    assert "A déclaré un flux de" in history.inner_text()
    assert "Drêches de brasserie et de distillerie" in history.inner_text()
    assert "A envoyé le questionnaire de" in history.inner_text()
