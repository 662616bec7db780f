"""The pipeline's state machine: allowed moves, refused moves, history and audit."""

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.synergies import workflow
from tremplin.synergies.exceptions import ReasonRequired, TeamOnly, TransitionBlocked, TransitionNotAllowed
from tremplin.synergies.pipeline import record_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


def _consent_all(synergy, by):
    for participant in synergy.participants.all():
        record_consent(participant, by=by, accepted=True)


def test_a_synergy_walks_the_whole_pipeline_to_monitoring(caux, officer):
    synergy = factories.synergy(caux)
    _consent_all(synergy, officer)
    for move, status in (
        (workflow.qualify, "qualified"),
        (workflow.study, "under_study"),
        (workflow.implement, "being_implemented"),
        (workflow.make_operational, "operational"),
        (workflow.monitor, "monitored"),
    ):
        move(synergy, by=officer)
        assert synergy.status == status
    steps = list(synergy.history.values_list("from_status", "to_status"))
    assert steps == [
        ("", "detected"),
        ("detected", "qualified"),
        ("qualified", "under_study"),
        ("under_study", "being_implemented"),
        ("being_implemented", "operational"),
        ("operational", "monitored"),
    ]
    assert all(change.by == officer for change in synergy.history.exclude(from_status=""))


def test_skipping_a_step_is_refused_and_changes_nothing(caux, officer):
    synergy = factories.synergy(caux)
    with pytest.raises(TransitionNotAllowed):
        workflow.make_operational(synergy, by=officer)
    synergy.refresh_from_db()
    assert synergy.status == "detected"
    assert synergy.history.count() == 1
    assert not AuditEntry.objects.filter(action="synergy.status.changed").exists()


def test_an_unknown_transition_is_refused(caux, officer):
    synergy = factories.synergy(caux)
    with pytest.raises(TransitionNotAllowed):
        workflow.apply_transition(synergy, "teleport", by=officer)


def test_abandoning_needs_a_coded_reason(caux, officer):
    synergy = factories.synergy(caux, status="under_study")
    with pytest.raises(ReasonRequired):
        workflow.abandon(synergy, "", by=officer)
    workflow.abandon(synergy, "regulatory", by=officer, note="Pas d'agrément ICPE")
    synergy.refresh_from_db()
    assert (synergy.status, synergy.abandon_reason, synergy.abandon_note) == (
        "abandoned",
        "regulatory",
        "Pas d'agrément ICPE",
    )
    change = synergy.history.last()
    assert (change.from_status, change.to_status, change.reason) == ("under_study", "abandoned", "regulatory")


def test_an_abandoned_synergy_cannot_move_again(caux, officer):
    synergy = factories.synergy(caux, status="abandoned", abandon_reason="economic")
    for name in workflow.TRANSITIONS:
        with pytest.raises((TransitionNotAllowed, ReasonRequired)):
            workflow.apply_transition(synergy, name, by=officer, reason="other")


def test_resuming_a_paused_synergy_brings_it_back_where_it_stood(caux, officer):
    synergy = factories.synergy(caux, status="being_implemented")
    workflow.pause(synergy, by=officer, note="Attente du financement")
    assert synergy.status == "paused"
    assert [t.name for t in workflow.allowed_transitions(synergy)] == ["resume", "abandon"]
    workflow.resume(synergy, by=officer)
    assert synergy.status == "being_implemented"


def test_every_status_change_is_audited_with_its_author(caux, officer):
    synergy = factories.synergy(caux)
    workflow.qualify(synergy, by=officer, note="Visite faite")
    entry = AuditEntry.objects.get(action="synergy.status.changed")
    assert entry.actor == officer
    assert entry.territory == caux
    assert entry.target == synergy
    assert entry.data["from_status"] == "detected"
    assert entry.data["to_status"] == "qualified"
    assert entry.data["note"] == "Visite faite"


def test_the_allowed_moves_from_detected(caux):
    synergy = factories.synergy(caux)
    assert [t.name for t in workflow.allowed_transitions(synergy)] == ["qualify", "pause", "abandon"]


