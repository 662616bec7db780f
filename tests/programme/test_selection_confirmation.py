"""Before any mail goes to every applicant, a confirmation screen says how many, to whom, and shows one
mail of each kind; the committee members who have not scored are named, counted and can be reminded."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.programme.models import Application
from tremplin.programme.services.committee_progress import remind_committee_member, scoring_progress
from tremplin.programme.services.scoring import ScoreInput, record_scores

pytestmark = pytest.mark.django_db

CAEN = "200065597"
DIEPPE = "247600786"


@pytest.fixture
def call_to_decide():
    """One place; Caux, Le Havre and Caen eligible, Dieppe ineligible. Alice scored all three on both
    criteria; Bruno scored Caux on both and Le Havre on one criterion only; Chloé scored nothing.
    So, by hand: Alice 0 not scored, Bruno 2 (Le Havre, Caen), Chloé 3."""
    call = factories.call(places=1)
    alice = factories.seated_committee_member(call, organisation="ADEME", email="alice@ademe.example")
    bruno = factories.seated_committee_member(call, organisation="DREAL", email="bruno@dreal.example")
    chloe = factories.seated_committee_member(call, organisation="Région", email="chloe@region.example")
    motivation, potential = call.criteria.order_by("position")
    apps = {
        siren: factories.submitted_application(
            call, siren, applicant=factories.user(email=f"{siren}@epci.example")
        )
        for siren in (CAUX_SEINE, LE_HAVRE, CAEN)
    }
    apps[DIEPPE] = factories.submitted_application(
        call, DIEPPE, applicant=factories.user(email="dieppe@epci.example"), plpdma_status="none"
    )
    for mark, siren in [(5, CAUX_SEINE), (4, LE_HAVRE), (2, CAEN)]:
        record_scores(apps[siren], {motivation: ScoreInput(mark), potential: ScoreInput(mark)}, by=alice)
    record_scores(apps[CAUX_SEINE], {motivation: ScoreInput(5), potential: ScoreInput(5)}, by=bruno)
    record_scores(apps[LE_HAVRE], {motivation: ScoreInput(4)}, by=bruno)
    call.deadline = timezone.now() - dt.timedelta(hours=1)
    call.save()
    return call, apps, {"alice": alice, "bruno": bruno, "chloe": chloe}


def test_the_applications_not_scored_are_counted_per_member(call_to_decide):
    call, _apps, _people = call_to_decide
    progress = {item.seat.member.email: (item.to_score, item.not_scored) for item in scoring_progress(call)}
    assert progress == {
        "alice@ademe.example": (3, 0),
        "bruno@dreal.example": (3, 2),
        "chloe@region.example": (3, 3),
    }


def test_the_ranking_page_lists_the_members_and_their_missing_scores(client, call_to_decide):
    call, _apps, _people = call_to_decide
    client.force_login(factories.programme_team_member())
    html = client.get(reverse("programme_call_ranking", kwargs={"pk": call.pk})).content.decode()
    assert 'data-seat="bruno@dreal.example" data-not-scored="2"' in html
    assert 'data-seat="chloe@region.example" data-not-scored="3"' in html
    assert 'data-seat="alice@ademe.example" data-not-scored="0"' in html
    assert "2 sur 3" in html and "toutes notées" in html


def test_a_reminder_goes_to_the_member_after_commit_and_is_audited(
    client, call_to_decide, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://tremplin.example"
    call, _apps, people = call_to_decide
    team = factories.programme_team_member()
    seat = call.committee_seats.get(member=people["bruno"])
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_committee_member(seat, by=team) == 2
    (message,) = mail.outbox
    assert message.to == ["bruno@dreal.example"]
    assert message.subject == f"{call.title} : des candidatures attendent vos notes"
    assert (
        "Candidatures éligibles que vous n'avez pas encore notées sur tous les critères : 2 sur 3."
        in message.body
    )
    assert f"https://tremplin.example/programme/comite/appels/{call.pk}/" in message.body
    assert AuditEntry.objects.get(action="committee.reminded").data["not_scored"] == 2
    # Through the page: Alice has nothing left to score, so no mail.
    client.force_login(team)
    alice_seat = call.committee_seats.get(member=people["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programme_seat_remind", kwargs={"pk": alice_seat.pk}))
    assert len(mail.outbox) == 1


def test_a_committee_member_cannot_send_reminders(client, call_to_decide):
    call, _apps, people = call_to_decide
    client.force_login(people["alice"])
    seat = call.committee_seats.get(member=people["chloe"])
    assert client.post(reverse("programme_seat_remind", kwargs={"pk": seat.pk})).status_code == 403
    assert mail.outbox == []


def test_posting_the_selection_without_confirmation_sends_nothing_and_shows_the_previews(
    client, call_to_decide, django_capture_on_commit_callbacks
):
    call, apps, _people = call_to_decide
    client.force_login(factories.programme_team_member())
    url = reverse("programme_call_ranking", kwargs={"pk": call.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"chosen": [str(apps[CAUX_SEINE].pk)], "justification": ""})
    html = response.content.decode()
    assert mail.outbox == []
    assert not Application.objects.filter(call=call, status__in=["selected", "not_selected"]).exists()
    # 4 mails; 4 applicants + the same declared official and officer on each = 6 addresses.
    assert "Confirmer envoie 4 e-mails (un par candidature) à 6 adresses distinctes" in html
    assert 'data-preview="selected"' in html and 'data-preview="not_selected"' in html
    assert 'data-preview="ineligible"' in html
    assert "votre candidature est retenue" in html and "résultat de votre candidature" in html
    assert "data-missing-scores" in html and "3 sur 3 non notées" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"chosen": [str(apps[CAUX_SEINE].pk)], "justification": "", "confirmed": "1"})
    assert len([m for m in mail.outbox if "candidature" in m.subject]) == 4
    assert Application.objects.get(pk=apps[CAUX_SEINE].pk).status == "selected"


def test_the_confirmation_screen_refuses_a_selection_that_breaks_the_rules(client, call_to_decide):
    call, apps, _people = call_to_decide
    client.force_login(factories.programme_team_member())
    url = reverse("programme_call_ranking", kwargs={"pk": call.pk})
    response = client.post(url, {"chosen": [str(apps[CAEN].pk)], "justification": ""})
    html = response.content.decode()
    assert "data-preview" not in html
    assert "justifiez-la par écrit" in html
