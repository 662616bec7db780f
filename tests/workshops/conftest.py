import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.workshops import services


@pytest.fixture
def caux(db):
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def havre(db):
    return factories.territory(LE_HAVRE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def sites(caux):
    """A brewery and a dairy farm 5 km apart due north (great circle), so 6.5 km by road (x 1.3)."""
    return factories.brewery_and_farm(caux, distance_km=5.0)


@pytest.fixture
def workshop(caux, officer, sites):
    import datetime as dt

    return services.create_workshop(
        caux,
        by=officer,
        theme="Coproduits agricoles",
        date=dt.date(2026, 3, 12),
        place="Salle des fêtes",
        expected=sites,
    )


@pytest.fixture(autouse=True)
def _matching_at_once(monkeypatch):
    """A test runs inside one transaction, whose on_commit callbacks never fire: start the matching task
    (immediate backend in tests) right away instead, as it starts once the declaration is committed."""
    from tremplin.workshops.tasks import refresh_matches_task

    monkeypatch.setattr(services, "_schedule_matching", lambda pk: refresh_matches_task.enqueue(pk))
