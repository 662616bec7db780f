"""Coaching records never cross territory lines; programme-team pages refuse every other role.

Personas: the owner (Caux Seine's officer), a colleague territory of the same call (Le Havre), an officer
of a territory outside the call (Fécamp), a company contact, a committee member and the programme team.
"""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tremplin.coaching.models import (
    Actor,
    BudgetLine,
    CommunicationAction,
    Deliverable,
    DeliverableComment,
    DeliverableKind,
    DeliverableTransition,
    Event,
    GoodPractice,
    GovernanceBody,
    GovernanceMember,
    MobilisationAction,
    Objective,
    Perimeter,
    ProgressReport,
    Registration,
    SupportDay,
    SwotItem,
)
from tremplin.coaching.services import deliverables as deliverable_services
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.coaching.services.followup import submit_report
from tremplin.programme.models import Participation

pytestmark = pytest.mark.django_db

FECAMP = "200069821"


@pytest.fixture
def world(call, caux, havre, caux_participation, havre_participation, caux_officer, havre_officer, programme):
    seed_reference_calendar(call)
    events = {e.kind: e for e in Event.objects.of_call(call)}
    p = caux_participation
    deliverables = {d.kind: d for d in deliverable_services.ensure_deliverables(p)}
    w1 = deliverables[DeliverableKind.W1_DIAGNOSIS]
    swot = deliverable_services.add_item(w1, SwotItem(category="strength", text="Port"), by=caux_officer)
    body = GovernanceBody.objects.create(participation=p, name="Copil")
    objects = {
        Participation: p,
        Event: events["launch"],
        Registration: Registration.objects.create(
            event=events["launch"], participation=p, person_name="Camille", function="officer"
        ),
        Deliverable: w1,
        DeliverableTransition: w1.transitions.first(),
        DeliverableComment: DeliverableComment.objects.create(
            deliverable=w1, author=caux_officer, text="Note"
        ),
        SwotItem: swot,
        Perimeter: Perimeter.objects.create(participation=p),
        Objective: Objective.objects.create(
            participation=p, label="O", indicator="I", target_value=1, unit="t"
        ),
        GovernanceBody: body,
        GovernanceMember: GovernanceMember.objects.create(participation=p, body=body, name="M", role="R"),
        Actor: Actor.objects.create(participation=p, scope="external", organisation="CCI"),
        MobilisationAction: MobilisationAction.objects.create(
            participation=p, kind="event", title="Petit-déjeuner"
        ),
        BudgetLine: BudgetLine.objects.create(
            participation=p, kind="cost", label="Animation", amount=1, year=2020
        ),
        CommunicationAction: CommunicationAction.objects.create(participation=p, title="Lettre"),
        SupportDay: SupportDay.objects.create(participation=p, date=datetime.date(2019, 6, 3), on_site=True),
        GoodPractice: GoodPractice.objects.create(participation=p, title="Collecte", text="x", shared=True),
        ProgressReport: submit_report(events["rso_1"], p, progress_statement="x", by=caux_officer),
    }
    fecamp = factories.territory(FECAMP)
    return {
        "call": call,
        "events": events,
        "participation": p,
        "deliverables": deliverables,
        "objects": objects,
        "owner": caux_officer,
        "colleague": havre_officer,
        "stranger": factories.territory_officer(fecamp),
        "contact": factories.company_contact(factories.establishment(caux)),
        "committee": factories.committee_member(),
        "programme": programme,
    }


ACCESS_CHECKED_MODELS = {
    Participation,
    Event,
    Registration,
    Deliverable,
    DeliverableTransition,
    DeliverableComment,
    SwotItem,
    Perimeter,
    Objective,
    GovernanceBody,
    GovernanceMember,
    Actor,
    MobilisationAction,
    BudgetLine,
    CommunicationAction,
    SupportDay,
    GoodPractice,
    ProgressReport,
}

# Territory-owned records: the colleague territory of the same call sees none.
TERRITORY_MODELS = ACCESS_CHECKED_MODELS - {Event}


def test_a_colleague_territory_sees_none_of_my_records(world):
    for model in TERRITORY_MODELS:
        obj = world["objects"][model]
        assert not model.objects.visible_to(world["colleague"]).filter(pk=obj.pk).exists(), model.__name__
        assert model.objects.visible_to(world["owner"]).filter(pk=obj.pk).exists(), model.__name__
        assert model.objects.visible_to(world["programme"]).filter(pk=obj.pk).exists(), model.__name__


