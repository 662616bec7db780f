"""The action plan: actions with owner, dates, budget and status, their lifecycle, the totals of the
budget, edit conflicts and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests import factories
from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import ActionStatus, Objective, PlannedAction, PlannedActionTransition
from tremplin.coaching.services import actionplan
from tremplin.coaching.services.errors import InvalidTransition, NotAllowed

pytestmark = pytest.mark.django_db

D = datetime.date


def _action(participation, by, title="Petit-déjeuner des entreprises", **fields):
    values = {"owner_name": "Camille Caux", "owner_organisation": "Caux Seine Agglo"} | fields
    return actionplan.create_action(participation, by=by, title=title, **values)


def test_an_action_is_created_planned_and_audited(caux_participation, caux_officer):
    action = _action(
        caux_participation,
        caux_officer,
        start_date=D(2019, 9, 1),
        due_date=D(2019, 12, 15),
        budget_eur=Decimal("4500"),
        funding_source="ADEME",
    )
    assert action.status == ActionStatus.PLANNED and action.version == 1
    entry = AuditEntry.objects.get(action="coaching.plan_action.created")
    assert entry.territory_id == caux_participation.territory_id and entry.data["budget_eur"] == "4500"
    assert "Camille" not in str(entry.data)


def test_a_budget_needs_its_funding_source_and_dates_their_order(caux_participation, caux_officer):
    with pytest.raises(actionplan.InvalidAction) as error:
        _action(caux_participation, caux_officer, budget_eur=Decimal(100))
    assert error.value.field == "funding_source"
    with pytest.raises(actionplan.InvalidAction) as error:
        _action(caux_participation, caux_officer, start_date=D(2019, 9, 1), due_date=D(2019, 8, 1))
    assert error.value.field == "due_date"
    assert not PlannedAction.objects.exists()


def test_an_action_is_linked_only_to_an_objective_of_its_territory(
    caux_participation, havre_participation, caux_officer
):
    theirs = Objective.objects.create(
        participation=havre_participation, label="O", indicator="I", target_value=1, unit="t"
    )
    with pytest.raises(actionplan.InvalidAction):
        _action(caux_participation, caux_officer, objective=theirs)
    mine = Objective.objects.create(
        participation=caux_participation, label="O", indicator="I", target_value=1, unit="t"
    )
    assert _action(caux_participation, caux_officer, objective=mine).objective == mine


def test_the_lifecycle_follows_the_transition_table(caux_participation, caux_officer):
    action = _action(caux_participation, caux_officer)
    with pytest.raises(InvalidTransition):
        actionplan.change_action_status(action, "reopen", by=caux_officer)
    actionplan.change_action_status(action, "start", by=caux_officer)
    actionplan.change_action_status(action, "complete", by=caux_officer)
    with pytest.raises(InvalidTransition):
        actionplan.change_action_status(action, "abandon", by=caux_officer)
    action = actionplan.change_action_status(action, "reopen", by=caux_officer)
    action = actionplan.change_action_status(action, "abandon", by=caux_officer)
    assert action.status == ActionStatus.ABANDONED
    history = list(
        PlannedActionTransition.objects.filter(action=action).values_list("from_status", "to_status")
    )
    assert history == [
        ("planned", "in_progress"),
        ("in_progress", "done"),
        ("done", "in_progress"),
        ("in_progress", "abandoned"),
    ]
    codes = list(
        AuditEntry.objects.filter(action__startswith="coaching.plan_action.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert codes == [
        "coaching.plan_action.created",
        "coaching.plan_action.start",
        "coaching.plan_action.complete",
        "coaching.plan_action.reopen",
        "coaching.plan_action.abandon",
    ]


def test_the_totals_of_the_budget_by_hand(caux_participation, caux_officer):
    rows = [
        ("Collecte mutualisée des cartons", "12000", "ADEME", "start"),
        ("Animation du club d'entreprises", "3500.50", "Fonds propres EPCI", None),
        ("Étude réseau de chaleur", "8000", "ADEME", "abandon"),
        ("Visites d'entreprises", None, "", None),
        ("Guide des bonnes pratiques", "1000", "ADEME", "complete"),
    ]
    for title, budget, source, transition in rows:
        action = _action(
            caux_participation,
            caux_officer,
            title=title,
            budget_eur=Decimal(budget) if budget else None,
            funding_source=source,
        )
        if transition:
            actionplan.change_action_status(action, transition, by=caux_officer)
    totals = actionplan.plan_totals(PlannedAction.objects.of(caux_participation))
    # 12 000 + 3 500.50 + 1 000; the abandoned 8 000 apart; one action has no budget.
    assert totals.total == Decimal("16500.50")
    assert totals.by_funding_source == {"ADEME": Decimal("13000"), "Fonds propres EPCI": Decimal("3500.50")}
    assert totals.by_status == {
        "planned": Decimal("3500.50"),
        "in_progress": Decimal("12000"),
        "done": Decimal("1000"),
        "abandoned": Decimal("0"),
    }
    assert totals.abandoned == Decimal("8000") and totals.without_budget == 1


def test_an_action_changed_since_the_form_was_shown_is_not_overwritten(caux_participation, caux_officer):
    action = _action(caux_participation, caux_officer)
    actionplan.update_action(action, by=caux_officer, expected_version=1, title="Petit-déjeuner de rentrée")
    with pytest.raises(actionplan.ActionConflict) as conflict:
        actionplan.update_action(action, by=caux_officer, expected_version=1, title="Autre titre")
    assert conflict.value.current.title == "Petit-déjeuner de rentrée"
    with pytest.raises(actionplan.ActionConflict):
        actionplan.delete_action(action, by=caux_officer, expected_version=1)
    # A status change raises the version too: a form shown before it is stale.
    actionplan.change_action_status(action, "start", by=caux_officer)
    with pytest.raises(actionplan.ActionConflict):
        actionplan.update_action(action, by=caux_officer, expected_version=2, title="Encore un autre")
    actionplan.delete_action(action, by=caux_officer, expected_version=3)
    assert not PlannedAction.objects.exists()
    changed = AuditEntry.objects.get(action="coaching.plan_action.updated")
    assert changed.data["changes"] == {
        "title": ["Petit-déjeuner des entreprises", "Petit-déjeuner de rentrée"]
    }


def test_the_owners_name_is_not_copied_into_the_journal(caux_participation, caux_officer):
    action = _action(caux_participation, caux_officer)
    actionplan.update_action(action, by=caux_officer, expected_version=1, owner_name="Dominique Martin")
    entry = AuditEntry.objects.get(action="coaching.plan_action.updated")
    assert "Dominique" not in str(entry.data) and "owner_name" in entry.data["changes"]


@pytest.mark.parametrize("persona", ["programme", "havre_officer", "committee", "caux_contact"])
def test_only_the_territory_team_writes_its_plan(request, caux_participation, caux_officer, persona):
    person = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        _action(caux_participation, person)
    action = _action(caux_participation, caux_officer)
    with pytest.raises(NotAllowed):
        actionplan.update_action(action, by=person, expected_version=1, title="x")
    with pytest.raises(NotAllowed):
        actionplan.change_action_status(action, "start", by=person)
    with pytest.raises(NotAllowed):
        actionplan.delete_action(action, by=person, expected_version=1)
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == ("Petit-déjeuner des entreprises", "planned", 1)


# Pages


def _form(**values):
    return {
        "title": "Réunion des industriels de la zone portuaire",
        "owner_name": "Camille Caux",
        "owner_organisation": "Caux Seine Agglo",
        "start_date": "2019-10-01",
        "due_date": "2019-11-30",
        "budget_eur": "2500",
        "funding_source": "Région Normandie",
        "objective": "",
    } | values


def test_the_team_adds_an_action_through_the_page_once(client, caux_participation, caux_officer):
    client.force_login(caux_officer)
    url = reverse("coaching_action_plan", kwargs={"pk": caux_participation.pk})
    data = _form(submission_key="key-1")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same form sent twice
    action = PlannedAction.objects.get()
    assert action.budget_eur == Decimal(2500) and action.funding_source == "Région Normandie"
    html = client.get(url).content.decode()
    assert "Réunion des industriels de la zone portuaire" in html and "2\u202f500,00 €" in html
    assert "Prévue" in html and "Commencer" in html


def test_the_programme_team_reads_the_plan_but_cannot_write_it(
    client, caux_participation, caux_officer, programme
):
    action = _action(caux_participation, caux_officer, budget_eur=Decimal(900), funding_source="ADEME")
    client.force_login(programme)
    url = reverse("coaching_action_plan", kwargs={"pk": caux_participation.pk})
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Petit-déjeuner des entreprises" in html and "900,00 €" in html
    assert reverse("coaching_action_edit", kwargs={"pk": action.pk}) not in html
    assert client.post(url, _form()).status_code == 403
    assert client.get(reverse("coaching_action_edit", kwargs={"pk": action.pk})).status_code == 403
    client.post(reverse("coaching_action_transition", kwargs={"pk": action.pk}), {"transition": "start"})
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED and PlannedAction.objects.count() == 1


@pytest.mark.parametrize("persona", ["havre_officer", "committee", "caux_contact"])
def test_outsiders_reach_no_page_of_the_plan(request, client, caux_participation, caux_officer, persona):
    action = _action(caux_participation, caux_officer)
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(reverse("coaching_action_plan", kwargs={"pk": caux_participation.pk})).status_code == 404
    )
    assert (
        client.post(
            reverse("coaching_action_plan", kwargs={"pk": caux_participation.pk}), _form()
        ).status_code
        == 404
    )
    assert client.get(reverse("coaching_action_edit", kwargs={"pk": action.pk})).status_code == 404
    response = client.post(
        reverse("coaching_action_transition", kwargs={"pk": action.pk}), {"transition": "start"}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED and PlannedAction.objects.count() == 1


def test_the_edit_page_shows_a_conflict_and_keeps_what_was_typed(client, caux_participation, caux_officer):
    action = _action(caux_participation, caux_officer)
    colleague = factories.territory_officer(caux_participation.territory)
    actionplan.update_action(action, by=colleague, expected_version=1, title="Titre du collègue")
    client.force_login(caux_officer)
    url = reverse("coaching_action_edit", kwargs={"pk": action.pk})
    response = client.post(url, _form(title="Mon titre", version="1"))
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-conflict-field="title"' in html and "Titre du collègue" in html and "Mon titre" in html
    action.refresh_from_db()
    assert action.title == "Titre du collègue"
    # Saving again from the rebased form deliberately replaces the colleague's value.
    assert client.post(url, _form(title="Mon titre", version="2")).status_code == 302
    action.refresh_from_db()
    assert action.title == "Mon titre" and action.version == 3


def test_the_team_moves_and_deletes_an_action_through_the_pages(client, caux_participation, caux_officer):
    action = _action(caux_participation, caux_officer)
    client.force_login(caux_officer)
    client.post(reverse("coaching_action_transition", kwargs={"pk": action.pk}), {"transition": "start"})
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.version == 2
    url = reverse("coaching_action_edit", kwargs={"pk": action.pk})
    # A deletion confirmed from a page showing the older version is refused.
    assert client.post(url, {"delete": "1", "version": "1"}).status_code == 200
    assert PlannedAction.objects.exists()
    assert client.post(url, {"delete": "1", "version": "2"}).status_code == 302
    assert not PlannedAction.objects.exists()
