"""A programme team member bound to one region runs that region's calls only: another region's calendar,
registrations, convocations, templates applied, attendance, support days, deliverables, RSO comparison,
closing review and applicants' register extract all refuse it; one bound to the call's region (or to no
region) runs them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories
from tremplin.accounts.models import Membership, Role
from tremplin.coaching.models import Event, EventKind
from tremplin.coaching.services import calendar, convocations, deliverables, editions, followup, registrations
from tremplin.coaching.services.errors import NotAllowed
from tremplin.coaching.services.support import save_support_day
from tremplin.geo.models import Region
from tremplin.programme.exceptions import NotAllowed as ProgrammeNotAllowed
from tremplin.programme.services import extracts

pytestmark = pytest.mark.django_db


def _programme_member(email, region):
    person = factories.user(email=email)
    Membership.objects.create(user=person, role=Role.PROGRAMME_TEAM, region=region)
    return person


@pytest.fixture
def people(call):
    return {
        "breton": _programme_member("breton@region.example", Region.objects.get(code="53")),
        "norman": _programme_member("norman@region.example", call.region),
    }


@pytest.fixture
def event(call):
    return Event.objects.create(
        call=call,
        kind=EventKind.RSO_1,
        date=dt.date(2019, 11, 5),
        duration="half_day",
        period="morning",
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
    )


def _operations(call, event, participation):
    registration = calendar.register_person(
        event,
        participation,
        person_name="Élue de Caux",
        function="elected_official",
        by=factories.territory_officer(participation.territory),
    )
    deliverable = participation.deliverables.first()
    deliverable.status = "submitted"
    deliverable.save(update_fields=["status"])
    day = participation.support_days.first()
    return {
        "save_event": lambda by: calendar.save_event(event, by=by),
        "delete_event": lambda by: calendar.delete_event(event, by=by),
        "record_attendance": lambda by: calendar.record_attendance(registration, "present", by=by),
        "register_declared_people": lambda by: registrations.register_declared_people(call, by=by),
        "send_convocations": lambda by: convocations.send_convocations(call, by=by, link_for=lambda p: p),
        "apply_template": lambda by: editions.apply_template(
            editions.reference_template(), call, dt.date(2027, 1, 11), by=by, replace=True
        ),
        "compare_territories": lambda by: followup.compare_territories(event, by=by),
        "closing_summary": lambda by: followup.closing_summary(call, by=by),
        "save_lessons": lambda by: followup.save_lessons(call, "Leçons", by=by),
        "save_support_day": lambda by: save_support_day(day, by=by),
        "send_back_deliverable": lambda by: deliverables.change_status(
            deliverable, "send_back", by=by, comment="À revoir"
        ),
        "start_extract": lambda by: extracts.start_extract(
            call, SimpleUploadedFile("stock.csv", b"siret\n"), by=by
        ),
    }


def test_another_regions_programme_member_is_refused_every_call_operation(
    call, caux_participation, event, people
):
    for name, operation in _operations(call, event, caux_participation).items():
        with pytest.raises((NotAllowed, ProgrammeNotAllowed)) as refused:
            operation(people["breton"])
        assert refused is not None, name
        assert Event.objects.filter(pk=event.pk).exists(), name


def test_the_regions_own_programme_member_reads_the_comparison_and_edits_the_calendar(
    call, caux_participation, event, people
):
    event.place = "Caen"
    calendar.save_event(event, by=people["norman"])
    assert Event.objects.get(pk=event.pk).place == "Caen"
    assert followup.compare_territories(event, by=people["norman"]) is not None
    assert followup.save_lessons(call, "Leçons", by=people["norman"]).lessons == "Leçons"
