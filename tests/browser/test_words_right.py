"""Words right, in a real browser: the attendance choice shows its longest option whole, and every page
carries the favicon."""

import datetime

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.coaching.models import Event, EventKind, Registration

pytestmark = pytest.mark.browser

# The room the longest option's text needs, against the room the select gives it (padding and arrow
# excluded), in CSS pixels.
_ROOM = """select => {
  const style = getComputedStyle(select);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const needed = Math.max(...[...select.options].map(option => canvas.measureText(option.text).width));
  const given = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [needed, given];
}"""


def test_the_attendance_choice_is_not_truncated_and_the_favicon_is_linked(page):
    call = factories.coaching_call()
    participation = factories.coaching_participation(call, factories.territory(CAUX_SEINE))
    factories.programme_team_member(email="team@region.example")
    event = Event.objects.create(
        call=call,
        kind=EventKind.RSO_1,
        date=datetime.date(2019, 11, 5),
        duration="half_day",
        period="morning",
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    Registration.objects.create(
        event=event,
        participation=participation,
        person_name="Marie-Christine de La Tour d'Auvergne-Lauraguais",
        function="elected_official",
        email="marie-christine.de-la-tour-dauvergne@communaute-urbaine-le-havre.example",
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "team@region.example", factories.PASSWORD)
    page.goto(f"/accompagnement/evenements/{event.pk}/")
    select = page.locator("select[name=attendance]")
    needed, given = select.evaluate(_ROOM)
    assert needed > 0 and given >= needed, (needed, given)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon.endswith(".svg")
    assert page.request.get(icon).status == 200
