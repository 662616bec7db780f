"""The programme's mails: the acknowledgement of an application and the selection outcomes, exact, in
French, as plain text (an apostrophe stays an apostrophe), with absolute links to the platform, sent
only once the operation commits."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.programme.services.applications import submit_application
from tremplin.programme.services.notifications import acknowledgement_message, outcome_message
from tremplin.programme.services.scoring import ScoreInput, record_scores
from tremplin.programme.services.selection import select_applications
from tremplin.territories.models import Territory

pytestmark = pytest.mark.django_db

TITLE = "Appel d'intérêt EIT & R&D"
CAUX_NAME = "Communauté d'agglomération Caux Seine Agglo"
SITE = "https://tremplin.example"


class Later(Exception):
    pass


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def scored():
    """Two eligible applications for one place (Caux 5/5, Le Havre 3/3), the deadline passed."""
    call = factories.call(title=TITLE, places=1)
    member = factories.seated_committee_member(call)
    motivation, potential = call.criteria.order_by("position")
    caux = factories.submitted_application(
        call, CAUX_SEINE, applicant=factories.user(email="caux@epci.example")
    )
    havre = factories.submitted_application(
        call, LE_HAVRE, applicant=factories.user(email="havre@epci.example")
    )
    record_scores(caux, {motivation: ScoreInput(5), potential: ScoreInput(5)}, by=member)
    record_scores(havre, {motivation: ScoreInput(3), potential: ScoreInput(3)}, by=member)
    call.deadline = timezone.now() - dt.timedelta(hours=1)
    call.save()
    return call, caux, havre


def test_the_acknowledgement_is_exact_with_its_summary_and_link():
    call = factories.call(title=TITLE)
    draft = factories.draft_application(call, CAUX_SEINE, applicant=factories.user(email="caux@epci.example"))
    moment = dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC)
    call.deadline = dt.datetime(2027, 3, 15, 22, 59, tzinfo=dt.UTC)
    call.opens_at = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
    call.save()
    application = submit_application(draft, by=draft.applicant, now=moment)
    message = acknowledgement_message(application)
    assert message.subject == f"{TITLE} : candidature de {CAUX_NAME} reçue"
    assert message.to == ["caux@epci.example"]
    assert message.cc == ["elue@epci.example", "technicien@epci.example"]
    assert message.reply_to == ["programme@example.org"]
    body = message.body
    assert (
        f"La candidature de {CAUX_NAME} à l'appel « {TITLE} » a bien été reçue le 1 mars 2027 10:30." in body
    )
    assert "- Élu référent : Jeanne Élue (elue@epci.example)" in body
    assert "- Technicien EIT : Paul Technicien (technicien@epci.example)" in body
    assert "- Stratégie de transition : Cit'ergie" in body
    assert "date limite (15 mars 2027 23:59)" in body
    assert f"{SITE}/programme/candidatures/{application.pk}/\n" in body
    assert "&#x27;" not in body + message.subject and "&amp;" not in body + message.subject


def test_submitting_sends_the_acknowledgement_after_commit_only(django_capture_on_commit_callbacks):
    call = factories.call()
    draft = factories.draft_application(call, CAUX_SEINE)
    with (
        pytest.raises(Later),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        submit_application(draft, by=draft.applicant)
        raise Later
    assert callbacks == [] and mail.outbox == []
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(draft, by=draft.applicant)
    assert [m.subject for m in mail.outbox] == [f"{call.title} : candidature de {CAUX_NAME} reçue"]


def test_the_selected_territorys_mail_links_to_its_workspace_and_calendar(
    scored, django_capture_on_commit_callbacks
):
    call, _caux, havre = scored
    with django_capture_on_commit_callbacks(execute=True):
        select_applications(call, by=factories.programme_team_member())
    outcomes = {m.to[0]: m for m in mail.outbox if "candidature" in m.subject}
    selected = outcomes["caux@epci.example"]
    territory = Territory.objects.get(epci__siren=CAUX_SEINE)
    assert selected.subject == f"{TITLE} : votre candidature est retenue"
    assert f"a retenu la candidature de {CAUX_NAME} à l'appel « {TITLE} »" in selected.body
    assert f"{SITE}{reverse('territory_detail', kwargs={'pk': territory.pk})}\n" in selected.body
    assert (
        "Le calendrier du programme (ateliers, journées d'appui, revues) et vos livrables sont dans la "
        "plateforme, sur la page programme de votre territoire :\n"
        f"{SITE}{reverse('coaching_territory', kwargs={'territory_pk': territory.pk})}\n"
    ) in selected.body
    assert "enverra" not in selected.body  # the calendar is in the platform, not "to be sent"
    ranked_out = outcomes["havre@epci.example"]
    assert ranked_out.subject == f"{TITLE} : résultat de votre candidature"
    assert (
        "Votre candidature reste consultable sur la plateforme :\n"
        f"{SITE}/programme/candidatures/{havre.pk}/\n"
    ) in ranked_out.body
    for message in outcomes.values():
        text = message.subject + message.body
        assert "&#x27;" not in text and "&amp;" not in text


def test_the_view_builds_links_from_the_request(scored):
    _call, caux, _havre = scored
    message = outcome_message(caux, selected=False, link_for=lambda path: f"http://testserver{path}")
    assert f"http://testserver/programme/candidatures/{caux.pk}/" in message.body
