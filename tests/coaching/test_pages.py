"""Every coaching page renders for the people it is meant for, with no undefined template variable."""

import pytest
from django.urls import reverse

from tremplin.coaching.models import DeliverableKind, Event, EventKind
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.coaching.services.deliverables import ensure_deliverables

pytestmark = pytest.mark.django_db


def _ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html, url
    return html


def test_a_territory_officer_opens_every_page_of_its_participation(
    client, call, caux_participation, caux_officer
):
    seed_reference_calendar(call)
    client.force_login(caux_officer)
    p = caux_participation
    rso1 = Event.objects.get(call=call, kind=EventKind.RSO_1)
    urls = [
        reverse("coaching_home"),
        reverse("coaching_territory", kwargs={"territory_pk": p.territory_id}),
        reverse("coaching_calendar", kwargs={"call_pk": call.pk}),
        reverse("coaching_event_detail", kwargs={"pk": rso1.pk}),
        reverse("coaching_participation", kwargs={"pk": p.pk}),
        reverse("coaching_support_days", kwargs={"pk": p.pk}),
        reverse("coaching_good_practices", kwargs={"pk": p.pk}),
        reverse("coaching_regional_network", kwargs={"region_pk": call.region_id}),
        reverse("coaching_report", kwargs={"event_pk": rso1.pk, "participation_pk": p.pk}),
    ]
    urls += [
        reverse("coaching_deliverable", kwargs={"participation_pk": p.pk, "kind": kind})
        for kind in DeliverableKind.values
    ]
    for url in urls:
        _ok(client, url)


def test_the_programme_team_opens_its_pages(client, call, caux_participation, havre_participation, programme):
    seed_reference_calendar(call)
    ensure_deliverables(caux_participation)
    client.force_login(programme)
    rso1 = Event.objects.get(call=call, kind=EventKind.RSO_1)
    for url in [
        reverse("coaching_home"),
        reverse("coaching_call", kwargs={"call_pk": call.pk}),
        reverse("coaching_calendar", kwargs={"call_pk": call.pk}),
        reverse("coaching_event_create", kwargs={"call_pk": call.pk}),
        reverse("coaching_event_edit", kwargs={"pk": rso1.pk}),
        reverse("coaching_event_detail", kwargs={"pk": rso1.pk}),
        reverse("coaching_comparison", kwargs={"event_pk": rso1.pk}),
        reverse("coaching_closing_review", kwargs={"call_pk": call.pk}),
        reverse("coaching_regional_network", kwargs={"region_pk": call.region_id}),
        reverse("coaching_participation", kwargs={"pk": caux_participation.pk}),
        reverse(
            "coaching_deliverable",
            kwargs={"participation_pk": caux_participation.pk, "kind": DeliverableKind.W1_DIAGNOSIS},
        ),
    ]:
        _ok(client, url)
