"""Named situations of the coaching phase: the 2019 call, two selected territories and their people."""

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE


@pytest.fixture
def call(db):
    return factories.coaching_call()


@pytest.fixture
def caux(db):
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def havre(db):
    return factories.territory(LE_HAVRE)


@pytest.fixture
def caux_participation(call, caux):
    return factories.coaching_participation(call, caux)


@pytest.fixture
def havre_participation(call, havre):
    return factories.coaching_participation(call, havre)


@pytest.fixture
def caux_officer(caux):
    return factories.territory_officer(
        caux, email="officer@caux.example", first_name="Camille", last_name="Caux"
    )


@pytest.fixture
def havre_officer(havre):
    return factories.territory_officer(havre, email="officer@havre.example")


@pytest.fixture
def programme(db):
    return factories.programme_team_member(email="team@region.example")


@pytest.fixture
def committee(db):
    return factories.committee_member()


@pytest.fixture
def caux_contact(caux):
    return factories.company_contact(factories.establishment(caux, name="Papeterie de Caux"))
