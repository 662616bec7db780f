"""Edition templates: the 2019 edition as a template, another edition's shape, applying a template to a
call (dates = start + offset, a preview first, never twice without replacing), and the editor's
operations. Dates below are counted by hand on a calendar."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests import factories
from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import (
    CallDeliverable,
    EditionTemplate,
    Event,
    EventKind,
    Registration,
    TemplateDeliverable,
    TemplateEvent,
)
from tremplin.coaching.services import editions as services
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.coaching.services.deliverables import deliverables_of

pytestmark = pytest.mark.django_db

D = datetime.date

# The 2019 table "Les dates à retenir", as days after the launch of 7 May 2019 (counted by hand:
# 24 May = 7 May + 17; 18 June = +24 (rest of May) +18; ...; 8 October 2020 = +520).
REFERENCE_OFFSETS = [
    ("launch", 0),
    ("workshop_1", 17),
    ("workshop_2", 42),
    ("workshop_3", 65),
    ("workshop_4", 126),
    ("rso_1", 182),
    ("rso_2", 280),
    ("rso_3", 399),
    ("closing_review", 520),
]
REFERENCE_DATES = [
    ("launch", D(2019, 5, 7), "half_day", "afternoon"),
    ("workshop_1", D(2019, 5, 24), "full_day", "all_day"),
    ("workshop_2", D(2019, 6, 18), "full_day", "all_day"),
    ("workshop_3", D(2019, 7, 11), "full_day", "all_day"),
    ("workshop_4", D(2019, 9, 10), "full_day", "all_day"),
    ("rso_1", D(2019, 11, 5), "half_day", "morning"),
    ("rso_2", D(2020, 2, 11), "half_day", "morning"),
    ("rso_3", D(2020, 6, 9), "half_day", "morning"),
    ("closing_review", D(2020, 10, 8), "half_day", "morning"),
]
START_2027 = D(2027, 1, 11)  # a Monday


@pytest.fixture
def call_2027(db):
    return factories.coaching_call(
        title="Tremplin EIT 2027",
        opens_at=datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2026, 11, 30, 23, 0, tzinfo=datetime.UTC),
    )


def _event(template, kind, offset, duration="full_day", period="all_day", *, by, **fields):
    return services.save_template_event(
        TemplateEvent(
            template=template, kind=kind, offset_days=offset, duration=duration, period=period, **fields
        ),
        by=by,
    )


@pytest.fixture
def short_template(programme):
    """Three workshops and two follow-up meetings, built through the editor's operations."""
    template = services.save_template(
        EditionTemplate(name="Édition courte", description="3 ateliers, 2 RSO"), by=programme
    )
    _event(template, "launch", 0, "half_day", "morning", by=programme)
    w1 = _event(template, "workshop_1", 14, by=programme, agenda="Diagnostic")
    w2 = _event(template, "workshop_2", 35, by=programme)
    w3 = _event(template, "workshop_3", 63, by=programme)
    _event(template, "rso_1", 178, "half_day", "afternoon", by=programme, title="Premier point d'étape")
    _event(template, "rso_2", 301, "half_day", "morning", by=programme, start_time=datetime.time(10, 0))
    _event(template, "closing_review", 364, "half_day", "morning", by=programme, place_to_be_confirmed=False)
    for kind, due_event, offset in (
        ("w1_diagnosis", w1, 7),
        ("w2_objectives", w2, 0),
        ("w3_mobilisation", w3, -3),
        ("w4_communication", None, 100),
    ):
        services.save_template_deliverable(
            TemplateDeliverable(template=template, kind=kind, due_event=due_event, offset_days=offset),
            by=programme,
        )
    return template


