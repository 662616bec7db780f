"""Objectives with a baseline, a target and values by date; progress against target, at a date and in
the RSO reports."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tremplin.audit.models import AuditEntry
from tremplin.coaching.models import DeliverableKind, Event, Objective, ObjectiveValue
from tremplin.coaching.services import deliverables as services
from tremplin.coaching.services import objectives
from tremplin.coaching.services.errors import NotAllowed
from tremplin.coaching.services.followup import submit_report

pytestmark = pytest.mark.django_db

D = datetime.date


def test_progress_is_the_share_of_the_way_from_baseline_to_target():
    # (250 − 100) ÷ (500 − 100) = 150 ÷ 400 = 37.5 %
    assert objectives.percent_of_way(Decimal(100), Decimal(500), Decimal(250)) == Decimal("37.5")
    # Lowering a figure: 1 000 t → 600 t, at 800 t: (800 − 1 000) ÷ (600 − 1 000) = 50 %
    assert objectives.percent_of_way(Decimal(1000), Decimal(600), Decimal(800)) == Decimal("50.0")
    # Past the target (600 − 100) ÷ 400 = 125 %, below the baseline (60 − 100) ÷ 400 = −10 %
    assert objectives.percent_of_way(Decimal(100), Decimal(500), Decimal(600)) == Decimal("125.0")
    assert objectives.percent_of_way(Decimal(100), Decimal(500), Decimal(60)) == Decimal("-10.0")
    # 1 ÷ 3 = 33.33… → 33.3 %; a target equal to the baseline has no way to go.
    assert objectives.percent_of_way(Decimal(0), Decimal(3), Decimal(1)) == Decimal("33.3")
    assert objectives.percent_of_way(Decimal(5), Decimal(5), Decimal(7)) is None


@pytest.fixture
def w2(caux_participation):
    return {d.kind: d for d in services.ensure_deliverables(caux_participation)}[
        DeliverableKind.W2_OBJECTIVES
    ]


@pytest.fixture
def objective(w2, caux_officer):
    return services.add_item(
        w2,
        Objective(
            label="Détourner les déchets de l'enfouissement",
            indicator="Tonnes détournées par an",
            unit="t",
            baseline_value=Decimal(100),
            baseline_date=D(2019, 1, 1),
            target_value=Decimal(500),
            due_date=D(2021, 12, 31),
        ),
        by=caux_officer,
    )


def _record(objective, by, day, value, basis="measured", source="pesées du SMEDAR"):
    return objectives.record_value(
        objective, ObjectiveValue(date=day, value=Decimal(value), basis=basis, source=source), by=by
    )


@pytest.fixture
def values(objective, caux_officer):
    _record(
        objective, caux_officer, D(2019, 3, 1), 200, basis="estimated", source="estimation du bureau d'études"
    )
    _record(
        objective, caux_officer, D(2019, 6, 15), 260, basis="declared", source="déclarations des entreprises"
    )
    _record(objective, caux_officer, D(2019, 9, 30), 410)


def test_the_latest_value_at_or_before_the_date_counts(objective, values):
    before_any = objectives.progress_at(objective, D(2019, 2, 28))
    assert before_any.current is None and before_any.percent is None
    # The day before the second value: the first (200): (200 − 100) ÷ 400 = 25 %.
    day_before = objectives.progress_at(objective, D(2019, 6, 14))
    assert day_before.current.value == 200 and day_before.current.basis == "estimated"
    assert day_before.percent == Decimal("25.0")
    # The value of the day itself counts: 260 → 160 ÷ 400 = 40 %.
    same_day = objectives.progress_at(objective, D(2019, 6, 15))
    assert same_day.current.value == 260 and same_day.percent == Decimal("40.0")
    # Later: 410 → 310 ÷ 400 = 77.5 %, measured.
    later = objectives.progress_at(objective, D(2019, 12, 31))
    assert later.current.value == 410 and later.current.basis == "measured"
    assert later.percent == Decimal("77.5")


def test_an_objective_recorded_without_baseline_has_no_progress(caux_participation):
    legacy = Objective.objects.create(
        participation=caux_participation, label="Ancien", indicator="I", target_value=10, unit="t"
    )
    ObjectiveValue.objects.create(
        participation=caux_participation, objective=legacy, date=D(2019, 5, 1), value=4, basis="declared"
    )
    progress = objectives.progress_at(legacy, D(2019, 6, 1))
    assert progress.current.value == 4 and progress.percent is None


def test_a_value_is_one_per_date_never_in_the_future_and_audited(objective, caux_officer):
    _record(objective, caux_officer, D(2019, 3, 1), 200)
    with pytest.raises(objectives.InvalidValue):
        _record(objective, caux_officer, D(2019, 3, 1), 210)
    with pytest.raises(objectives.InvalidValue):
        _record(objective, caux_officer, datetime.date.today() + datetime.timedelta(days=1), 210)
    assert ObjectiveValue.objects.filter(objective=objective).count() == 1
    entry = AuditEntry.objects.get(action="coaching.objective_value.recorded")
    assert entry.territory_id == objective.participation.territory_id
    assert entry.data["value"] == "200" and entry.data["basis"] == "measured"


def test_values_are_recorded_by_the_territory_team_only(objective, programme, havre_officer, committee):
    for person in (programme, havre_officer, committee):
        with pytest.raises(NotAllowed):
            _record(objective, person, D(2019, 3, 1), 200)
    assert not ObjectiveValue.objects.exists()


def test_values_are_still_recorded_once_the_objectives_are_validated(w2, objective, caux_officer, programme):
    services.change_status(w2, "submit", by=caux_officer)
    services.change_status(w2, "validate", by=programme)
    _record(objective, caux_officer, D(2019, 9, 30), 410)
    assert objectives.progress_at(objective, D(2019, 10, 1)).percent == Decimal("77.5")


def test_an_objective_changed_since_the_form_was_shown_is_not_overwritten(objective, caux_officer):
    objectives.update_objective(objective, by=caux_officer, expected_version=1, target_value=Decimal(600))
    with pytest.raises(objectives.ObjectiveConflict) as conflict:
        objectives.update_objective(objective, by=caux_officer, expected_version=1, target_value=Decimal(700))
    assert conflict.value.current.target_value == 600 and conflict.value.current.version == 2
    objective.refresh_from_db()
    assert objective.target_value == 600
    entry = AuditEntry.objects.get(action="coaching.objective.updated")
    assert entry.data["changes"] == {"target_value": ["500.00", "600"]}


def test_the_edit_page_shows_the_conflict(client, objective, caux_officer):
    objectives.update_objective(objective, by=caux_officer, expected_version=1, target_value=Decimal(600))
    client.force_login(caux_officer)
    response = client.post(
        reverse("coaching_objective_edit", kwargs={"pk": objective.pk}),
        {
            "label": objective.label,
            "indicator": objective.indicator,
            "unit": "t",
            "baseline_value": "100",
            "baseline_date": "2019-01-01",
            "target_value": "700",
            "due_date": "2021-12-31",
            "version": "1",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-conflict-field="target_value"' in html
    objective.refresh_from_db()
    assert objective.target_value == 600


def test_the_rso_report_freezes_progress_at_the_meetings_date(
    call, caux_participation, objective, values, caux_officer, client
):
    rso = Event.objects.create(
        call=call,
        kind="rso_1",
        date=D(2019, 6, 15),
        duration="half_day",
        period="afternoon",
        start_time=datetime.time(14),
        end_time=datetime.time(17),
    )
    report = submit_report(rso, caux_participation, progress_statement="Point d'étape", by=caux_officer)
    frozen = report.details["objectives"][0]
    # At 15 June 2019 the latest value is that of the day, 260 (declared): 40 %.
    assert frozen["current_value"] == "260.00" and frozen["current_date"] == "2019-06-15"
    assert frozen["current_basis"] == "declared" and frozen["progress_percent"] == "40.0"
    assert frozen["baseline_value"] == "100.00" and frozen["target_value"] == "500.00"
    # A value recorded afterwards, dated before the meeting, leaves the frozen report as it was.
    _record(objective, caux_officer, D(2019, 6, 1), 300)
    report.refresh_from_db()
    assert report.details["objectives"][0]["progress_percent"] == "40.0"
    client.force_login(caux_officer)
    response = client.get(
        reverse("coaching_report", kwargs={"event_pk": rso.pk, "participation_pk": caux_participation.pk})
    )
    html = response.content.decode()
    assert "40 %" in html and "déclaré" in html and "260" in html


def test_the_objectives_page_shows_progress_and_each_values_basis(
    client, caux_participation, objective, values, caux_officer
):
    client.force_login(caux_officer)
    response = client.get(
        reverse(
            "coaching_deliverable",
            kwargs={"participation_pk": caux_participation.pk, "kind": DeliverableKind.W2_OBJECTIVES},
        )
    )
    html = response.content.decode()
    # Today the latest value is 410 (measured): 77.5 %.
    assert "77,5 %" in html
    assert "mesuré" in html and "estimé" in html and "déclaré" in html
    assert "pesées du SMEDAR" in html


def test_recording_a_value_through_the_page(client, objective, caux_officer):
    client.force_login(caux_officer)
    prefix = f"value-{objective.pk}"
    response = client.post(
        reverse("coaching_objective_value_add", kwargs={"pk": objective.pk}),
        {f"{prefix}-date": "2019-04-02", f"{prefix}-value": "150", f"{prefix}-basis": "measured"},
    )
    assert response.status_code == 302
    value = ObjectiveValue.objects.get(objective=objective)
    assert (value.date, value.value, value.entered_by) == (D(2019, 4, 2), 150, caux_officer)


def test_the_programme_team_cannot_record_a_value_through_the_page(client, objective, programme):
    client.force_login(programme)
    prefix = f"value-{objective.pk}"
    client.post(
        reverse("coaching_objective_value_add", kwargs={"pk": objective.pk}),
        {f"{prefix}-date": "2019-04-02", f"{prefix}-value": "150", f"{prefix}-basis": "measured"},
    )
    assert not ObjectiveValue.objects.exists()
