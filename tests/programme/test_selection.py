"""The selection of N: places respected, ranking followed (or departed from with a justification),
territories opened (but joined only on the decision of people the territory or the programme team
recognises), every applicant notified with its outcome after commit, all of it audited."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.access_requests import accept_access_request
from tremplin.accounts.models import AccessRequest, Membership, Role
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment
from tremplin.programme.exceptions import JustificationRequired, NotAllowed, SelectionError
from tremplin.programme.models import Participation
from tremplin.programme.services.scoring import ScoreInput, record_scores
from tremplin.programme.services.selection import select_applications
from tremplin.territories.models import Territory

pytestmark = pytest.mark.django_db

CAEN = "200065597"
DIEPPE = "247600786"


@pytest.fixture
def decided_soon():
    """A call with 2 places whose deadline has passed: three eligible applications scored by one member
    (Le Havre 5/5 → 5, Caux 4/4 → 4, Caen 2/2 → 2) and an ineligible one (no PLPDMA)."""
    call = factories.call(places=2)
    member = factories.seated_committee_member(call)
    motivation, potential = call.criteria.order_by("position")
    apps = {}
    for siren, mark in [(LE_HAVRE, 5), (CAUX_SEINE, 4), (CAEN, 2)]:
        apps[siren] = factories.submitted_application(
            call, siren, applicant=factories.user(email=f"{siren}@epci.example")
        )
        record_scores(apps[siren], {motivation: ScoreInput(mark), potential: ScoreInput(mark)}, by=member)
    apps[DIEPPE] = factories.submitted_application(
        call, DIEPPE, applicant=factories.user(email="dieppe@epci.example"), plpdma_status="none"
    )
    call.deadline = timezone.now() - dt.timedelta(hours=1)
    call.save()
    return call, apps


def test_the_top_n_are_selected_and_the_others_not(decided_soon):
    call, apps = decided_soon
    team = factories.programme_team_member()
    selected = select_applications(call, by=team)
    assert [a.epci.siren for a in selected] == [LE_HAVRE, CAUX_SEINE]
    statuses = {siren: type(a).objects.get(pk=a.pk).status for siren, a in apps.items()}
    assert statuses == {
        LE_HAVRE: "selected",
        CAUX_SEINE: "selected",
        CAEN: "not_selected",
        DIEPPE: "not_selected",
    }
    call.refresh_from_db()
    assert call.selection_made_by == team and call.selection_made_at is not None


def test_each_selected_epci_gets_its_workspace_and_participation_and_its_applicant_a_pending_request(
    decided_soon,
):
    call, apps = decided_soon
    team = factories.programme_team_member()
    select_applications(call, by=team)
    for siren in (LE_HAVRE, CAUX_SEINE):
        territory = Territory.objects.get(epci__siren=siren)
        assert Participation.objects.filter(call=call, territory=territory).exists()
        request = AccessRequest.objects.get(user=apps[siren].applicant, territory=territory)
        assert (request.status, request.function, request.application) == ("pending", "officer", apps[siren])
        assert request.requested_by == team
    assert not Membership.objects.filter(user__in=[a.applicant for a in apps.values()]).exists()
    assert not Territory.objects.filter(epci__siren=CAEN).exists()
    assert not AccessRequest.objects.filter(user=apps[CAEN].applicant).exists()


def test_selection_never_makes_the_applicant_a_member_of_an_existing_territory_team(client, decided_soon):
    """The audit's reproduction: anyone signs up, applies for an EPCI whose workspace exists, is selected,
    and used to become its team, reading its establishments."""
    call, apps = decided_soon
    havre = factories.territory(LE_HAVRE)
    factories.territory_officer(havre, email="officer@lehavre.example")
    secret = factories.establishment(havre, name="Raffinerie confidentielle")
    select_applications(call, by=factories.programme_team_member())
    applicant = apps[LE_HAVRE].applicant
    assert not Membership.objects.filter(user=applicant).exists()
    client.force_login(applicant)
    assert client.get(reverse("establishment_detail", kwargs={"pk": secret.pk})).status_code == 404
    assert not Establishment.objects.visible_to(applicant).exists()


def test_the_applicant_joins_once_the_territorys_team_accepts(decided_soon):
    call, apps = decided_soon
    havre = factories.territory(LE_HAVRE)
    officer = factories.territory_officer(havre)
    select_applications(call, by=factories.programme_team_member())
    request = AccessRequest.objects.get(user=apps[LE_HAVRE].applicant)
    membership = accept_access_request(request, by=officer)
    assert (membership.role, membership.territory, membership.function) == (
        Role.TERRITORY_TEAM,
        havre,
        "officer",
    )
    granted = AuditEntry.objects.get(action="role.granted", data__user_id=apps[LE_HAVRE].applicant.pk)
    assert granted.actor == officer and granted.data["via"] == "access_request"


def test_every_applicant_is_notified_in_french_with_its_outcome(
    decided_soon, django_capture_on_commit_callbacks
):
    call, apps = decided_soon
    with django_capture_on_commit_callbacks(execute=True):
        select_applications(call, by=factories.programme_team_member())
    outcomes = [message for message in mail.outbox if "candidature" in message.subject]
    assert len(outcomes) == 4
    by_recipient = {message.to[0]: message for message in outcomes}
    assert set(by_recipient) == {
        f"{LE_HAVRE}@epci.example",
        f"{CAUX_SEINE}@epci.example",
        f"{CAEN}@epci.example",
        "dieppe@epci.example",
    }
    selected = by_recipient[f"{LE_HAVRE}@epci.example"]
    assert selected.subject == f"{call.title} : votre candidature est retenue"
    assert "a retenu la candidature de Communauté urbaine Le Havre Seine Métropole" in selected.body
    assert set(selected.cc) == {"elue@epci.example", "technicien@epci.example"}
    assert "votre demande pour rejoindre son équipe attend la confirmation" in selected.body
    assert selected.reply_to == ["programme@example.org"]
    ranked_out = by_recipient[f"{CAEN}@epci.example"]
    assert ranked_out.subject == f"{call.title} : résultat de votre candidature"
    assert "n'a pas été retenue" in ranked_out.body
    assert "L'appel comptait 2 places" in ranked_out.body
    ineligible = by_recipient["dieppe@epci.example"]
    assert "n'est ni adopté ni en cours d'élaboration" in ineligible.body
    assert all(type(a).objects.get(pk=a.pk).notified_at for a in apps.values())


def test_the_selection_never_exceeds_the_places(decided_soon):
    call, apps = decided_soon
    with pytest.raises(SelectionError):
        select_applications(
            call,
            by=factories.programme_team_member(),
            chosen=[apps[LE_HAVRE], apps[CAUX_SEINE], apps[CAEN]],
            justification="Trois, c'est mieux.",
        )
    assert not mail.outbox


def test_departing_from_the_ranking_needs_a_justification(decided_soon):
    call, apps = decided_soon
    team = factories.programme_team_member()
    chosen = [apps[LE_HAVRE], apps[CAEN]]
    with pytest.raises(JustificationRequired):
        select_applications(call, by=team, chosen=chosen)
    select_applications(call, by=team, chosen=chosen, justification="Caen la Mer porte une zone portuaire.")
    entry = AuditEntry.objects.get(action="selection.made")
    assert entry.data["selected"] == [LE_HAVRE, CAEN]
    assert entry.data["proposed"] == [LE_HAVRE, CAUX_SEINE]
    assert entry.data["justification"] == "Caen la Mer porte une zone portuaire."


def test_an_ineligible_application_cannot_be_selected(decided_soon):
    call, apps = decided_soon
    with pytest.raises(SelectionError):
        select_applications(
            call, by=factories.programme_team_member(), chosen=[apps[DIEPPE]], justification="Exception."
        )


def test_the_selection_waits_for_the_deadline_and_happens_once(
    decided_soon, django_capture_on_commit_callbacks
):
    call, _apps = decided_soon
    team = factories.programme_team_member()
    with pytest.raises(SelectionError):
        select_applications(call, by=team, now=call.deadline - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        select_applications(call, by=team)
    with pytest.raises(SelectionError):
        select_applications(call, by=team)
    assert len([message for message in mail.outbox if "candidature" in message.subject]) == 4


def test_no_outcome_leaves_when_the_selection_is_rolled_back(
    decided_soon, django_capture_on_commit_callbacks
):
    call, apps = decided_soon
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                select_applications(call, by=factories.programme_team_member())
                raise RuntimeError("the request failed after the selection")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []
    assert {type(a).objects.get(pk=a.pk).status for a in apps.values()} == {"eligible", "ineligible"}


def test_outcomes_leave_only_after_commit(decided_soon, django_capture_on_commit_callbacks):
    call, _apps = decided_soon
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        select_applications(call, by=factories.programme_team_member())
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len([message for message in mail.outbox if "candidature" in message.subject]) == 4


def test_only_the_programme_team_selects(decided_soon):
    call, _apps = decided_soon
    for person in (factories.seated_committee_member(call), factories.user()):
        with pytest.raises(NotAllowed):
            select_applications(call, by=person)


def test_the_selection_and_each_decision_are_audited(decided_soon):
    call, _apps = decided_soon
    team = factories.programme_team_member()
    select_applications(call, by=team)
    actions = list(AuditEntry.objects.for_call(call).filter(actor=team).values_list("action", flat=True))
    assert actions.count("application.selected") == 2
    assert actions.count("application.not_selected") == 2
    assert "selection.made" in actions and "selection.notified" in actions


def test_selection_opens_each_territorys_coaching_so_that_its_pages_write_nothing(client, decided_soon):
    """The deliverables (to do) and the two support days are created by the selection, not by the first
    page that shows them (GET never writes)."""
    from tremplin.coaching.models import Deliverable, DeliverableKind, SupportDay

    call, _apps = decided_soon
    select_applications(call, by=factories.programme_team_member())
    participation = Participation.objects.get(call=call, territory__epci__siren=CAUX_SEINE)
    assert sorted(participation.deliverables.values_list("kind", flat=True)) == sorted(DeliverableKind.values)
    assert [(day.on_site, day.date) for day in participation.support_days.order_by("pk")] == [
        (True, None),
        (False, None),
    ]
    officer = factories.territory_officer(participation.territory)
    client.force_login(officer)
    entries = AuditEntry.objects.exclude(action__startswith="account.login.")  # signing in is recorded
    before = (Deliverable.objects.count(), SupportDay.objects.count(), entries.count())
    pages = [
        reverse("coaching_participation", kwargs={"pk": participation.pk}),
        reverse("coaching_support_days", kwargs={"pk": participation.pk}),
        reverse("coaching_strategy_pdf", kwargs={"pk": participation.pk}),
        *(
            reverse("coaching_deliverable", kwargs={"participation_pk": participation.pk, "kind": kind})
            for kind in DeliverableKind.values
        ),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    client.force_login(factories.programme_team_member())
    assert client.get(reverse("coaching_call", kwargs={"call_pk": call.pk})).status_code == 200
    assert (Deliverable.objects.count(), SupportDay.objects.count(), entries.count()) == before