def test_the_2019_edition_is_a_template_of_offsets_from_its_launch():
    template = services.reference_template()
    assert EditionTemplate.objects.count() == 1  # seeded by the migration, not created again
    assert [(item.kind, item.offset_days) for item in template.events.all()] == REFERENCE_OFFSETS
    assert [(d.kind, d.due_event.kind) for d in template.deliverables.select_related("due_event")] == [
        ("w1_diagnosis", "workshop_1"),
        ("w2_perimeter", "workshop_2"),
        ("w2_objectives", "workshop_2"),
        ("w2_governance", "workshop_2"),
        ("w3_mobilisation", "workshop_3"),
        ("w4_economic_model", "workshop_4"),
        ("w4_communication", "workshop_4"),
    ]
    # Its 2019 dates and places are in its own notes only.
    launch, workshop_1 = template.events.all()[:2]
    assert "2019-05-07" in launch.notes and "Caen" in launch.notes
    assert "Caen ou Rouen" in workshop_1.notes
    assert "novembre 2020" in template.events.get(kind="closing_review").notes


def test_the_2019_template_applied_to_the_2019_start_gives_back_the_reference_dates(call, programme):
    events = services.apply_template(services.reference_template(), call, D(2019, 5, 7), by=programme)
    assert [(e.kind, e.date, e.duration, e.period) for e in events] == REFERENCE_DATES
    assert events[0].start_time == datetime.time(14, 0) and events[0].end_time == datetime.time(17, 30)
    assert events[1].start_time == datetime.time(9, 30) and events[1].end_time == datetime.time(17, 0)
    # The same dates as the reference call's own calendar.
    reference_call = factories.coaching_call(title="Référence")
    seeded = seed_reference_calendar(reference_call)
    assert sorted((e.kind, e.date) for e in seeded) == sorted((e.kind, e.date) for e in events)
    due = {d.kind: (d.due_date, d.event.kind) for d in CallDeliverable.objects.of_call(call)}
    assert due["w1_diagnosis"] == (D(2019, 5, 24), "workshop_1")
    assert due["w4_communication"] == (D(2019, 9, 10), "workshop_4")


def test_a_2027_edition_of_three_workshops_and_two_rso_gets_exactly_its_events(
    call_2027, programme, short_template
):
    events = services.apply_template(short_template, call_2027, START_2027, by=programme)
    assert [(e.kind, e.date) for e in events] == [
        ("launch", D(2027, 1, 11)),
        ("workshop_1", D(2027, 1, 25)),  # +14
        ("workshop_2", D(2027, 2, 15)),  # +35: 20 days left in January, then 15
        ("workshop_3", D(2027, 3, 15)),  # +63: February 2027 has 28 days
        ("rso_1", D(2027, 7, 8)),  # +178
        ("rso_2", D(2027, 11, 8)),  # +301 = 43 weeks: a Monday
        ("closing_review", D(2028, 1, 10)),  # +364 = 52 weeks
    ]
    assert all(e.date.weekday() == 0 for e in events if e.kind not in ("rso_1",))
    assert Event.objects.of_call(call_2027).count() == 7
    assert sorted(Event.objects.of_call(call_2027).reporting().values_list("kind", flat=True)) == [
        "closing_review",
        "rso_1",
        "rso_2",
    ]
    by_kind = {e.kind: e for e in events}
    assert by_kind["rso_1"].name == "Premier point d'étape"
    assert (by_kind["rso_1"].start_time, by_kind["rso_1"].end_time) == (
        datetime.time(14, 0),
        datetime.time(17, 30),
    )
    assert (by_kind["rso_2"].start_time, by_kind["rso_2"].end_time) == (
        datetime.time(10, 0),
        datetime.time(12, 30),
    )
    assert by_kind["workshop_1"].agenda == "Diagnostic"
    assert not by_kind["launch"].place_confirmed and by_kind["closing_review"].place_confirmed
    assert {
        d.kind: (d.due_date, d.event.kind if d.event else None) for d in CallDeliverable.objects.all()
    } == {
        "w1_diagnosis": (D(2027, 2, 1), "workshop_1"),  # workshop 1 + 7
        "w2_objectives": (D(2027, 2, 15), "workshop_2"),
        "w3_mobilisation": (D(2027, 3, 12), "workshop_3"),  # workshop 3 − 3
        "w4_communication": (D(2027, 4, 21), None),  # start + 100: 20 + 28 + 31 + 21
    }


