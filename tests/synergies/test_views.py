"""The synergy pages for the territory team: detection, review, board, table, detail and its forms."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.synergies import workflow
from tremplin.synergies.models import DetectionRun, Lead, Synergy
from tremplin.synergies.pipeline import add_action, mark_action_done, record_consent, record_measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _start(client, territory, mode="deductive"):
    return client.post(
        reverse("detection_home", kwargs={"territory_pk": territory.pk}), {"mode": mode, "objective": "gain"}
    )


def test_the_officer_runs_a_detection_and_sees_the_leads_with_their_explanation(officer_client, caux):
    factories.brewery_and_farm(caux)
    response = _start(officer_client, caux)
    run = DetectionRun.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("detection_run", kwargs={"pk": run.pk})
    page = officer_client.get(response.url).content.decode()
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="100"' in page
    assert "Drêches de brasserie" in page
    assert "Brasserie des Falaises" in page
    assert "Substitution (règle SUB-BIO-01)" in page
    assert "basis-estimated" in page


def test_the_progress_fragment_asks_htmx_to_reload_once_the_run_is_over(officer_client, caux):
    factories.brewery_and_farm(caux)
    _start(officer_client, caux)
    run = DetectionRun.objects.get()
    url = reverse("detection_run_progress", kwargs={"pk": run.pk})
    response = officer_client.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    run.status, run.progress, run.message = "running", 0.42, "Recherche des substitutions"
    run.save()
    fragment = officer_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="42"' in fragment
    assert 'hx-trigger="load delay:1s"' in fragment
    assert "Recherche des substitutions" in fragment


def test_accepting_then_moving_a_synergy_to_operational_through_the_pages(officer_client, caux):
    factories.brewery_and_farm(caux)
    _start(officer_client, caux)
    lead = Lead.objects.get(resource="bio_spent_grain")
    officer_client.post(reverse("lead_accept", kwargs={"pk": lead.pk}))
    synergy = Synergy.objects.get()
    board = officer_client.get(reverse("synergy_board", kwargs={"territory_pk": caux.pk})).content.decode()
    assert "Drêches de brasserie" in board
    for participant in synergy.participants.all():  # each company told the officer it agrees
        officer_client.post(
            reverse("participant_consent", kwargs={"pk": participant.pk}), {"answer": "accept"}
        )
    for move in ("qualify", "study", "implement", "make_operational"):
        response = officer_client.post(
            reverse("synergy_transition", kwargs={"pk": synergy.pk}), {"transition": move}
        )
        assert response.status_code == 302
    synergy.refresh_from_db()
    assert synergy.status == "operational"
    officer_client.post(
        reverse("synergy_measurement", kwargs={"pk": synergy.pk}),
        {
            "year": 2025,
            "tonnes_diverted": 300,
            "co2_avoided_t": 80,
            "eur_saved": 20000,
            "eur_earned": 9000,
            "jobs": 0.5,
        },
    )
    assert synergy.measurements.get().eur_earned == 9000
    detail = officer_client.get(reverse("synergy_detail", kwargs={"pk": synergy.pk})).content.decode()
    assert "Opérationnelle" in detail or "Opérationnel" in detail
    assert "Ferme laitière du Plateau" in detail
    table = officer_client.get(
        reverse("synergy_table", kwargs={"territory_pk": caux.pk}), {"status": "operational"}
    ).content.decode()
    assert "Drêches de brasserie" in table


def test_a_forbidden_move_is_explained_and_changes_nothing(officer_client, caux):
    synergy = factories.synergy(caux)
    response = officer_client.post(
        reverse("synergy_transition", kwargs={"pk": synergy.pk}), {"transition": "monitor"}, follow=True
    )
    assert "pas permis" in response.content.decode() or "not allowed" in response.content.decode()
    synergy.refresh_from_db()
    assert synergy.status == "detected"


def test_abandoning_from_the_page_records_the_reason(officer_client, caux):
    synergy = factories.synergy(caux, status="qualified")
    officer_client.post(
        reverse("synergy_transition", kwargs={"pk": synergy.pk}),
        {"transition": "abandon", "reason": "partner_withdrew", "note": "Cessation d'activité"},
    )
    synergy.refresh_from_db()
    assert (synergy.status, synergy.abandon_reason) == ("abandoned", "partner_withdrew")


def test_actions_are_added_and_marked_done(officer_client, caux):
    synergy = factories.synergy(caux)
    officer_client.post(
        reverse("synergy_action_add", kwargs={"pk": synergy.pk}),
        {"title": "Visiter la ferme", "owner_name": "Chargée EIT", "due_on": "2026-03-01"},
    )
    action = synergy.actions.get()
    assert (action.title, action.owner_name, str(action.due_on)) == (
        "Visiter la ferme",
        "Chargée EIT",
        "2026-03-01",
    )
    officer_client.post(reverse("synergy_action_done", kwargs={"pk": action.pk}), {"done": "1"})
    action.refresh_from_db()
    assert action.done


def test_dismissing_a_lead_from_the_page(officer_client, caux):
    factories.brewery_and_farm(caux)
    _start(officer_client, caux)
    lead = Lead.objects.get(resource="bio_spent_grain")
    officer_client.post(reverse("lead_dismiss", kwargs={"pk": lead.pk}), {"reason": "Déjà en place"})
    lead.refresh_from_db()
    assert lead.status == "dismissed"
    home = officer_client.get(reverse("detection_home", kwargs={"territory_pk": caux.pk})).content.decode()
    assert "Déjà en place" in home


def test_a_refused_reason_is_said_and_the_lead_stays_pending(officer_client, caux):
    """A reason too long (or holding a NUL) was dropped silently and the lead dismissed without it."""
    factories.brewery_and_farm(caux)
    _start(officer_client, caux)
    lead = Lead.objects.get(resource="bio_spent_grain")
    response = officer_client.post(
        reverse("lead_dismiss", kwargs={"pk": lead.pk}), {"reason": "x" * 600}, follow=True
    )
    lead.refresh_from_db()
    assert lead.status == "pending"
    assert "Pourquoi (facultatif) : " in response.content.decode()  # the field, named, and why


def test_an_action_refused_says_which_field_and_why(officer_client, caux):
    synergy = factories.synergy(caux, status="qualified")
    response = officer_client.post(
        reverse("synergy_action_add", kwargs={"pk": synergy.pk}), {"title": "a\x00b"}, follow=True
    )
    assert not synergy.actions.exists()
    html = response.content.decode()
    assert "Action : Le caractère nul n’est pas autorisé." in html


def test_the_workspace_tabs_lead_to_detection_synergies_and_indicators(officer_client, caux):
    page = officer_client.get(reverse("territory_detail", kwargs={"pk": caux.pk})).content.decode()
    for name in ("detection_home", "synergy_board", "territory_indicators"):
        assert re.search(re.escape(reverse(name, kwargs={"territory_pk": caux.pk})), page), name


# Consent, measured figures and the history on the synergy's page


def test_the_page_says_why_implementation_is_not_available_and_the_move_is_refused(officer_client, caux):
    brewery, farm = factories.brewery_and_farm(caux)
    synergy = factories.synergy(caux, status="under_study", participants=(brewery, farm))
    officer_client.post(
        reverse("participant_consent", kwargs={"pk": synergy.participants.get(establishment=farm).pk}),
        {"answer": "decline"},
    )
    page = officer_client.get(reverse("synergy_detail", kwargs={"pk": synergy.pk})).content.decode()
    assert "Pas encore possible :" in page
    assert "refus : Ferme laitière du Plateau ; pas encore de réponse : Brasserie des Falaises" in page
    board = officer_client.get(reverse("synergy_board", kwargs={"territory_pk": caux.pk})).content.decode()
    assert "pas encore possible" in board
    response = officer_client.post(
        reverse("synergy_transition", kwargs={"pk": synergy.pk}), {"transition": "implement"}, follow=True
    )
    assert (
        "Tous les participants doivent d&#x27;abord accepter d&#x27;être mis en relation"
        in response.content.decode()
    )
    synergy.refresh_from_db()
    assert synergy.status == "under_study"


def test_a_measurement_for_next_year_is_refused_from_the_page(officer_client, caux):
    synergy = factories.operational_synergy(caux)
    next_year = timezone.localdate().year + 1
    response = officer_client.post(
        reverse("synergy_measurement", kwargs={"pk": synergy.pk}),
        {
            "year": next_year,
            "tonnes_diverted": 1,
            "co2_avoided_t": 0,
            "eur_saved": 0,
            "eur_earned": 0,
            "jobs": 0,
        },
        follow=True,
    )
    assert not synergy.measurements.exists()
    assert "une année commencée" in response.content.decode()


def test_the_history_tells_consent_actions_and_figures_in_plain_language(officer_client, caux):
    brewery, farm = factories.brewery_and_farm(caux)
    synergy = factories.synergy(caux, status="under_study", participants=(brewery, farm))
    contact = factories.company_contact(brewery, first_name="Paul", last_name="Brasseur")
    record_consent(synergy.participants.get(establishment=brewery), by=contact, accepted=True)
    officer = factories.territory_officer(caux, first_name="Alice", last_name="Martin")
    record_consent(synergy.participants.get(establishment=farm), by=officer, accepted=True)
    action = add_action(synergy, by=officer, title="Visiter la ferme", owner_name="Chargée EIT")
    mark_action_done(action, by=officer)
    for move in (workflow.implement, workflow.make_operational):
        move(synergy, by=officer)
    record_measurement(synergy, by=officer, year=2025, tonnes_diverted=300, eur_saved=20000, note="Factures")
    page = officer_client.get(reverse("synergy_detail", kwargs={"pk": synergy.pk})).content.decode()
    history = page[page.index('id="history"') :]
    expected_in_order = [
        "Entrée dans le pipeline, au statut « Détectée ».",
        "Brasserie des Falaises accepte la mise en relation avec les autres participants de",
        "Réponse : donnée par l&#x27;entreprise",
        "Ferme laitière du Plateau accepte la mise en relation",
        "Réponse : notée par l&#x27;équipe du territoire",
        "A ajouté l&#x27;action « Visiter la ferme »",
        "Responsable : Chargée EIT",
        "A marqué comme faite l&#x27;action « Visiter la ferme »",
        "Statut passé de « À l&#x27;étude » à « En cours de mise en œuvre ».",
        "A enregistré les chiffres mesurés de 2025",
        "tonnes détournées : 300",
        "€ économisés : 20\u202f000",
        "Note : Factures",
    ]
    missing = [text for text in expected_in_order if text not in history]
    assert not missing, history
    positions = [history.index(text) for text in expected_in_order]
    assert positions == sorted(positions)
    assert "Paul Brasseur" in history and "Alice Martin" in history
    assert "synergy." not in history  # never a raw action code