@pytest.mark.parametrize("persona", ["stranger", "contact", "committee"])
def test_outsiders_of_the_call_see_no_coaching_record(world, persona):
    for model in ACCESS_CHECKED_MODELS:
        assert not model.objects.visible_to(world[persona]).exists(), (persona, model.__name__)


def test_events_are_seen_by_the_territories_of_their_call(world):
    launch = world["objects"][Event]
    assert Event.objects.visible_to(world["colleague"]).filter(pk=launch.pk).exists()


# name: (kwargs, method, audience). Audiences: "territory" (the owner's records: a colleague territory is
# refused), "call" (the call's territories and the programme team), "programme" (programme team only).
def _urls(w):
    p, o, e = w["participation"], w["objects"], w["events"]
    w1 = w["deliverables"][DeliverableKind.W1_DIAGNOSIS]
    perimeter = w["deliverables"][DeliverableKind.W2_PERIMETER]
    call = w["call"].pk
    return {
        "coaching_territory": ({"territory_pk": p.territory_id}, "get", "territory"),
        "coaching_participation": ({"pk": p.pk}, "get", "territory"),
        "coaching_deliverable": ({"participation_pk": p.pk, "kind": "w1_diagnosis"}, "get", "territory"),
        "coaching_deliverable_item_add": ({"pk": w1.pk, "item_type": "swot"}, "post", "territory"),
        "coaching_deliverable_item_delete": (
            {"pk": w1.pk, "item_type": "swot", "item_pk": o[SwotItem].pk},
            "post",
            "territory",
        ),
        "coaching_perimeter_save": ({"pk": perimeter.pk}, "post", "territory"),
        "coaching_deliverable_transition": ({"pk": w1.pk}, "post", "territory"),
        "coaching_deliverable_comment": ({"pk": w1.pk}, "post", "territory"),
        "coaching_strategy_pdf": ({"pk": p.pk}, "get", "territory"),
        "coaching_support_days": ({"pk": p.pk}, "get", "territory"),
        "coaching_support_day_edit": ({"pk": o[SupportDay].pk}, "get", "territory"),
        "coaching_good_practices": ({"pk": p.pk}, "get", "territory"),
        "coaching_good_practice_edit": ({"pk": o[GoodPractice].pk}, "get", "territory"),
        "coaching_report": ({"event_pk": e["rso_1"].pk, "participation_pk": p.pk}, "get", "territory"),
        "coaching_registration_delete": ({"pk": o[Registration].pk}, "post", "territory"),
        "coaching_calendar": ({"call_pk": call}, "get", "call"),
        "coaching_calendar_ics": ({"call_pk": call}, "get", "call"),
        "coaching_event_detail": ({"pk": e["launch"].pk}, "get", "call"),
        "coaching_registration_create": ({"pk": e["launch"].pk}, "post", "call"),
        "coaching_network": ({"call_pk": call}, "get", "call"),
        "coaching_regional_network": ({"region_pk": w["call"].region_id}, "get", "call"),
        "coaching_call": ({"call_pk": call}, "get", "programme"),
        "coaching_calendar_prefill": ({"call_pk": call}, "post", "programme"),
        "coaching_event_create": ({"call_pk": call}, "get", "programme"),
        "coaching_event_edit": ({"pk": e["launch"].pk}, "get", "programme"),
        "coaching_event_delete": ({"pk": e["launch"].pk}, "post", "programme"),
        "coaching_registration_attendance": ({"pk": o[Registration].pk}, "post", "programme"),
        "coaching_comparison": ({"event_pk": e["rso_1"].pk}, "get", "programme"),
        "coaching_closing_review": ({"call_pk": call}, "get", "programme"),
        "coaching_comparison_export": ({"event_pk": e["rso_1"].pk, "fmt": "pdf"}, "get", "programme"),
        "coaching_closing_review_export": ({"call_pk": call, "fmt": "xlsx"}, "get", "programme"),
        "coaching_bulk_registration": ({"call_pk": call}, "post", "programme"),
        "coaching_convocations": ({"call_pk": call}, "post", "programme"),
        "coaching_attendance_csv": ({"call_pk": call}, "get", "programme"),
    }