def test_no_2019_text_reaches_a_2027_edition_from_the_2019_template(call_2027, programme):
    events = services.apply_template(services.reference_template(), call_2027, START_2027, by=programme)
    assert len(events) == 9
    assert events[1].date == D(2027, 1, 28)  # workshop 1: start + 17
    # Closing review, start + 520: 11 January 2028 is +365, then 20 + 29 (leap February) + 31 + 30 + 31 = 141
    # reaches 31 May, and 14 more days.
    assert events[-1].date == D(2028, 6, 14)
    for event in events:
        assert event.date.year in (2027, 2028)
        assert event.place == "" and event.note == "" and not event.place_confirmed
        text = " ".join((event.title, event.agenda, event.place, event.note))
        for word in ("2019", "2020", "Caen", "Rouen", "octobre", "novembre", "Horaires indicatifs", "appel"):
            assert word not in text, (event.kind, word)


def test_applying_twice_is_refused_unless_replacing_events_without_registrations(
    call_2027, programme, short_template, caux
):
    services.apply_template(short_template, call_2027, START_2027, by=programme)
    with pytest.raises(services.CallHasEvents):
        services.apply_template(short_template, call_2027, D(2027, 2, 1), by=programme)
    assert Event.objects.get(call=call_2027, kind="launch").date == START_2027

    events = services.apply_template(
        services.reference_template(), call_2027, D(2027, 2, 1), by=programme, replace=True
    )
    assert [e.kind for e in events] == [kind for kind, _offset in REFERENCE_OFFSETS]
    assert CallDeliverable.objects.filter(call=call_2027).count() == 7
    assert (
        AuditEntry.objects.filter(action="coaching.template.applied").order_by("pk").last().data["replaced"]
        == 7
    )

    participation = factories.coaching_participation(call_2027, caux)
    launch = Event.objects.get(call=call_2027, kind="launch")
    Registration.objects.create(
        event=launch, participation=participation, person_name="Alix", function="officer"
    )
    with pytest.raises(services.EventsInUse) as refused:
        services.apply_template(short_template, call_2027, START_2027, by=programme, replace=True)
    assert "Launch meeting" in str(refused.value.message) or "Réunion de lancement" in str(
        refused.value.message
    )
    assert Event.objects.filter(call=call_2027).count() == 9  # nothing replaced


def test_the_preview_shows_the_dates_and_creates_nothing_then_applying_creates_them(
    client, call_2027, programme, short_template
):
    client.force_login(programme)
    url = reverse("coaching_calendar_prefill", kwargs={"call_pk": call_2027.pk})
    data = {"template": short_template.pk, "start": "2027-01-11"}
    html = client.post(url, data | {"action": "preview"}).content.decode()
    assert 'datetime="2027-02-15"' in html and 'datetime="2028-01-10"' in html
    assert "Premier point d&#x27;étape" in html
    assert not Event.objects.exists()
    # Applying what was not previewed (another start) shows the new preview instead.
    html = client.post(
        url, data | {"start": "2027-03-01", "action": "apply", "previewed": f"{short_template.pk}:2027-01-11"}
    ).content.decode()
    assert not Event.objects.exists() and 'datetime="2027-03-01"' in html
    response = client.post(url, data | {"action": "apply", "previewed": f"{short_template.pk}:2027-01-11"})
    assert response.status_code == 302
    assert Event.objects.filter(call=call_2027).count() == 7
    # A second application is refused with a message, and the preview warns first.
    html = client.post(url, data | {"action": "preview"}).content.decode()
    assert "L'appel a déjà des événements (7)" in html
    response = client.post(url, data | {"action": "apply", "previewed": f"{short_template.pk}:2027-01-11"})
    assert response.status_code == 200 and Event.objects.filter(call=call_2027).count() == 7
    calendar = client.get(reverse("coaching_calendar", kwargs={"call_pk": call_2027.pk})).content.decode()
    assert 'data-deliverable="w3_mobilisation"' in calendar and 'datetime="2027-03-12"' in calendar


