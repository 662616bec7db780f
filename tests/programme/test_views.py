"""The programme's pages through the web client: sign-up, fiche, submission, scores, ranking, selection,
call management."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.models import User
from tremplin.geo.models import Epci
from tremplin.programme.models import Application, Call, Score

pytestmark = pytest.mark.django_db


def _post_fiche(siren, **overrides):
    data = {**factories.fiche(), "epci": Epci.objects.get(siren=siren).pk, "pnsi_participation": "false"}
    data["strategy_types"] = [item["type"] for item in data.pop("strategies")]
    data["deliberation_expected_on"] = "2019-04-15"
    data.update(overrides)
    return data


def test_a_person_signs_up_confirms_the_address_and_is_sent_back_to_the_call(
    client, django_capture_on_commit_callbacks
):
    call = factories.call()
    apply_url = reverse("programme_apply", kwargs={"pk": call.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programme_signup"),
            {
                "email": "Agent@Caux.example",
                "first_name": "Sophie",
                "last_name": "Anquetil",
                "next": apply_url,
            },
        )
    assert response.status_code == 302 and response.url.startswith(reverse("signup_sent"))
    user = User.objects.get(email="agent@caux.example")
    assert not user.is_active and not user.has_usable_password()
    assert client.get(apply_url).status_code == 302  # not signed in: nothing to apply with yet
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/\S+)", message.body).group(1)
    response = client.post(
        link, {"new_password1": factories.PASSWORD, "new_password2": factories.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == apply_url
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at is not None
    assert not user.memberships.exists()
    assert client.get(apply_url).status_code == 200


def test_sign_up_refuses_an_address_already_used(client):
    factories.user(email="agent@caux.example")
    response = client.post(
        reverse("programme_signup"),
        {
            "email": "agent@caux.example",
            "first_name": "A",
            "last_name": "B",
            "password1": factories.PASSWORD,
            "password2": factories.PASSWORD,
        },
    )
    assert "Un compte existe déjà avec cette adresse" in response.content.decode()


def test_a_draft_is_saved_incomplete_and_shown_again(client):
    call = factories.call()
    applicant = factories.user()
    client.force_login(applicant)
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {"epci": Epci.objects.get(siren=CAUX_SEINE).pk, "official_name": "Jeanne Élue", "save": ""},
    )
    draft = Application.objects.get(applicant=applicant)
    assert response.url == reverse("programme_application_edit", kwargs={"pk": draft.pk})
    html = client.get(response.url).content.decode()
    assert 'value="Jeanne Élue"' in html
    assert "Brouillon" in html
    assert "INVALID_TEMPLATE_VARIABLE" not in html


def test_a_file_that_is_not_a_pdf_is_refused_and_the_typed_fields_are_kept(client):
    call = factories.call()
    client.force_login(factories.user())
    fake = SimpleUploadedFile("courrier.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {**_post_fiche(CAUX_SEINE, official_name="Jeanne Tapée"), "letter_upload": fake, "submit": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "n&#x27;est pas un document PDF valide" in html
    assert 'value="Jeanne Tapée"' in html
    assert not Application.objects.exists()


def test_a_too_large_letter_is_refused_with_the_limit(client, settings):
    settings.PROGRAMME_UPLOAD_MAX_BYTES = 1_000
    call = factories.call()
    client.force_login(factories.user())
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {**_post_fiche(CAUX_SEINE), "letter_upload": factories.pdf_upload(padding=2_000), "save": ""},
    )
    assert "trop volumineux" in response.content.decode()
    assert not Application.objects.exists()


def test_an_epci_applies_uploads_its_letter_and_submits(client):
    call = factories.call()
    applicant = factories.user()
    client.force_login(applicant)
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {**_post_fiche(CAUX_SEINE), "letter_upload": factories.pdf_upload(), "submit": ""},
        follow=True,
    )
    application = Application.objects.get(applicant=applicant)
    assert application.status == "eligible"
    html = response.content.decode()
    assert "Votre candidature est déposée." in html
    assert 'data-status="eligible"' in html
    assert "Stratégie de transition écologique : Cit&#x27;ergie." in html


def test_submitting_an_incomplete_draft_marks_what_is_missing(client):
    call = factories.call()
    client.force_login(factories.user())
    response = client.post(
        reverse("programme_apply", kwargs={"pk": call.pk}),
        {"epci": Epci.objects.get(siren=CAUX_SEINE).pk, "submit": ""},
        follow=True,
    )
    html = response.content.decode()
    assert "La candidature est incomplète" in html
    assert "Joignez le courrier signé (PDF)." in html
    assert Application.objects.get().status == "draft"


def test_a_late_submission_is_refused_with_a_clear_message(client):
    call = factories.call(open_=False)
    draft = factories.draft_application(call, CAUX_SEINE)
    client.force_login(draft.applicant)
    response = client.post(
        reverse("programme_application_edit", kwargs={"pk": draft.pk}),
        {**_post_fiche(CAUX_SEINE), "submit": ""},
        follow=True,
    )
    html = response.content.decode()
    assert "est passée : les candidatures ne peuvent plus être déposées" in html
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_closed_call_offers_no_form(client):
    call = factories.call(open_=False)
    client.force_login(factories.user())
    html = client.get(reverse("programme_apply", kwargs={"pk": call.pk})).content.decode()
    assert "data-closed" in html and '<form method="post" enctype' not in html
    assert (
        "La date limite est passée"
        in client.get(reverse("programme_call_detail", kwargs={"pk": call.pk})).content.decode()
    )


def test_an_ineligible_application_shows_its_reasons_to_its_applicant(client):
    application = factories.submitted_application(factories.call(), CAUX_SEINE, pnsi_participation=True)
    client.force_login(application.applicant)
    html = client.get(reverse("programme_application_detail", kwargs={"pk": application.pk})).content.decode()
    assert 'data-eligibility="ineligible"' in html
    assert "Le territoire a bénéficié du programme PNSI, que l&#x27;appel exclut." in html


def test_the_applicant_attaches_the_deliberation_later(client):
    application = factories.submitted_application(factories.call(open_=False), CAUX_SEINE)
    client.force_login(application.applicant)
    response = client.post(
        reverse("programme_application_deliberation", kwargs={"pk": application.pk}),
        {"document": factories.pdf_upload("deliberation.pdf")},
        follow=True,
    )
    assert "La délibération est enregistrée." in response.content.decode()
    application.refresh_from_db()
    assert application.deliberation_status == "attached"


def test_a_committee_member_scores_beside_the_synergy_potential(client):
    call = factories.call()
    member = factories.seated_committee_member(call)
    application = factories.submitted_application(call, CAUX_SEINE)
    client.force_login(member)
    listing = client.get(reverse("programme_committee_call", kwargs={"pk": call.pk})).content.decode()
    assert "Aucun établissement n'est enregistré pour le territoire de cet EPCI" in listing
    motivation, potential = call.criteria.order_by("position")
    url = reverse("programme_score", kwargs={"pk": application.pk})
    response = client.post(
        url,
        {
            f"score_{motivation.pk}": "4",
            f"comment_{motivation.pk}": "Élus moteurs",
            f"score_{potential.pk}": "3",
            f"comment_{potential.pk}": "",
        },
    )
    assert response.status_code == 302
    assert sorted(Score.objects.values_list("criterion__code", "value", "comment")) == [
        ("motivation", 4, "Élus moteurs"),
        ("potentiel", 3, ""),
    ]
    refused = client.post(url, {f"score_{motivation.pk}": "9", f"score_{potential.pk}": "3"})
    assert refused.status_code == 200 and "inférieure ou égale à 5" in refused.content.decode()


def test_the_ranking_page_writes_the_formula_and_the_tie_break_then_selects(
    client, django_capture_on_commit_callbacks
):
    call = factories.call(places=1)
    member = factories.seated_committee_member(call)
    first = factories.submitted_application(call, CAUX_SEINE)
    second = factories.submitted_application(call, LE_HAVRE)
    motivation, potential = call.criteria.order_by("position")
    from tremplin.programme.services.scoring import ScoreInput, record_scores

    record_scores(first, {motivation: ScoreInput(5), potential: ScoreInput(4)}, by=member)  # 4.5
    record_scores(second, {motivation: ScoreInput(3), potential: ScoreInput(3)}, by=member)  # 3
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(factories.programme_team_member())
    url = reverse("programme_call_ranking", kwargs={"pk": call.pk})
    html = client.get(url).content.decode()
    assert "Note pondérée = Σ sur les critères de la pondération × moyenne" in html
    assert "le potentiel de synergies calculé par le moteur" in html
    assert 'data-rank="1" data-application="Communauté d&#x27;agglomération Caux Seine Agglo"' in html
    assert "4,50" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"chosen": [str(first.pk)], "justification": "", "confirmed": "1"}, follow=True
        )
    assert "1 candidatures sont retenues" in response.content.decode()
    assert len([message for message in mail.outbox if "candidature" in message.subject]) == 2
    first.refresh_from_db()
    assert first.status == "selected"


def test_the_programme_team_cannot_override_without_a_justification(client):
    application = factories.submitted_application(factories.call(), CAUX_SEINE, plpdma_status="none")
    client.force_login(factories.programme_team_member())
    url = reverse("programme_override", kwargs={"pk": application.pk})
    response = client.post(url, {"eligible": "true", "justification": ""})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == "ineligible"
    client.post(url, {"eligible": "true", "justification": "PLPDMA voté depuis."})
    application.refresh_from_db()
    assert application.status == "eligible" and application.eligibility_overridden


def test_the_programme_team_creates_a_call_with_its_criteria(client):
    client.force_login(factories.programme_team_member())
    from tremplin.geo.models import Region

    response = client.post(
        reverse("programme_call_create"),
        {
            "title": "Tremplin EIT Normandie 2027",
            "region": Region.objects.get(code="28").pk,
            "description": "",
            "opens_at": "2027-01-10T09:00",
            "deadline": "2027-03-15T23:59",
            "places": "10",
            "require_fiscalite_propre": "on",
            "require_transition_strategy": "on",
            "require_plpdma": "on",
            "exclude_pnsi": "on",
            "contact_email": "",
            "criteria-TOTAL_FORMS": "2",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "1000",
            "criteria-0-code": "motivation",
            "criteria-0-label": "Motivation",
            "criteria-0-weight": "0.6",
            "criteria-0-max_score": "5",
            "criteria-0-position": "1",
            "criteria-1-code": "",
            "criteria-1-label": "",
            "criteria-1-weight": "",
            "criteria-1-max_score": "5",
            "criteria-1-position": "0",
        },
    )
    call = Call.objects.get(title="Tremplin EIT Normandie 2027")
    assert response.status_code == 302
    assert call.places == 10
    assert call.deadline.astimezone(timezone.get_current_timezone()).hour == 23
    assert list(call.criteria.values_list("code", "weight")) == [
        ("motivation", __import__("decimal").Decimal("0.60"))
    ]
    assert call.audit_entries.filter(action="call.created").exists()


def test_a_second_criterion_with_the_same_code_is_refused_with_a_message_not_a_server_error(client):
    call = factories.call()
    client.force_login(factories.programme_team_member())
    motivation, potential = call.criteria.order_by("position")
    data = {
        "title": call.title,
        "region": call.region_id,
        "description": "",
        "opens_at": "2027-01-10T09:00",
        "deadline": "2027-03-15T23:59",
        "places": "8",
        "contact_email": "",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "2",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for index, criterion in enumerate((motivation, potential)):
        data |= {
            f"criteria-{index}-id": str(criterion.pk),
            f"criteria-{index}-code": criterion.code,
            f"criteria-{index}-label": criterion.label,
            f"criteria-{index}-weight": "0.5",
            f"criteria-{index}-max_score": "5",
            f"criteria-{index}-position": str(index + 1),
        }
    duplicate = {
        "criteria-2-code": "motivation",
        "criteria-2-label": "Motivation bis",
        "criteria-2-weight": "0.2",
        "criteria-2-max_score": "5",
        "criteria-2-position": "3",
    }
    response = client.post(reverse("programme_call_edit", kwargs={"pk": call.pk}), data | duplicate)
    assert response.status_code == 200
    assert "Deux critères ont le code « motivation »" in response.content.decode()
    assert call.criteria.count() == 2
    # Swapping two codes is no duplicate: it is saved.
    swapped = data | {
        "criteria-0-code": "potentiel",
        "criteria-1-code": "motivation",
        "criteria-TOTAL_FORMS": "2",
    }
    assert client.post(reverse("programme_call_edit", kwargs={"pk": call.pk}), swapped).status_code == 302
    assert dict(call.criteria.values_list("pk", "code")) == {
        motivation.pk: "potentiel",
        potential.pk: "motivation",
    }
    assert call.audit_entries.filter(action="criterion.changed").count() == 2


def test_a_criterion_changed_on_the_call_page_is_saved_and_audited(client):
    """The formset's validation writes into its instances: the operation compares with the record."""
    call = factories.call()
    client.force_login(factories.programme_team_member())
    motivation, potential = call.criteria.order_by("position")
    data = {
        "title": call.title,
        "region": call.region_id,
        "description": "",
        "opens_at": "2027-01-10T09:00",
        "deadline": "2027-03-15T23:59",
        "places": "8",
        "contact_email": "",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "2",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for index, criterion in enumerate((motivation, potential)):
        data |= {
            f"criteria-{index}-id": str(criterion.pk),
            f"criteria-{index}-code": criterion.code,
            f"criteria-{index}-label": criterion.label,
            f"criteria-{index}-weight": "0.5",
            f"criteria-{index}-max_score": "5",
            f"criteria-{index}-position": str(index + 1),
        }
    data["criteria-0-label"] = "Motivation et portage politique"
    data["criteria-0-weight"] = "0.7"
    assert client.post(reverse("programme_call_edit", kwargs={"pk": call.pk}), data).status_code == 302
    motivation.refresh_from_db()
    assert (motivation.label, str(motivation.weight)) == ("Motivation et portage politique", "0.70")
    assert call.audit_entries.filter(action="criterion.changed").count() == 1
