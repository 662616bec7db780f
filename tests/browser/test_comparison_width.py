"""The side-by-side comparison of eight territories fits a 1280 px wide window: no horizontal scroll."""

import datetime

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tremplin.coaching.models import Event
from tremplin.coaching.services import followup
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.geo.models import Epci

pytestmark = pytest.mark.browser


def test_eight_territories_side_by_side_fit_1280_pixels(page):
    call = factories.coaching_call()
    seed_reference_calendar(call)
    rso = Event.objects.get(call=call, kind="rso_1")
    rso.date = datetime.date.today()
    rso.save()
    # The eight Normandy EPCIs with the longest names: the worst case for the headers.
    epcis = sorted(Epci.objects.in_region("28"), key=lambda e: -len(e.name))[:8]
    for epci in epcis:
        territory = factories.territory(epci.siren)
        participation = factories.coaching_participation(call, territory)
        synergy = factories.operational_synergy(territory)
        factories.measurement(synergy, tonnes_diverted=1234567.8, eur_saved=98765432.0)
        followup.submit_report(
            rso, participation, progress_statement="x", by=factories.territory_officer(territory)
        )
    factories.programme_team_member(email="team@region.example")

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "team@region.example", factories.PASSWORD)
    page.goto(f"/accompagnement/evenements/{rso.pk}/comparaison/")
    assert page.get_by_role("heading", name="Territoires côte à côte").is_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] <= 1280
    # Six territories per table, the total with the last table.
    assert page.locator("table.comparison").count() == 2
    assert (
        page.locator("table.comparison").nth(1).get_by_role("columnheader", name="Total du programme").count()
        == 1
    )