def test_the_calendar_offers_the_templates_not_the_2019_dates(client, call_2027, programme):
    client.force_login(programme)
    html = client.get(reverse("coaching_calendar", kwargs={"call_pk": call_2027.pk})).content.decode()
    assert reverse("coaching_calendar_prefill", kwargs={"call_pk": call_2027.pk}) in html
    assert "reference edition" not in html and "édition de référence" not in html
    page = client.get(reverse("coaching_calendar_prefill", kwargs={"call_pk": call_2027.pk})).content.decode()
    assert escape(services.reference_template().name) in page
    assert not Event.objects.exists()  # GET never writes


def test_the_programme_team_builds_a_template_in_the_interface(client, programme):
    client.force_login(programme)
    response = client.post(
        reverse("coaching_template_create"), {"name": "Édition 2027", "description": "", "support_days": "2"}
    )
    template = EditionTemplate.objects.get(name="Édition 2027")
    assert response.url == reverse("coaching_template_detail", kwargs={"pk": template.pk})
    add = reverse("coaching_template_item_create", kwargs={"pk": template.pk, "item_type": "event"})
    for kind, offset in (("launch", "0"), ("workshop_1", "21")):
        client.post(
            add,
            {
                "event-kind": kind,
                "event-offset_days": offset,
                "event-duration": "full_day",
                "event-period": "all_day",
            },
        )
    launch, workshop = template.events.all()
    assert [(launch.kind, launch.offset_days), (workshop.kind, workshop.offset_days)] == [
        ("launch", 0),
        ("workshop_1", 21),
    ]
    # A full-day event cannot be in the morning: refused with the field's error.
    response = client.post(
        add,
        {
            "event-kind": "rso_1",
            "event-offset_days": "90",
            "event-duration": "full_day",
            "event-period": "morning",
        },
    )
    assert response.status_code == 200 and template.events.count() == 2
    # A second launch meeting is refused with a sentence, not an error page.
    response = client.post(
        add,
        {
            "event-kind": "launch",
            "event-offset_days": "3",
            "event-duration": "full_day",
            "event-period": "all_day",
        },
    )
    assert response.status_code == 200 and template.events.count() == 2
    assert "Le modèle a déjà un événement de cette nature." in response.content.decode()
    # Edit an offset, move, add a deliverable due with the workshop.
    edit = reverse("coaching_template_item_edit", kwargs={"item_type": "event", "item_pk": workshop.pk})
    client.post(
        edit,
        {
            "kind": "workshop_1",
            "offset_days": "28",
            "duration": "full_day",
            "period": "all_day",
            "place_to_be_confirmed": "on",
        },
    )
    workshop.refresh_from_db()
    assert workshop.offset_days == 28
    client.post(
        reverse("coaching_template_item_move", kwargs={"item_type": "event", "item_pk": workshop.pk}),
        {"direction": "up"},
    )
    assert [e.kind for e in template.events.all()] == ["workshop_1", "launch"]
    client.post(
        reverse("coaching_template_item_create", kwargs={"pk": template.pk, "item_type": "deliverable"}),
        {
            "deliverable-kind": "w1_diagnosis",
            "deliverable-due_event": workshop.pk,
            "deliverable-offset_days": "10",
        },
    )
    assert template.deliverables.get().due_event == workshop
    html = client.get(reverse("coaching_template_detail", kwargs={"pk": template.pk})).content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in html and 'data-item="w1_diagnosis"' in html


