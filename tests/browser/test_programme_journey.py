"""The call-and-selection journey in a real browser: an EPCI applies (draft, upload, submit), a late
application is refused, an ineligible one shows its reasons, a committee member scores, and the
programme team selects 8 and notifies every applicant."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.programme.models import Application, Call, Score
from tremplin.programme.services.reference import demo_pdf
from tremplin.programme.services.scoring import ScoreInput, record_scores

pytestmark = pytest.mark.browser

NORMANDY_EPCIS = [
    "200010700",  # Caux Seine Agglo
    "200084952",  # Le Havre Seine Métropole
    "200065597",  # Caen la Mer
    "200067205",  # Cotentin
    "200071454",  # Evreux Portes de Normandie
    "200089456",  # Seine-Eure
    "200066389",  # Saint-Lô Agglo
    "200069532",  # Lisieux Normandie
    "200035814",  # Flers Agglo
]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_epci_signs_up_saves_a_draft_uploads_its_letter_and_submits(page):
    call = factories.call(title="Tremplin EIT Normandie 2027")

    page.goto("/")
    page.get_by_role("link", name="Appels à candidatures").click()
    page.get_by_role("link", name="Tremplin EIT Normandie 2027").click()
    page.get_by_role("link", name="Créer un compte").click()
    page.get_by_label("Adresse e-mail").fill("technicien@caux.example")
    page.get_by_label("Prénom").fill("Sophie")
    page.get_by_label("Nom", exact=True).fill("Anquetil")
    page.get_by_role("button", name="Créer mon compte").click()

    # The account works only once the address is proved: the link sent to it sets the password.
    assert page.get_by_role("heading", name="Confirmez votre adresse e-mail").is_visible()
    (message,) = mail.outbox
    assert message.to == ["technicien@caux.example"]
    page.goto(re.search(r"https?://\S+", message.body).group(0))
    page.get_by_label("Nouveau mot de passe", exact=True).fill(factories.PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Activer mon compte").click()

    page.wait_for_url(f"**/programme/appels/{call.pk}/candidater/")
    assert page.get_by_text("Votre adresse est confirmée et votre compte est prêt.").is_visible()
    page.get_by_label("EPCI candidat").select_option(label="Communauté d'agglomération Caux Seine Agglo")
    page.get_by_label("Élu référent : nom").fill("Jean-Pierre Vasse")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_text("Brouillon enregistré.").is_visible()
    assert page.get_by_label("Élu référent : nom").input_value() == "Jean-Pierre Vasse"

    page.get_by_label("Élu référent : fonction").fill("Vice-président")
    page.get_by_label("Élu référent : e-mail").fill("elu@caux.example")
    page.get_by_label("Technicien : nom").fill("Sophie Anquetil")
    page.get_by_label("Technicien : fonction").fill("Chargée de mission économie circulaire")
    page.get_by_label("Technicien : e-mail").fill("technicien@caux.example")
    page.get_by_label("Cit'ergie", exact=True).check()
    page.get_by_label("État du PLPDMA").select_option(label="Adopté")
    page.get_by_label(re.compile("participé au PNSI")).select_option(label="Non")
    page.get_by_label("Ambitions en matière de transition écologique").fill("Un territoire industriel sobre.")
    page.get_by_label("Attentes quant à l'écologie industrielle et territoriale").fill("Des synergies.")
    page.get_by_label("Courrier signé (PDF)").set_input_files(
        files=[{"name": "courrier.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("Courrier")}]
    )
    page.get_by_label("Attendue (après la date limite)").check()
    page.get_by_label("Délibération attendue le").fill("2027-04-15")
    page.get_by_role("button", name="Déposer la candidature").click()

    assert page.get_by_text("Votre candidature est déposée.").is_visible()
    assert page.locator("[data-status]").get_attribute("data-status") == "eligible"
    assert page.get_by_text("PLPDMA : adopté.").is_visible()
    application = Application.objects.get(call=call)
    assert application.letter_filename == "courrier.pdf" and application.submitted_at is not None


def test_a_letter_that_is_not_a_pdf_is_refused_and_the_form_keeps_its_data(page):
    call = factories.call()
    factories.user(email="technicien@caux.example")
    log_in(page, "technicien@caux.example", factories.PASSWORD)
    page.goto(f"/programme/appels/{call.pk}/candidater/")
    page.get_by_label("EPCI candidat").select_option(label="Communauté d'agglomération Caux Seine Agglo")
    page.get_by_label("Élu référent : nom").fill("Jean-Pierre Vasse")
    page.get_by_label("Courrier signé (PDF)").set_input_files(
        files=[{"name": "courrier.pdf", "mimeType": "application/pdf", "buffer": b"GIF89a, an image"}]
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert page.get_by_text("Ce fichier n'est pas un document PDF valide").is_visible()
    assert page.get_by_label("Élu référent : nom").input_value() == "Jean-Pierre Vasse"
    assert not Application.objects.exists()


def test_a_late_application_is_refused_with_a_clear_message(page):
    call = factories.call(open_=False)
    draft = factories.draft_application(call, CAUX_SEINE, factories.user(email="retard@caux.example"))
    log_in(page, "retard@caux.example", factories.PASSWORD)
    page.goto(f"/programme/candidatures/{draft.pk}/modifier/")
    page.get_by_role("button", name="Déposer la candidature").click()
    alert = page.get_by_role("alert").filter(has_text="est passée")
    assert alert.first.is_visible()
    assert "les candidatures ne peuvent plus être déposées" in alert.first.inner_text()
    draft.refresh_from_db()
    assert draft.status == "draft"
    # A newcomer finds the call closed, with no form to fill.
    page.goto(f"/programme/appels/{call.pk}/")
    assert page.get_by_text("La date limite est passée").is_visible()


def test_an_ineligible_application_shows_its_reasons(page):
    call = factories.call(title="Appel Normandie")
    factories.submitted_application(
        call,
        CAUX_SEINE,
        factories.user(email="pnsi@caux.example"),
        pnsi_participation=True,
        plpdma_status="none",
    )
    log_in(page, "pnsi@caux.example", factories.PASSWORD)
    page.get_by_role("link", name="Appels à candidatures").click()
    page.get_by_role("link", name=re.compile("Caux Seine Agglo — Appel Normandie")).click()
    reasons = page.locator("[data-reasons] li")
    assert reasons.all_inner_texts() == [
        "Le PLPDMA (programme de prévention des déchets) n'est ni adopté ni en cours d'élaboration.",
        "Le territoire a bénéficié du programme PNSI, que l'appel exclut.",
    ]
    assert page.locator("[data-status]").get_attribute("data-status") == "ineligible"


def test_a_committee_member_scores_an_application(page):
    call = factories.call(title="Appel Normandie")
    factories.seated_committee_member(call, email="ademe@example.org")
    application = factories.submitted_application(call, CAUX_SEINE)

    log_in(page, "ademe@example.org", factories.PASSWORD)
    page.get_by_role("link", name="Comité", exact=True).click()
    page.get_by_role("link", name="Appel Normandie").click()
    row = page.locator('tr[data-application="Communauté d\'agglomération Caux Seine Agglo"]')
    assert "À noter" in row.inner_text()
    assert "Aucun établissement n'est enregistré" in row.inner_text()
    row.get_by_role("link").click()
    page.get_by_label("Note : Motivation (de 0 à 5)").fill("4")
    page.get_by_label("Commentaire : Motivation").fill("Élus très impliqués")
    page.get_by_label("Note : Potentiel de synergies (de 0 à 5)").fill("3")
    page.get_by_role("button", name="Enregistrer mes notes").click()
    assert page.get_by_text("Vos notes sont enregistrées.").is_visible()
    assert "Notée" in row.inner_text()
    assert sorted(Score.objects.filter(application=application).values_list("value", flat=True)) == [3, 4]


def test_the_programme_team_selects_eight_and_every_applicant_is_notified(page):
    call = factories.call(title="Appel Normandie", places=8)
    member = factories.seated_committee_member(call)
    motivation, potential = call.criteria.order_by("position")
    submitted = call.deadline - dt.timedelta(days=5)
    # Nine eligible applications scored 5/5, 5/4, …: the ninth (Flers, 1/1) is ranked out.
    for index, siren in enumerate(NORMANDY_EPCIS):
        application = factories.submitted_application(
            call, siren, factories.user(email=f"candidat{index}@epci.example"), submitted_at=submitted
        )
        mark = max(1, 5 - index // 2)
        record_scores(application, {motivation: ScoreInput(mark), potential: ScoreInput(mark)}, by=member)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    factories.programme_team_member(email="programme@example.org")

    log_in(page, "programme@example.org", factories.PASSWORD)
    page.get_by_role("link", name="Gestion du programme").click()
    page.get_by_role("row", name=re.compile("Appel Normandie")).get_by_role(
        "link", name="Classement et sélection"
    ).click()
    assert page.locator("[data-formula]").is_visible()
    assert page.locator("tr[data-rank]").count() == 9
    assert page.locator("input[name=chosen]:checked").count() == 8
    assert not page.locator('tr[data-rank="9"] input[name=chosen]').is_checked()
    page.get_by_role("button", name="Vérifier les e-mails avant de sélectionner").click()
    assert page.locator("[data-preview=selected]").is_visible()
    page.get_by_role("button", name="Faire la sélection et informer les candidats").click()

    assert page.get_by_text("8 candidatures sont retenues").is_visible()
    assert page.locator("[data-decided]").is_visible()
    assert Application.objects.filter(call=call, status="selected").count() == 8
    assert Application.objects.get(call=call, epci__siren="200035814").status == "not_selected"
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects.count("Appel Normandie : votre candidature est retenue") == 8
    assert subjects.count("Appel Normandie : résultat de votre candidature") == 1
    # None of the new workspaces has a team: the programme team is asked who joins each of them.
    assert sum("demande à rejoindre l'équipe" in subject for subject in subjects) == 8
    assert page.get_by_role("link", name="Demandes d'accès").is_visible()
    page.get_by_role("link", name="Demandes d'accès").click()
    assert page.locator("[data-access-request]").count() == 8
    caux = page.locator("[data-access-request]").filter(has_text="Caux Seine Agglo")
    caux.get_by_role("button", name="Accepter").click()
    assert page.get_by_text("rejoint l'équipe de Communauté d'agglomération Caux Seine Agglo").is_visible()
    assert page.locator("[data-access-request]").count() == 7
