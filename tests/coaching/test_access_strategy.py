"""The strategy's records (objectives' values, the action plan and its history) and pages never cross
territory lines; the programme team reads them, only the territory team writes them.

Personas: the owner (Caux Seine's officer), a colleague territory of the same call (Le Havre), a company
contact of Caux Seine, a committee member and the programme team.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tremplin.coaching.models import (
    DeliverableKind,
    Objective,
    ObjectiveValue,
    PlannedAction,
    PlannedActionTransition,
    SwotItem,
)
from tremplin.coaching.services import actionplan, objectives
from tremplin.coaching.services import deliverables as deliverable_services
from tremplin.flows.models import Flow

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_MODELS = {ObjectiveValue, PlannedAction, PlannedActionTransition}
ACCESS_CHECKED_URLS = {
    "coaching_objective_edit",
    "coaching_objective_value_add",
    "coaching_objective_value_delete",
    "coaching_swot_pull",
    "coaching_action_plan",
    "coaching_action_edit",
    "coaching_action_transition",
}


@pytest.fixture
def world(caux, caux_participation, havre_participation, caux_officer, havre_officer, programme, committee):
    deliverables = {d.kind: d for d in deliverable_services.ensure_deliverables(caux_participation)}
    objective = deliverable_services.add_item(
        deliverables[DeliverableKind.W2_OBJECTIVES],
        Objective(
            label="Détourner",
            indicator="t",
            unit="t",
            baseline_value=0,
            baseline_date=datetime.date(2019, 1, 1),
            target_value=10,
        ),
        by=caux_officer,
    )
    value = objectives.record_value(
        objective, ObjectiveValue(date=datetime.date(2019, 5, 1), value=4, basis="measured"), by=caux_officer
    )
    action = actionplan.create_action(
        caux_participation,
        by=caux_officer,
        title="Club d'entreprises",
        owner_name="Camille",
        budget_eur=Decimal(1000),
        funding_source="ADEME",
    )
    actionplan.change_action_status(action, "start", by=caux_officer)
    establishment = factories.establishment(caux, name="Papeterie de Caux")
    flow = factories.flow(establishment, quantity=30)
    return {
        "participation": caux_participation,
        "w1": deliverables[DeliverableKind.W1_DIAGNOSIS],
        "objective": objective,
        "value": value,
        "action": PlannedAction.objects.get(pk=action.pk),
        "flow": flow,
        "owner": caux_officer,
        "colleague": havre_officer,
        "contact": factories.company_contact(establishment),
        "committee": committee,
        "programme": programme,
    }


def test_records_are_seen_by_their_territory_and_the_programme_team_only(world):
    records = {
        ObjectiveValue: world["value"],
        PlannedAction: world["action"],
        PlannedActionTransition: world["action"].transitions.get(),
    }
    for model, record in records.items():
        for persona in ("owner", "programme"):
            assert model.objects.visible_to(world[persona]).filter(pk=record.pk).exists(), (persona, model)
        for persona in ("colleague", "contact", "committee"):
            assert not model.objects.visible_to(world[persona]).exists(), (persona, model)


def _requests(w):
    """name: (method, kwargs, data)."""
    return {
        "coaching_objective_edit": ("get", {"pk": w["objective"].pk}, {}),
        "coaching_objective_value_add": (
            "post",
            {"pk": w["objective"].pk},
            {
                f"value-{w['objective'].pk}-date": "2019-06-01",
                f"value-{w['objective'].pk}-value": "9",
                f"value-{w['objective'].pk}-basis": "declared",
            },
        ),
        "coaching_objective_value_delete": ("post", {"pk": w["value"].pk}, {}),
        "coaching_swot_pull": ("post", {"pk": w["w1"].pk}, {"flow": w["flow"].pk, "category": "strength"}),
        "coaching_action_plan": ("get", {"pk": w["participation"].pk}, {}),
        "coaching_action_edit": ("get", {"pk": w["action"].pk}, {}),
        "coaching_action_transition": ("post", {"pk": w["action"].pk}, {"transition": "complete"}),
    }


def _state():
    return (
        sorted(ObjectiveValue.objects.values_list("pk", "value")),
        sorted(PlannedAction.objects.values_list("pk", "status", "version")),
        sorted(SwotItem.objects.values_list("pk", flat=True)),
        sorted(Objective.objects.values_list("pk", "version")),
    )


def _try(client, world, name):
    method, kwargs, data = _requests(world)[name]
    url = reverse(name, kwargs=kwargs)
    return client.get(url) if method == "get" else client.post(url, data)


def test_the_request_table_covers_the_declared_urls(world):
    assert set(_requests(world)) == ACCESS_CHECKED_URLS


@pytest.mark.parametrize("name", sorted(ACCESS_CHECKED_URLS))
@pytest.mark.parametrize("persona", ["colleague", "contact", "committee"])
def test_outsiders_reach_nothing_and_change_nothing(client, world, name, persona):
    before = _state()
    client.force_login(world[persona])
    assert _try(client, world, name).status_code in (403, 404)
    assert _state() == before


@pytest.mark.parametrize("name", sorted(ACCESS_CHECKED_URLS))
def test_the_programme_team_reads_but_changes_nothing(client, world, name):
    before = _state()
    client.force_login(world["programme"])
    response = _try(client, world, name)
    if name == "coaching_action_plan":
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403, 404)
    assert _state() == before


@pytest.mark.parametrize("name", sorted(ACCESS_CHECKED_URLS))
def test_the_owner_reaches_every_page(client, world, name):
    client.force_login(world["owner"])
    assert _try(client, world, name).status_code in (200, 302)


@pytest.mark.parametrize("name", sorted(ACCESS_CHECKED_URLS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name):
    response = _try(client, world, name)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_team_cannot_pull_another_territorys_flow_into_its_swot(client, world, havre, havre_participation):
    other = factories.flow(factories.establishment(havre, name="Raffinerie"), quantity=500)
    client.force_login(world["owner"])
    response = client.post(
        reverse("coaching_swot_pull", kwargs={"pk": world["w1"].pk}),
        {"flow": other.pk, "category": "strength"},
    )
    assert response.status_code == 404
    assert not SwotItem.objects.filter(flow=other).exists()
    assert Flow.objects.filter(pk=other.pk).exists()