# Consent: nothing goes past "under study" until every participant accepted to be introduced.


def _participant(synergy, role):
    return synergy.participants.get(role=role)


def test_a_synergy_whose_receiver_declined_cannot_be_implemented(caux, officer):
    synergy = factories.synergy(caux, status="under_study")
    record_consent(_participant(synergy, "source"), by=officer, accepted=True)
    record_consent(_participant(synergy, "target"), by=officer, accepted=False)
    receiver = _participant(synergy, "target").establishment.name
    with pytest.raises(TransitionBlocked) as refused:
        workflow.implement(synergy, by=officer)
    assert str(refused.value) == (
        f"Tous les participants doivent d'abord accepter d'être mis en relation (refus : {receiver})."
    )
    synergy.refresh_from_db()
    assert synergy.status == "under_study"
    assert synergy.history.count() == 2
    assert not AuditEntry.objects.filter(action="synergy.status.changed").exists()


def test_a_synergy_nobody_answered_for_cannot_be_implemented(caux, officer):
    synergy = factories.synergy(caux, status="under_study")
    record_consent(_participant(synergy, "source"), by=officer, accepted=True)
    with pytest.raises(TransitionBlocked, match="pas encore de réponse"):
        workflow.implement(synergy, by=officer)
    assert [t.name for t in workflow.allowed_transitions(synergy)] == ["pause", "abandon"]


def test_once_everyone_accepted_the_synergy_can_be_implemented(caux, officer):
    synergy = factories.synergy(caux, status="under_study")
    _consent_all(synergy, officer)
    workflow.implement(synergy, by=officer)
    assert synergy.status == "being_implemented"


def test_the_options_say_why_implementation_is_not_available_yet(caux, officer):
    synergy = factories.synergy(caux, status="under_study")
    record_consent(_participant(synergy, "target"), by=officer, accepted=False)
    options = {o.name: o for o in workflow.transition_options(synergy)}
    assert set(options) == {"implement", "pause", "abandon"}
    assert not options["implement"].available
    assert "refus" in options["implement"].blocked_by
    assert options["pause"].available and options["abandon"].available


def test_resuming_past_under_study_needs_the_consent_again(caux, officer):
    """A participant withdraws while the synergy is paused: it cannot resume its implementation."""
    synergy = factories.synergy(caux, status="being_implemented")
    workflow.pause(synergy, by=officer)
    record_consent(_participant(synergy, "target"), by=officer, accepted=False)
    with pytest.raises(TransitionBlocked):
        workflow.resume(synergy, by=officer)
    assert [t.name for t in workflow.allowed_transitions(synergy)] == ["abandon"]
    workflow.abandon(synergy, "partner_withdrew", by=officer)
    assert synergy.status == "abandoned"


def test_an_operational_synergy_whose_participant_withdrew_cannot_move_to_monitoring(caux, officer):
    synergy = factories.operational_synergy(caux)
    record_consent(_participant(synergy, "source"), by=officer, accepted=False)
    with pytest.raises(TransitionBlocked):
        workflow.monitor(synergy, by=officer)


def test_a_synergy_without_participants_cannot_go_past_under_study(caux, officer):
    synergy = factories.synergy(caux, status="under_study")
    synergy.participants.all().delete()
    with pytest.raises(TransitionBlocked, match="aucun participant"):
        workflow.implement(synergy, by=officer)


@pytest.mark.parametrize("who", ["other_officer", "contact", "programme"])
def test_only_the_territory_team_moves_a_synergy(caux, who):
    synergy = factories.synergy(caux)
    person = {
        "other_officer": lambda: factories.territory_officer(factories.territory(LE_HAVRE)),
        "contact": lambda: factories.company_contact(synergy.participants.first().establishment),
        "programme": factories.programme_team_member,
    }[who]()
    with pytest.raises(TeamOnly):
        workflow.qualify(synergy, by=person)
    synergy.refresh_from_db()
    assert synergy.status == "detected"
