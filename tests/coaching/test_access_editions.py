"""Edition templates are the programme team's: a territory team, a committee member and a company
contact are refused every page and every operation, and nothing changes when they try.

Personas: the programme team (owner of the templates), Caux Seine's officer (a territory team of the call),
a committee member seated on the call, a company contact, and an anonymous visitor.
"""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import (
    CallDeliverable,
    EditionTemplate,
    Event,
    TemplateDeliverable,
    TemplateEvent,
)
from tremplin.coaching.services import editions as services
from tremplin.coaching.services.errors import NotAllowed

pytestmark = pytest.mark.django_db

OUTSIDERS = ("officer", "committee", "contact")


@pytest.fixture
def world(call, caux, caux_participation, caux_officer, programme):
    template = services.reference_template()
    return {
        "call": call,
        "template": template,
        "event_item": template.events.get(kind="workshop_1"),
        "deliverable_item": template.deliverables.get(kind="w1_diagnosis"),
        "programme": programme,
        "officer": caux_officer,
        "committee": factories.seated_committee_member(call),
        "contact": factories.company_contact(factories.establishment(caux)),
    }


def _urls(w):
    t, e, d, call = w["template"].pk, w["event_item"].pk, w["deliverable_item"].pk, w["call"].pk
    return {
        "coaching_templates": ({}, "get"),
        "coaching_template_create": ({}, "post"),
        "coaching_template_detail": ({"pk": t}, "get"),
        "coaching_template_edit": ({"pk": t}, "post"),
        "coaching_template_duplicate": ({"pk": t}, "post"),
        "coaching_template_delete": ({"pk": t}, "post"),
        "coaching_template_item_create": ({"pk": t, "item_type": "event"}, "post"),
        "coaching_template_item_edit": ({"item_type": "event", "item_pk": e}, "post"),
        "coaching_template_item_delete": ({"item_type": "deliverable", "item_pk": d}, "post"),
        "coaching_template_item_move": ({"item_type": "event", "item_pk": e}, "post"),
        "coaching_calendar_prefill": ({"call_pk": call}, "post"),
    }


ACCESS_CHECKED_URLS = {
    "coaching_template_detail",
    "coaching_template_edit",
    "coaching_template_duplicate",
    "coaching_template_delete",
    "coaching_template_item_create",
    "coaching_template_item_edit",
    "coaching_template_item_delete",
    "coaching_template_item_move",
    "coaching_calendar_prefill",
}

POST_DATA = {
    "name": "Intrus",
    "kind": "rso_3",
    "event-kind": "other",
    "event-offset_days": "1",
    "event-duration": "half_day",
    "event-period": "morning",
    "offset_days": "1",
    "duration": "full_day",
    "period": "all_day",
    "direction": "down",
    "template": "1",
    "start": "2027-01-11",
    "action": "apply",
}


TEMPLATE_PAGES = sorted(ACCESS_CHECKED_URLS | {"coaching_templates", "coaching_template_create"})


def _state():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (EditionTemplate, TemplateEvent, TemplateDeliverable, Event, CallDeliverable)
    } | {
        "offsets": sorted(TemplateEvent.objects.values_list("pk", "offset_days", "position")),
        "names": sorted(EditionTemplate.objects.values_list("name", flat=True)),
        "journal": AuditEntry.objects.count(),
    }


def _try(client, world, name):
    kwargs, method = _urls(world)[name]
    url = reverse(name, kwargs=kwargs)
    return client.get(url) if method == "get" else client.post(url, POST_DATA)


def test_the_access_table_covers_every_template_url(world):
    assert set(TEMPLATE_PAGES) == set(_urls(world))


@pytest.mark.parametrize("name", TEMPLATE_PAGES)
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_template_pages_answer_403_to_every_other_role(client, world, name, persona):
    client.force_login(world[persona])
    before = _state()
    assert _try(client, world, name).status_code == 403
    assert _state() == before


@pytest.mark.parametrize(
    "name", ["coaching_templates", "coaching_template_detail", "coaching_calendar_prefill"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name):
    kwargs, _method = _urls(world)[name]
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_programme_team_opens_every_template_page(client, world):
    client.force_login(world["programme"])
    for name in ("coaching_templates", "coaching_template_detail", "coaching_calendar_prefill"):
        kwargs, _method = _urls(world)[name]
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        assert "INVALID_TEMPLATE_VARIABLE" not in response.content.decode(), name
    for name in ("coaching_template_edit", "coaching_template_duplicate"):
        response = client.get(reverse(name, kwargs={"pk": world["template"].pk}))
        assert response.status_code == 200, name
    kwargs = {"item_type": "deliverable", "item_pk": world["deliverable_item"].pk}
    assert client.get(reverse("coaching_template_item_edit", kwargs=kwargs)).status_code == 200
    kwargs = {"item_type": "nonsense", "item_pk": world["deliverable_item"].pk}
    assert client.get(reverse("coaching_template_item_edit", kwargs=kwargs)).status_code == 404


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_template_operations_refuse_every_other_role(world, persona):
    person, template = world[persona], world["template"]
    before = _state()
    attempts = (
        lambda: services.save_template(EditionTemplate(name="Intrus"), by=person),
        lambda: services.save_template(template, by=person),
        lambda: services.duplicate_template(template, name="Intrus", by=person),
        lambda: services.delete_template(template, by=person),
        lambda: services.save_template_event(world["event_item"], by=person),
        lambda: services.save_template_deliverable(world["deliverable_item"], by=person),
        lambda: services.remove_template_event(template.events.get(kind="rso_3"), by=person),
        lambda: services.remove_template_deliverable(world["deliverable_item"], by=person),
        lambda: services.move_template_item(world["event_item"], up=True, by=person),
        lambda: services.apply_template(template, world["call"], datetime.date(2027, 1, 11), by=person),
    )
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            attempt()
    assert _state() == before
