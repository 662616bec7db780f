"""A deliverable submitted tells the programme team; sent back (with the comment) or validated tells the
territory's team; each mail links to the deliverable and leaves only after the transition commits."""

import pytest
from django.core import mail
from django.db import transaction

from tests import factories
from tremplin.coaching.models import Deliverable, DeliverableKind, SwotItem
from tremplin.coaching.services import deliverables as services

pytestmark = pytest.mark.django_db

SITE = "https://tremplin.example"
CAUX_NAME = "Communauté d'agglomération Caux Seine Agglo"


class Later(Exception):
    pass


@pytest.fixture
def w1(caux_participation, caux_officer, settings):
    settings.SITE_URL = SITE
    services.ensure_deliverables(caux_participation)
    deliverable = Deliverable.objects.get(participation=caux_participation, kind=DeliverableKind.W1_DIAGNOSIS)
    services.add_item(deliverable, SwotItem(category="strength", text="Un port"), by=caux_officer)
    return deliverable


def _link(deliverable):
    return f"{SITE}/accompagnement/participations/{deliverable.participation_id}/livrables/w1_diagnosis/"


def test_a_submission_tells_the_programme_team(
    w1, caux_officer, programme, django_capture_on_commit_callbacks
):
    other = factories.programme_team_member(email="another@region.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(w1, "submit", by=caux_officer)
    (message,) = mail.outbox
    assert message.recipients() == sorted([programme.email, other.email])
    assert message.subject == f"{CAUX_NAME} : « A1 · Diagnostic territorial » soumis à validation"
    assert (
        f"Camille Caux a soumis le livrable « A1 · Diagnostic territorial » de {CAUX_NAME} "
        f"(Tremplin EIT Normandie 2019) à l'équipe du programme." in message.body
    )
    assert _link(w1) in message.body


def test_sending_back_tells_the_territory_team_with_the_comment(
    w1, caux_officer, programme, django_capture_on_commit_callbacks
):
    colleague = factories.territory_officer(w1.participation.territory, email="colleague@caux.example")
    services.change_status(w1, "submit", by=caux_officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(w1, "send_back", by=programme, comment="Ajoutez les menaces & les risques.")
    (message,) = mail.outbox
    assert sorted(message.recipients()) == sorted([caux_officer.email, colleague.email])
    assert message.subject == f"{CAUX_NAME} : « A1 · Diagnostic territorial » renvoyé pour modifications"
    assert "Son commentaire :\nAjoutez les menaces & les risques.\n" in message.body
    assert _link(w1) in message.body


def test_a_validation_tells_the_territory_team(
    w1, caux_officer, programme, django_capture_on_commit_callbacks
):
    services.change_status(w1, "submit", by=caux_officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(w1, "validate", by=programme)
    (message,) = mail.outbox
    assert message.recipients() == [caux_officer.email]
    assert message.subject == f"{CAUX_NAME} : « A1 · Diagnostic territorial » validé"


def test_a_transition_rolled_back_sends_nothing(
    w1, caux_officer, programme, django_capture_on_commit_callbacks
):
    with (
        pytest.raises(Later),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        services.change_status(w1, "submit", by=caux_officer)
        raise Later
    assert callbacks == [] and mail.outbox == []
