"""Every coaching operation writes the audit log (without a person's name or e-mail), and its create
forms record one line however often they are posted."""

import datetime
import re

import pytest
from django.urls import reverse

from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import (
    Actor,
    Deliverable,
    DeliverableKind,
    Event,
    EventKind,
    GoodPractice,
    Registration,
    SupportDay,
    SwotItem,
)
from tremplin.coaching.services import calendar, deliverables, followup, network, support

pytestmark = pytest.mark.django_db


def _actions(**filters):
    return list(AuditEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def _w(participation, kind):
    deliverables.ensure_deliverables(participation)
    return Deliverable.objects.get(participation=participation, kind=kind)


def test_calendar_operations_are_audited_in_the_programme_journal(
    call, caux_participation, caux_officer, programme
):
    opened = AuditEntry.objects.latest("id").pk  # the territory's coaching opened when it joined the call
    calendar.prefill_reference_calendar(call, by=programme)
    calendar.prefill_reference_calendar(call, by=programme)  # nothing new: nothing to record
    event = Event.objects.get(call=call, kind=EventKind.RSO_1)
    event.place = "Rouen"
    calendar.save_event(event, by=programme)
    registration = calendar.register_person(
        event,
        caux_participation,
        person_name="Camille Caux",
        function="officer",
        email="c@caux.example",
        by=caux_officer,
    )
    calendar.record_attendance(registration, "present", by=programme)
    calendar.cancel_registration(registration, by=caux_officer)
    calendar.delete_event(event, by=programme)
    assert _actions(action__startswith="coaching.", id__gt=opened) == [
        "coaching.calendar.prefilled",
        "coaching.event.updated",
        "coaching.registration.created",
        "coaching.attendance.recorded",
        "coaching.registration.cancelled",
        "coaching.event.deleted",
    ]
    prefilled = AuditEntry.objects.get(action="coaching.calendar.prefilled")
    assert (prefilled.actor, prefilled.call, prefilled.territory) == (programme, call, None)
    assert len(prefilled.data["created"]) == 9
    updated = AuditEntry.objects.get(action="coaching.event.updated")
    assert updated.data["changes"] == {"place": ["", "Rouen"]}
    registered = AuditEntry.objects.get(action="coaching.registration.created")
    assert registered.territory == caux_participation.territory and registered.call == call
    # The journal keeps what happened, not the person's name or e-mail.
    for entry in AuditEntry.objects.filter(action__startswith="coaching.registration"):
        assert "Camille" not in str(entry.data) and "caux.example" not in str(entry.data)


def test_deliverable_operations_are_audited_for_the_territory(caux_participation, caux_officer, programme):
    w1 = _w(caux_participation, DeliverableKind.W1_DIAGNOSIS)
    item = deliverables.add_item(w1, SwotItem(category="strength", text="Un port"), by=caux_officer)
    w3 = _w(caux_participation, DeliverableKind.W3_MOBILISATION)
    actor = deliverables.add_item(
        w3,
        Actor(scope="external", organisation="CCI", contact_name="Jean Dupont", email="jd@cci.example"),
        by=caux_officer,
    )
    deliverables.remove_item(w3, actor, by=caux_officer)
    deliverables.comment_on(w1, "À compléter", by=programme)
    deliverables.change_status(w1, "submit", by=caux_officer)
    deliverables.change_status(w1, "send_back", by=programme, comment="Ajoutez les menaces")
    perimeter = _w(caux_participation, DeliverableKind.W2_PERIMETER)
    deliverables.save_perimeter(perimeter, mode="whole_epci", by=caux_officer)
    assert _actions(territory=caux_participation.territory, action__startswith="coaching.") == [
        "coaching.deliverables.created",  # both when the territory joined the call
        "coaching.support_days.planned",
        "coaching.deliverable.start",
        "coaching.item.added",
        "coaching.deliverable.start",
        "coaching.item.added",
        "coaching.item.removed",
        "coaching.comment.added",
        "coaching.deliverable.submit",
        "coaching.deliverable.send_back",
        "coaching.deliverable.start",
        "coaching.perimeter.saved",
    ]
    added = AuditEntry.objects.filter(action="coaching.item.added").order_by("id").first()
    assert added.data == {
        "deliverable": "w1_diagnosis",
        "item_type": "swot",
        "item_id": item.pk,
        "label": "Un port",
    }
    for entry in AuditEntry.objects.filter(action__startswith="coaching.item", data__item_type="actor"):
        assert "Jean Dupont" not in str(entry.data) and "label" not in entry.data
    sent_back = AuditEntry.objects.get(action="coaching.deliverable.send_back")
    assert sent_back.data["from_status"] == "submitted" and sent_back.data["with_comment"] is True


def test_support_network_and_follow_up_operations_are_audited(
    call, caux_participation, caux_officer, programme
):
    day = support.plan_support_days(caux_participation)[0]
    day.date = datetime.date(2019, 10, 1)
    support.save_support_day(day, by=programme)
    extra = support.save_support_day(SupportDay(participation=caux_participation), by=caux_officer)
    support.remove_support_day(extra, by=caux_officer)
    practice = network.save_good_practice(
        GoodPractice(participation=caux_participation, title="Club des industriels", text="…", shared=True),
        by=caux_officer,
    )
    network.remove_good_practice(practice, by=caux_officer)
    event = Event.objects.create(
        call=call,
        kind=EventKind.RSO_1,
        date=datetime.date(2019, 11, 5),
        duration="half_day",
        period="morning",
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    followup.submit_report(event, caux_participation, progress_statement="Avancées", by=caux_officer)
    followup.save_lessons(call, "Retenir : réunir tôt les industriels", by=programme)
    assert _actions(action__startswith="coaching.") == [
        "coaching.deliverables.created",  # both when the territory joined the call
        "coaching.support_days.planned",
        "coaching.support_day.updated",
        "coaching.support_day.added",
        "coaching.support_day.removed",
        "coaching.good_practice.added",
        "coaching.good_practice.removed",
        "coaching.report.frozen",
        "coaching.lessons.saved",
    ]
    updated = AuditEntry.objects.get(action="coaching.support_day.updated")
    assert updated.data["changes"] == {"date": [None, "2019-10-01"]} and updated.actor == programme
    assert AuditEntry.objects.get(action="coaching.lessons.saved").call == call


def _hidden(html, name):
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def test_a_deliverable_line_posted_twice_is_recorded_once(client, caux_participation, caux_officer):
    client.force_login(caux_officer)
    page = client.get(
        reverse(
            "coaching_deliverable", kwargs={"participation_pk": caux_participation.pk, "kind": "w1_diagnosis"}
        )
    ).content.decode()
    key = _hidden(page, "swot-submission_key")[0]
    w1 = Deliverable.objects.get(participation=caux_participation, kind="w1_diagnosis")
    url = reverse("coaching_deliverable_item_add", kwargs={"pk": w1.pk, "item_type": "swot"})
    data = {"swot-category": "strength", "swot-text": "Un port", "swot-submission_key": key}
    client.post(url, data)
    client.post(url, data)
    assert SwotItem.objects.count() == 1
    assert AuditEntry.objects.filter(action="coaching.item.added").count() == 1


def test_a_registration_and_a_support_day_posted_twice_are_recorded_once(
    client, call, caux_participation, caux_officer
):
    event = Event.objects.create(
        call=call,
        kind=EventKind.WORKSHOP_1,
        date=datetime.date(2019, 5, 24),
        duration="full_day",
        period="all_day",
        start_time=datetime.time(9),
        end_time=datetime.time(17),
    )
    client.force_login(caux_officer)
    page = client.get(reverse("coaching_event_detail", kwargs={"pk": event.pk})).content.decode()
    data = {
        "registration-participation": caux_participation.pk,
        "registration-person_name": "Camille Caux",
        "registration-function": "officer",
        "registration-email": "",
        "registration-submission_key": _hidden(page, "registration-submission_key")[0],
    }
    url = reverse("coaching_registration_create", kwargs={"pk": event.pk})
    client.post(url, data)
    client.post(url, data)
    assert Registration.objects.count() == 1

    days_url = reverse("coaching_support_days", kwargs={"pk": caux_participation.pk})
    key = _hidden(client.get(days_url).content.decode(), "submission_key")[0]
    day = {"date": "2019-10-02", "place": "Bolbec", "topics": "", "notes": "", "submission_key": key}
    client.post(days_url, day)
    client.post(days_url, day)
    assert (
        SupportDay.objects.filter(participation=caux_participation).count() == 3
    )  # the two planned, one added