ACCESS_CHECKED_URLS = {
    "coaching_territory",
    "coaching_participation",
    "coaching_deliverable",
    "coaching_deliverable_item_add",
    "coaching_deliverable_item_delete",
    "coaching_perimeter_save",
    "coaching_deliverable_transition",
    "coaching_deliverable_comment",
    "coaching_strategy_pdf",
    "coaching_support_days",
    "coaching_support_day_edit",
    "coaching_good_practices",
    "coaching_good_practice_edit",
    "coaching_report",
    "coaching_registration_delete",
    "coaching_calendar",
    "coaching_calendar_ics",
    "coaching_event_detail",
    "coaching_registration_create",
    "coaching_network",
    "coaching_regional_network",
    "coaching_call",
    "coaching_calendar_prefill",
    "coaching_event_create",
    "coaching_event_edit",
    "coaching_event_delete",
    "coaching_registration_attendance",
    "coaching_comparison",
    "coaching_closing_review",
    "coaching_comparison_export",
    "coaching_closing_review_export",
    "coaching_bulk_registration",
    "coaching_convocations",
    "coaching_attendance_csv",
}
PROGRAMME_PAGES = sorted(
    {
        "coaching_bulk_registration",
        "coaching_convocations",
        "coaching_attendance_csv",
        "coaching_call",
        "coaching_calendar_prefill",
        "coaching_event_create",
        "coaching_event_edit",
        "coaching_event_delete",
        "coaching_registration_attendance",
        "coaching_comparison",
        "coaching_closing_review",
        "coaching_comparison_export",
        "coaching_closing_review_export",
    }
)
TERRITORY_PAGES = sorted(name for name in ACCESS_CHECKED_URLS if name not in PROGRAMME_PAGES)

# Everything a POST could change, counted before and after the outsiders' attempts.
_WATCHED = (
    Event,
    Registration,
    SwotItem,
    Perimeter,
    Deliverable,
    DeliverableComment,
    GoodPractice,
    SupportDay,
)


def _state():
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in _WATCHED} | {
        "statuses": sorted(Deliverable.objects.values_list("pk", "status"))
    }


def _post_data():
    return {
        "swot-category": "threat",
        "swot-text": "intrus",
        "mode": "whole_epci",
        "action": "submit",
        "text": "intrus",
        "attendance": "absent",
        "registration-participation": "1",
        "registration-person_name": "Intrus",
        "registration-function": "officer",
        "title": "intrus",
        "progress_statement": "intrus",
        "lessons": "intrus",
    }


def test_the_access_table_covers_every_coaching_url_with_an_id(world):
    assert set(_urls(world)) == ACCESS_CHECKED_URLS


def _try(client, world, name):
    kwargs, method, _audience = _urls(world)[name]
    url = reverse(name, kwargs=kwargs)
    return client.get(url) if method == "get" else client.post(url, _post_data())


@pytest.mark.parametrize("name", PROGRAMME_PAGES)
@pytest.mark.parametrize("persona", ["owner", "colleague", "stranger", "contact", "committee"])
def test_programme_team_pages_answer_403_to_every_other_role(client, world, name, persona):
    before = _state()
    client.force_login(world[persona])
    assert _try(client, world, name).status_code == 403
    assert _state() == before


@pytest.mark.parametrize("name", PROGRAMME_PAGES)
def test_programme_team_pages_open_to_the_programme_team(client, world, name):
    client.force_login(world["programme"])
    assert _try(client, world, name).status_code in (200, 302)


@pytest.mark.parametrize("name", TERRITORY_PAGES)
def test_outsiders_cannot_reach_a_territorys_coaching_pages(client, world, name):
    _kwargs, _method, audience = _urls(world)[name]
    outsiders = ["stranger", "contact", "committee"]
    if audience == "territory":
        outsiders.append("colleague")
    before = _state()
    for persona in outsiders:
        client.force_login(world[persona])
        assert _try(client, world, name).status_code in (403, 404), persona
    assert _state() == before


@pytest.mark.parametrize("name", TERRITORY_PAGES)
def test_the_owner_reaches_its_pages(client, world, name):
    client.force_login(world["owner"])
    assert _try(client, world, name).status_code in (200, 302)


@pytest.mark.parametrize("name", sorted(ACCESS_CHECKED_URLS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name):
    response = _try(client, world, name)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_colleague_cannot_register_people_for_my_territory(client, world):
    client.force_login(world["colleague"])
    url = reverse("coaching_registration_create", kwargs={"pk": world["events"]["launch"].pk})
    client.post(
        url,
        {
            "registration-participation": world["participation"].pk,
            "registration-person_name": "Intrus",
            "registration-function": "officer",
        },
    )
    assert not Registration.objects.filter(person_name="Intrus").exists()


def test_the_event_page_lists_only_my_territorys_registrations(client, world, havre_participation):
    Registration.objects.create(
        event=world["events"]["launch"],
        participation=havre_participation,
        person_name="Dominique Havre",
        function="officer",
    )
    client.force_login(world["owner"])
    html = client.get(
        reverse("coaching_event_detail", kwargs={"pk": world["events"]["launch"].pk})
    ).content.decode()
    assert "Camille" in html and "Dominique Havre" not in html
