"""Detection run as a background task (in-process in tests), its leads, accepting and dismissing them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.synergies import detection
from tremplin.synergies.detection import accept_lead, dismiss_lead, lead_signature, start_detection
from tremplin.synergies.exceptions import DetectionAlreadyRunning, LeadAlreadyDecided
from tremplin.synergies.models import DetectionRun, Dismissal, Lead, Synergy

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def pair(caux):
    return factories.brewery_and_farm(caux, distance_km=5.0)


def _spent_grain_lead(run, brewery, farm):
    return run.leads.get(signature=lead_signature("substitution", "bio_spent_grain", [brewery.pk, farm.pk]))


def test_a_deductive_run_finds_the_spent_grain_between_the_brewery_and_the_farm(caux, officer, pair):
    brewery, farm = pair
    run = start_detection(caux, mode="deductive", by=officer)
    run.refresh_from_db()
    assert run.status == "done"
    assert run.progress == 1.0
    assert run.establishment_count == 2
    assert run.task_result_id
    lead = _spent_grain_lead(run, brewery, farm)
    data = lead.data
    assert data["rule_id"] == "SUB-BIO-01"
    assert (data["source_id"], data["target_id"]) == (str(brewery.pk), str(farm.pk))
    # 5 km due north: great-circle 5.0 km, road distance = 5.0 × detour factor 1.3.
    assert data["great_circle_km"] == pytest.approx(5.0, abs=0.01)
    assert data["distance_km"] == pytest.approx(6.5, abs=0.02)
    assert lead.confidence == "estimated"
    # The yearly gain is shared between the two participants; all the spent grain leaves disposal.
    assert sum(p["gain_eur"] for p in data["participants"]) == pytest.approx(lead.gain_eur_per_year)
    assert lead.tonnes_diverted_per_year == pytest.approx(data["quantity"])
    assert "Drêches" in data["explanation"]


def test_a_systematic_run_uses_the_declared_quantities_only(caux, officer, pair):
    brewery, farm = pair
    factories.flow(brewery, resource="bio_spent_grain", quantity=400, unit="t")
    factories.flow(farm, direction="in", resource="bio_animal_feed", quantity=50, unit="t")
    factories.establishment(caux, naf_code="16.10A", name="Scierie sans déclaration")
    run = start_detection(caux, mode="systematic", by=officer)
    run.refresh_from_db()
    assert run.establishment_count == 2  # only those who declared flows
    assert run.stats["flows_by_basis"] == {"declared": 2, "workshop": 0, "register": 0, "estimated": 0}
    lead = _spent_grain_lead(run, brewery, farm)
    # 1 t of wet spent grain replaces 0.25 t of feed: 50 t of feed take 200 t of the 400 t declared.
    assert lead.data["quantity"] == pytest.approx(200.0)
    assert lead.tonnes_diverted_per_year == pytest.approx(200.0)
    assert lead.confidence == "declared"


def test_progress_is_stored_on_the_run_while_it_runs(caux, officer, pair, monkeypatch):
    seen = []
    real_detect = detection.engine.detect

    def spying_detect(*args, progress, **kwargs):
        def spy(fraction, message):
            progress(fraction, message)
            run = DetectionRun.objects.get()
            seen.append((run.status, run.progress, run.message))

        return real_detect(*args, progress=spy, **kwargs)

    monkeypatch.setattr(detection.engine, "detect", spying_detect)
    start_detection(caux, mode="deductive", by=officer)
    assert seen[0][0] == "running"
    assert seen[0][2] == "Préparation des établissements et des flux"
    progresses = [p for _s, p, _m in seen]
    assert progresses == sorted(progresses)
    assert 0.05 <= progresses[0] < progresses[-1] <= 0.9


def test_accepting_a_lead_puts_a_detected_synergy_with_its_participants_in_the_pipeline(caux, officer, pair):
    brewery, farm = pair
    run = start_detection(caux, mode="deductive", by=officer)
    lead = _spent_grain_lead(run, brewery, farm)
    synergy = accept_lead(lead, by=officer)
    assert synergy.status == "detected"
    assert synergy.kind == "substitution"
    assert synergy.resource == "bio_spent_grain"
    assert synergy.basis == "estimated"
    assert synergy.gain_eur_per_year == pytest.approx(lead.gain_eur_per_year)
    assert synergy.co2_avoided_t_per_year == pytest.approx(lead.co2_avoided_t_per_year)
    assert synergy.source_run == run
    roles = {p.establishment: p.role for p in synergy.participants.all()}
    assert roles == {brewery: "source", farm: "target"}
    assert set(synergy.participants.values_list("consent", flat=True)) == {"pending"}
    # The supplier's transfer price is what is earned; the rest of the gain is saved.
    supplier = next(p for p in lead.data["participants"] if p["role"] == "fournisseur")
    transfer = {i["label"]: i["eur"] for i in supplier["items"]}["Prix de cession reçu"]
    assert synergy.revenue_eur_per_year == pytest.approx(max(transfer, 0))
    assert list(synergy.history.values_list("from_status", "to_status")) == [("", "detected")]
    assert AuditEntry.objects.filter(action="synergy.created", target_id=str(synergy.pk)).exists()
    lead.refresh_from_db()
    assert lead.status == "accepted"
    with pytest.raises(LeadAlreadyDecided):
        accept_lead(lead, by=officer)


def test_a_dismissed_lead_does_not_come_back_on_the_next_run(caux, officer, pair):
    brewery, farm = pair
    first = start_detection(caux, mode="deductive", by=officer)
    lead = _spent_grain_lead(first, brewery, farm)
    dismiss_lead(lead, by=officer, reason="Déjà en place")
    assert Dismissal.objects.get().signature == lead.signature
    second = start_detection(caux, mode="deductive", by=officer)
    second.refresh_from_db()
    assert not second.leads.filter(signature=lead.signature).exists()
    assert second.skipped_dismissed == 1
    assert second.lead_count == first.leads.count() - 1


def test_an_accepted_lead_does_not_come_back_as_a_new_lead(caux, officer, pair):
    brewery, farm = pair
    first = start_detection(caux, mode="deductive", by=officer)
    lead = _spent_grain_lead(first, brewery, farm)
    accept_lead(lead, by=officer)
    second = start_detection(caux, mode="deductive", by=officer)
    second.refresh_from_db()
    assert not second.leads.filter(signature=lead.signature).exists()
    assert Synergy.objects.count() == 1


def test_quantities_in_the_pipeline_are_taken_off_the_next_run(caux, officer, pair):
    """The brewery's spent grain is promised to the farm: a later run offers it to nobody else."""
    brewery, farm = pair
    other_farm = factories.establishment(
        caux,
        name="Autre ferme",
        naf_code="01.41Z",
        headcount_band="01",
        latitude=farm.latitude + 0.01,
        longitude=farm.longitude,
    )
    first = start_detection(caux, mode="deductive", by=officer)
    grain = first.leads.filter(resource="bio_spent_grain")
    assert grain.filter(establishments=other_farm).exists()
    synergy = accept_lead(_spent_grain_lead(first, brewery, farm), by=officer)
    second = start_detection(caux, mode="deductive", by=officer)
    second.refresh_from_db()
    assert second.stats["flows_reduced_by_commitments"] == 2  # the brewery's grain, the farm's feed
    (lead,) = second.leads.filter(resource="bio_spent_grain")
    assert lead.establishment_ids == [brewery.pk, other_farm.pk]
    assert any("engagées" in text for text in lead.data["assumptions"])
    assert synergy.quantity > 0


def test_the_run_keeps_the_totals_of_the_optimal_allocation(caux, officer, pair):
    run = start_detection(caux, mode="deductive", by=officer)
    run.refresh_from_db()
    plan = run.stats["plan"]
    assert plan["status"] == "optimal"
    assert set(plan["by_basis"]) == {"estimated"}
    planned = [lead for lead in run.leads.all() if lead.data["in_plan"]]
    assert planned
    assert plan["by_basis"]["estimated"]["leads"] == len(planned)


def test_a_failing_run_is_marked_failed_with_its_error(caux, officer, pair, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("moteur en panne")

    monkeypatch.setattr(detection.engine, "detect", broken)
    run = start_detection(caux, mode="deductive", by=officer)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "moteur en panne" in run.error
    assert not Lead.objects.exists()


def test_a_second_run_waits_for_the_first_unless_the_first_is_lost(caux, officer, pair):
    running = DetectionRun.objects.create(
        territory=caux, mode="deductive", status="running", created_by=officer
    )
    with pytest.raises(DetectionAlreadyRunning):
        start_detection(caux, mode="deductive", by=officer)
    DetectionRun.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(hours=3))
    assert start_detection(caux, mode="deductive", by=officer).status == "done"
