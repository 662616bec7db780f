"""Operations on a synergy besides its status: consent (each contact for its own establishment), actions
and measured figures (never for a year to come, never on a synergy that never ran), all audited."""

import pytest
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.synergies import workflow
from tremplin.synergies.exceptions import MeasurementRefused, NotAParticipant, SynergyError, TeamOnly
from tremplin.synergies.pipeline import add_action, mark_action_done, record_consent, record_measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def pair(caux):
    return factories.brewery_and_farm(caux)


# Measured figures


def test_a_measurement_for_a_year_to_come_is_refused(caux, officer):
    synergy = factories.operational_synergy(caux)
    next_year = timezone.localdate().year + 1
    with pytest.raises(MeasurementRefused, match=f"{next_year} est dans le futur"):
        record_measurement(synergy, by=officer, year=next_year, tonnes_diverted=10)
    assert not synergy.measurements.exists()
    assert not AuditEntry.objects.filter(action="synergy.measurement.recorded").exists()


def test_the_year_under_way_can_be_measured(caux, officer):
    synergy = factories.operational_synergy(caux)
    this_year = timezone.localdate().year
    measurement = record_measurement(synergy, by=officer, year=this_year, tonnes_diverted=10, note="Pesées")
    assert (measurement.year, measurement.tonnes_diverted, measurement.entered_by) == (
        this_year,
        10.0,
        officer,
    )
    entry = AuditEntry.objects.get(action="synergy.measurement.recorded")
    assert (entry.data["year"], entry.data["tonnes_diverted"], entry.data["note"]) == (
        this_year,
        10.0,
        "Pesées",
    )


@pytest.mark.parametrize("status", ["detected", "under_study", "being_implemented", "paused", "abandoned"])
def test_no_measured_figures_on_a_synergy_that_never_became_operational(caux, officer, status):
    extra = {"abandon_reason": "economic"} if status == "abandoned" else {}
    synergy = factories.synergy(caux, status=status, **extra)
    with pytest.raises(MeasurementRefused):
        record_measurement(synergy, by=officer, year=2025, tonnes_diverted=10)
    assert not synergy.measurements.exists()


def test_a_synergy_paused_after_running_keeps_taking_the_figures_of_its_years_of_operation(caux, officer):
    synergy = factories.operational_synergy(caux)
    workflow.pause(synergy, by=officer, note="Arrêt technique")
    record_measurement(synergy, by=officer, year=2025, tonnes_diverted=120)
    assert synergy.measurements.get().tonnes_diverted == 120


def test_a_receiver_who_declined_blocks_the_path_to_measured_figures(caux, officer, pair):
    """The audit's case: the receiver refused, yet the synergy went to operational and carried figures."""
    synergy = factories.synergy(caux, status="under_study", participants=pair)
    record_consent(synergy.participants.get(role="source"), by=officer, accepted=True)
    record_consent(synergy.participants.get(role="target"), by=officer, accepted=False)
    with pytest.raises(SynergyError):
        workflow.implement(synergy, by=officer)
    with pytest.raises(MeasurementRefused):
        record_measurement(synergy, by=officer, year=2025, tonnes_diverted=10)
    synergy.refresh_from_db()
    assert synergy.status == "under_study"
    assert not synergy.measurements.exists()


def test_only_the_territory_team_records_figures_and_actions(caux):
    synergy = factories.operational_synergy(caux)
    action = add_action(synergy, by=factories.territory_officer(caux), title="Visite")
    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    contact = factories.company_contact(synergy.participants.first().establishment)
    for person in (outsider, contact):
        with pytest.raises(TeamOnly):
            record_measurement(synergy, by=person, year=2025, tonnes_diverted=10)
        with pytest.raises(TeamOnly):
            add_action(synergy, by=person, title="Piratage")
        with pytest.raises(TeamOnly):
            mark_action_done(action, by=person)
    assert not synergy.measurements.exists()
    assert list(synergy.actions.values_list("title", "done")) == [("Visite", False)]


# Consent


def test_a_contact_answers_for_its_own_establishment_only(caux, pair):
    brewery, farm = pair
    synergy = factories.synergy(caux, status="under_study", participants=pair)
    brewery_contact = factories.company_contact(brewery)
    farm_side = synergy.participants.get(establishment=farm)
    with pytest.raises(NotAParticipant):
        record_consent(farm_side, by=brewery_contact, accepted=True)
    farm_side.refresh_from_db()
    assert farm_side.consent == "pending"
    own = record_consent(synergy.participants.get(establishment=brewery), by=brewery_contact, accepted=True)
    assert (own.consent, own.consent_by) == ("accepted", brewery_contact)
    entry = AuditEntry.objects.get(action="synergy.consent.recorded")
    assert (entry.actor, entry.data["establishment"], entry.data["on_behalf"]) == (
        brewery_contact,
        brewery.pk,
        False,
    )


def test_a_contact_of_an_establishment_outside_the_synergy_cannot_answer(caux, pair):
    synergy = factories.synergy(caux, status="under_study", participants=pair)
    bystander = factories.company_contact(factories.establishment(caux, name="Voisin"))
    for participant in synergy.participants.all():
        with pytest.raises(NotAParticipant):
            record_consent(participant, by=bystander, accepted=False)
    assert set(synergy.participants.values_list("consent", flat=True)) == {"pending"}


def test_the_team_records_an_answer_given_to_it_and_the_audit_says_so(caux, officer, pair):
    synergy = factories.synergy(caux, status="under_study", participants=pair)
    participant = synergy.participants.get(role="target")
    record_consent(participant, by=officer, accepted=True)
    record_consent(participant, by=officer, accepted=False)  # the company changed its mind
    entries = list(AuditEntry.objects.filter(action="synergy.consent.recorded").order_by("at", "id"))
    assert [(e.data["previous"], e.data["consent"], e.data["on_behalf"]) for e in entries] == [
        ("pending", "accepted", True),
        ("accepted", "declined", True),
    ]


def test_no_answer_is_recorded_on_an_abandoned_synergy(caux, officer, pair):
    synergy = factories.synergy(caux, status="abandoned", abandon_reason="economic", participants=pair)
    with pytest.raises(SynergyError, match="abandonnée"):
        record_consent(synergy.participants.first(), by=officer, accepted=True)
