"""Operational results count only the synergies every participant consented to, and one gisement
shared by two operational synergies counts once."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.indicators.compute import territory_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux(db):
    return factories.territory(CAUX_SEINE)


def test_an_operational_synergy_a_participant_withdrew_from_is_counted_apart(caux):
    kept = factories.operational_synergy(caux, tonnes_diverted_per_year=100.0)
    factories.measurement(kept, tonnes_diverted=90.0)
    withdrawn = factories.operational_synergy(caux, tonnes_diverted_per_year=500.0)
    factories.measurement(withdrawn, tonnes_diverted=450.0)
    participant = withdrawn.participants.last()
    participant.consent, participant.consent_at = "declined", timezone.now()
    participant.save()

    indicators = territory_indicators(caux)
    assert indicators["pipeline"]["operational"] == 2  # the statuses, as the board shows them
    assert indicators["pipeline"]["operational_consented"] == 1
    assert indicators["pipeline"]["operational_unconsented"] == 1
    tonnes = indicators["environment"]["tonnes_diverted_per_year"]
    assert tonnes["operational_estimated"] == 100.0
    assert tonnes["operational_measured"] == 90.0
    assert tonnes["measured_synergies"] == 1
    # The potential still holds both (estimates of every synergy not abandoned).
    assert tonnes["potential_estimated"] == 600.0


def test_a_consent_given_after_the_date_does_not_count_at_that_date(caux):
    synergy = factories.operational_synergy(caux, tonnes_diverted_per_year=100.0)
    later = timezone.now() + datetime.timedelta(days=2)
    synergy.participants.update(consent_at=later)
    at = timezone.now() + datetime.timedelta(days=1)
    assert territory_indicators(caux, at=at)["pipeline"]["operational_consented"] == 0
    assert territory_indicators(caux)["pipeline"]["operational_consented"] == 1


def test_one_gisement_shared_by_two_operational_synergies_counts_once(caux):
    brewery, farm, other_farm = (factories.establishment(caux) for _ in range(3))
    factors = {"factors": {"quantite_gisement": 100.0, "quantite_besoin": 100.0}}
    for receiver, tonnes in ((farm, 100.0), (other_farm, 100.0)):
        factories.operational_synergy(
            caux,
            participants=(brewery, receiver),
            quantity=100.0,
            tonnes_diverted_per_year=tonnes,
            gain_eur_per_year=1000.0,
            breakdown=factors,
        )
    tonnes = territory_indicators(caux)["environment"]["tonnes_diverted_per_year"]
    # The brewery gives 100 t in all: not 200.
    assert tonnes["operational_estimated"] == 100.0
    assert tonnes["potential_estimated"] == 100.0