def test_duplicating_copies_items_and_editing_the_copy_leaves_the_original(programme):
    original = services.reference_template()
    copy = services.duplicate_template(original, name="Normandie 2027", by=programme)
    assert [(e.kind, e.offset_days) for e in copy.events.all()] == REFERENCE_OFFSETS
    # Deliverables of the copy are due with the copy's own events.
    assert all(d.due_event.template_id == copy.pk for d in copy.deliverables.select_related("due_event"))
    workshop_4 = copy.events.get(kind="workshop_4")
    with pytest.raises(services.DeliverablesDueWithEvent):
        services.remove_template_event(workshop_4, by=programme)
    for deliverable in copy.deliverables.filter(due_event=workshop_4):
        services.remove_template_deliverable(deliverable, by=programme)
    services.remove_template_event(workshop_4, by=programme)
    rso_3 = copy.events.get(kind="rso_3")
    services.remove_template_event(rso_3, by=programme)
    assert copy.events.count() == 7 and original.events.count() == 9
    assert original.deliverables.count() == 7 and copy.deliverables.count() == 5
    services.delete_template(copy, by=programme)
    assert list(EditionTemplate.objects.all()) == [original]


def test_every_template_operation_is_in_the_journal(programme, call_2027, short_template):
    item = short_template.events.get(kind="workshop_2")
    item.offset_days = 42
    services.save_template_event(item, by=programme)
    services.move_template_item(item, up=True, by=programme)
    services.apply_template(short_template, call_2027, START_2027, by=programme)
    codes = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert codes[0] == "coaching.template.created"
    assert codes.count("coaching.template.event.added") == 7
    assert codes.count("coaching.template.deliverable.added") == 4
    assert codes[-3:] == [
        "coaching.template.event.updated",
        "coaching.template.event.moved",
        "coaching.template.applied",
    ]
    updated = AuditEntry.objects.get(action="coaching.template.event.updated")
    assert updated.data["changes"] == {"offset_days": ["35", "42"]} and updated.actor == programme
    applied = AuditEntry.objects.get(action="coaching.template.applied")
    assert (applied.call, applied.data["start"], applied.data["template_id"]) == (
        call_2027,
        "2027-01-11",
        short_template.pk,
    )
    assert applied.data["created"] == [
        "launch",
        "workshop_1",
        "workshop_2",
        "workshop_3",
        "rso_1",
        "rso_2",
        "closing_review",
    ]


def test_kinds_of_the_calendar_keep_their_meaning(call_2027, programme, short_template):
    services.apply_template(short_template, call_2027, START_2027, by=programme)
    assert not Event.objects.filter(call=call_2027, kind__in=[EventKind.WORKSHOP_4, EventKind.RSO_3]).exists()
    assert all(e.is_reporting for e in Event.objects.of_call(call_2027).filter(kind__startswith="rso"))


def test_the_territories_of_an_edition_get_the_deliverables_of_its_template(
    call_2027, programme, short_template, caux
):
    services.apply_template(short_template, call_2027, START_2027, by=programme)
    participation = factories.coaching_participation(call_2027, caux)
    assert [d.kind for d in deliverables_of(participation)] == [
        "w1_diagnosis",
        "w2_objectives",
        "w3_mobilisation",
        "w4_communication",
    ]


def test_an_edition_without_template_keeps_every_deliverable(call, caux):
    participation = factories.coaching_participation(call, caux)
    assert len(deliverables_of(participation)) == 7


def test_the_number_of_support_days_comes_from_the_template(
    call_2027, programme, short_template, caux, havre
):
    short_template.support_days = 3
    services.save_template(short_template, by=programme)
    services.apply_template(short_template, call_2027, START_2027, by=programme)
    call_2027.refresh_from_db()
    assert call_2027.support_days == 3
    days = list(factories.coaching_participation(call_2027, caux).support_days.order_by("pk"))
    assert [day.on_site for day in days] == [True, False, False]
    # The 2019 template keeps the call's two days (one on site, one remote).
    assert services.reference_template().support_days == 2
    reference = factories.coaching_participation(factories.coaching_call(), havre)
    assert [day.on_site for day in reference.support_days.order_by("pk")] == [True, False]
