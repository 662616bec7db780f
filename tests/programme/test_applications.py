"""An EPCI's application: drafts keep their data, submission closes at the deadline, the deliberation
may follow."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone, translation

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.geo.models import Epci
from tremplin.programme.exceptions import (
    CallNotOpen,
    DeadlinePassed,
    DuplicateApplication,
    IncompleteApplication,
    InvalidTransition,
    NotAllowed,
)
from tremplin.programme.services.applications import (
    create_draft,
    record_deliberation,
    submit_application,
    update_draft,
)

pytestmark = pytest.mark.django_db


def test_a_draft_keeps_what_was_typed_even_incomplete():
    call = factories.call()
    applicant = factories.user()
    draft = create_draft(
        call, by=applicant, fields={"epci": Epci.objects.get(siren=CAUX_SEINE), "official_name": "Jeanne"}
    )
    update_draft(draft, by=applicant, fields={"ambitions": "Une ambition"})
    draft.refresh_from_db()
    assert (draft.status, draft.official_name, draft.ambitions) == ("draft", "Jeanne", "Une ambition")
    assert AuditEntry.objects.about(draft).filter(action="application.draft.saved").get().data == {
        "fields": ["ambitions"]
    }


def test_submitting_a_complete_draft_assesses_it_and_records_the_time():
    call = factories.call()
    draft = factories.draft_application(call, CAUX_SEINE)
    moment = timezone.now()
    submitted = submit_application(draft, by=draft.applicant, now=moment)
    assert submitted.status == "eligible"
    assert submitted.submitted_at == moment
    actions = set(AuditEntry.objects.about(submitted).values_list("action", flat=True))
    assert {"application.created", "application.submitted", "application.eligibility.assessed"} <= actions


def test_submission_after_the_deadline_is_refused_with_the_deadline_in_the_message():
    call = factories.call(deadline=dt.datetime(2019, 3, 11, 23, 59, 59, tzinfo=dt.UTC))
    call.opens_at = dt.datetime(2019, 1, 15, tzinfo=dt.UTC)
    call.save()
    draft = factories.draft_application(call, CAUX_SEINE, now=dt.datetime(2019, 3, 1, tzinfo=dt.UTC))
    one_second_late = dt.datetime(2019, 3, 12, 0, 0, 0, tzinfo=dt.UTC)
    with translation.override("fr"), pytest.raises(DeadlinePassed) as error:
        submit_application(draft, by=draft.applicant, now=one_second_late)
    assert str(error.value.message).startswith("La date limite de cet appel (12 mars 2019 00:59)")
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.submitted_at is None


def test_the_deadline_compare_uses_the_clock_when_no_time_is_given():
    call = factories.call()
    draft = factories.draft_application(call, CAUX_SEINE)
    late = call.deadline + dt.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=late), pytest.raises(DeadlinePassed):
        submit_application(draft, by=draft.applicant)
    with mock.patch("django.utils.timezone.now", return_value=call.deadline):
        assert submit_application(draft, by=draft.applicant).status == "eligible"  # the deadline is inclusive


def test_an_application_cannot_start_before_the_opening_nor_after_the_deadline():
    call = factories.call()
    fields = {"epci": Epci.objects.get(siren=CAUX_SEINE)}
    with pytest.raises(CallNotOpen):
        create_draft(call, by=factories.user(), fields=fields, now=call.opens_at - dt.timedelta(minutes=1))
    with pytest.raises(DeadlinePassed):
        create_draft(call, by=factories.user(), fields=fields, now=call.deadline + dt.timedelta(minutes=1))


def test_an_incomplete_application_says_what_is_missing():
    call = factories.call()
    applicant = factories.user()
    draft = create_draft(call, by=applicant, fields={"epci": Epci.objects.get(siren=CAUX_SEINE)})
    with pytest.raises(IncompleteApplication) as error:
        submit_application(draft, by=applicant)
    assert {"official_name", "officer_email", "strategies", "pnsi_participation", "letter"} <= set(
        error.value.missing
    )


def test_a_deliberation_attached_needs_its_file_and_an_expected_one_its_date():
    call = factories.call()
    draft = factories.draft_application(call, CAUX_SEINE, deliberation_status="attached")
    with pytest.raises(IncompleteApplication) as error:
        submit_application(draft, by=draft.applicant)
    assert set(error.value.missing) == {"deliberation"}
    update_draft(
        draft,
        by=draft.applicant,
        fields={"deliberation_status": "expected", "deliberation_expected_on": None},
    )
    with pytest.raises(IncompleteApplication) as error:
        submit_application(draft, by=draft.applicant)
    assert set(error.value.missing) == {"deliberation_expected_on"}


def test_one_epci_applies_once_per_call():
    call = factories.call()
    factories.draft_application(call, CAUX_SEINE)
    with pytest.raises(DuplicateApplication):
        factories.draft_application(call, CAUX_SEINE)
    factories.draft_application(call, LE_HAVRE)


def test_only_the_applicant_changes_or_submits_its_application():
    draft = factories.draft_application(factories.call(), CAUX_SEINE)
    other = factories.user()
    with pytest.raises(NotAllowed):
        update_draft(draft, by=other, fields={"ambitions": "piraté"})
    with pytest.raises(NotAllowed):
        submit_application(draft, by=other)


def test_a_submitted_application_can_no_longer_be_changed_or_resubmitted():
    application = factories.submitted_application(factories.call(), CAUX_SEINE)
    with pytest.raises(InvalidTransition):
        update_draft(application, by=application.applicant, fields={"ambitions": "autre"})
    with pytest.raises(InvalidTransition):
        submit_application(application, by=application.applicant)


def test_the_deliberation_may_be_attached_after_the_deadline():
    call = factories.call(open_=False)
    application = factories.submitted_application(call, CAUX_SEINE)
    assert timezone.now() > call.deadline
    record_deliberation(application, by=application.applicant, document=factories.pdf_upload("delib.pdf"))
    application.refresh_from_db()
    assert application.deliberation_status == "attached"
    assert application.deliberation_filename == "delib.pdf"
    with application.deliberation.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    assert AuditEntry.objects.about(application).filter(action="application.deliberation.attached").exists()


def test_the_letter_is_stored_privately_under_an_unguessable_name(settings):
    draft = factories.draft_application(factories.call(), CAUX_SEINE)
    assert draft.letter_filename == "courrier-signe.pdf"
    assert draft.letter.name.startswith(f"programme/letters/call-{draft.call_id}/")
    assert "courrier" not in draft.letter.name
    assert draft.letter.path.startswith(str(settings.MEDIA_ROOT / "private"))
    with pytest.raises(ValueError):
        draft.letter.url  # noqa: B018 - a private file has no public address
