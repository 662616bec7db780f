"""Reports frozen at each follow-up meeting, the side-by-side comparison and the closing review."""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tremplin.coaching.models import (
    Deliverable,
    DeliverableKind,
    Event,
    GoodPractice,
    Objective,
    ProgressReport,
    SupportDay,
    SwotItem,
)
from tremplin.coaching.services import deliverables as deliverable_services
from tremplin.coaching.services import followup as services
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.coaching.services.errors import NotAllowed, NotAReportingEvent, ReportAlreadyFrozen

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(call):
    seed_reference_calendar(call)
    return {e.kind: e for e in Event.objects.of_call(call)}


def _w1(participation, by, n=1):
    deliverable_services.ensure_deliverables(participation)
    w1 = Deliverable.objects.get(participation=participation, kind=DeliverableKind.W1_DIAGNOSIS)
    for i in range(n):
        deliverable_services.add_item(w1, SwotItem(category="strength", text=f"Atout {i}"), by=by)
    return w1


def test_a_report_is_frozen_later_changes_do_not_alter_it(events, caux, caux_participation, caux_officer):
    factories.establishment(caux)
    SupportDay.objects.create(participation=caux_participation, date=datetime.date(2019, 6, 1), on_site=True)
    w1 = _w1(caux_participation, caux_officer)
    deliverable_services.change_status(w1, "submit", by=caux_officer)
    report = services.submit_report(
        events["rso_1"],
        caux_participation,
        progress_statement="Trois entreprises rencontrées.",
        by=caux_officer,
    )
    assert report.figures["establishments"] == {
        "value": 1,
        "source": "establishments of the territory workspace",
        "basis": "count",
        "unit": "",
    }
    assert report.figures["deliverables_submitted"]["value"] == 1
    assert report.figures["support_days_held"]["value"] == 1
    # Nothing of the workspace existed yet on 5 November 2019 (everything here is created today).
    assert report.figures["waste_tonnes"]["value"] == 0
    assert report.figures["operational_consented"]["value"] == 0
    assert report.details["deliverables"]["w1_diagnosis"] == "submitted"

    # Afterwards the territory moves on: the frozen report does not.
    factories.establishment(caux)
    Objective.objects.create(
        participation=caux_participation, label="L", indicator="I", target_value=3, unit="u"
    )
    SupportDay.objects.create(participation=caux_participation, date=datetime.date(2019, 9, 1))
    report.refresh_from_db()
    assert report.figures["establishments"]["value"] == 1
    assert report.figures["objectives"]["value"] == 0
    assert report.figures["support_days_held"]["value"] == 1
    with pytest.raises(ReportAlreadyFrozen):
        services.submit_report(
            events["rso_1"], caux_participation, progress_statement="Encore", by=caux_officer
        )


def test_reports_are_for_follow_up_meetings_and_the_closing_review_only(
    events, caux_participation, caux_officer
):
    with pytest.raises(NotAReportingEvent):
        services.submit_report(
            events["workshop_1"], caux_participation, progress_statement="x", by=caux_officer
        )


def test_another_territory_cannot_freeze_my_report(events, caux_participation, havre_officer):
    with pytest.raises(NotAllowed):
        services.submit_report(events["rso_1"], caux_participation, progress_statement="x", by=havre_officer)


def test_the_comparison_puts_territories_side_by_side_with_the_change_since_the_previous_meeting(
    client,
    events,
    caux,
    havre,
    caux_participation,
    havre_participation,
    caux_officer,
    havre_officer,
    programme,
):
    # RSO 1: Caux has 2 establishments and 1 shared practice; Le Havre 1 establishment.
    factories.establishment(caux)
    factories.establishment(caux)
    factories.establishment(havre)
    GoodPractice.objects.create(
        participation=caux_participation, title="Collecte mutualisée", text="…", shared=True
    )
    services.submit_report(events["rso_1"], caux_participation, progress_statement="a", by=caux_officer)
    services.submit_report(events["rso_1"], havre_participation, progress_statement="b", by=havre_officer)
    # RSO 2: Caux 5 establishments (+3) and still 1 practice (+0); Le Havre has not reported.
    for _ in range(3):
        factories.establishment(caux)
    services.submit_report(events["rso_2"], caux_participation, progress_statement="c", by=caux_officer)

    comparison = services.compare_territories(events["rso_2"], by=programme)
    assert comparison.previous_event == events["rso_1"]
    names = [p.territory_id for p in comparison.participations]
    caux_col, havre_col = names.index(caux.pk), names.index(havre.pk)
    rows = {row.key: row for row in comparison.rows}
    assert rows["establishments"].cells[caux_col].value == 5
    assert rows["establishments"].cells[caux_col].delta == 3
    assert rows["good_practices_shared"].cells[caux_col].delta == 0
    assert not rows["establishments"].cells[havre_col].reported

    client.force_login(programme)
    html = client.get(
        reverse("coaching_comparison", kwargs={"event_pk": events["rso_2"].pk})
    ).content.decode()
    establishments_row = html.split('<tr data-figure="establishments">')[1].split("</tr>")[0]
    assert '<span class="value">5</span> <span class="delta">(+3)</span>' in establishments_row


def test_the_first_meeting_shows_no_change(events, caux_participation, caux_officer, programme):
    services.submit_report(events["rso_1"], caux_participation, progress_statement="a", by=caux_officer)
    comparison = services.compare_territories(events["rso_1"], by=programme)
    assert comparison.previous_event is None
    assert all(cell.delta is None for row in comparison.rows for cell in row.cells)


def test_the_closing_review_adds_up_the_territories(
    client,
    events,
    caux,
    havre,
    caux_participation,
    havre_participation,
    caux_officer,
    havre_officer,
    programme,
):
    factories.establishment(caux)
    factories.establishment(caux)
    factories.establishment(havre)
    services.submit_report(
        events["closing_review"], caux_participation, progress_statement="x", by=caux_officer
    )
    # Le Havre froze only its RSO 3 report: that one counts.
    services.submit_report(events["rso_3"], havre_participation, progress_statement="y", by=havre_officer)
    factories.establishment(havre)  # after its last report: not counted

    summary = services.closing_summary(caux_participation.call, by=programme)
    rows = {row.key: row for row in summary.rows}
    assert [c.value for c in rows["establishments"].cells] in ([2, 1, 3], [1, 2, 3])
    population = caux.epci.population + havre.epci.population
    assert rows["population"].cells[-1].value == population
    # No synergy anywhere yet: a total of zero.
    assert rows["operational_consented"].cells[-1].value == 0

    client.force_login(programme)
    url = reverse("coaching_closing_review", kwargs={"call_pk": caux_participation.call_id})
    client.post(url, {"lessons": "Mobiliser les élus tôt."})
    html = client.get(url).content.decode()
    assert "Mobiliser les élus tôt." in html
    total_row = html.split('<tr data-figure="establishments">')[1].split("</tr>")[0]
    assert '<td class="fw-semibold total"><span class="value">3</span></td>' in total_row


def test_a_territory_freezes_its_report_from_its_page(client, events, caux_participation, caux_officer):
    client.force_login(caux_officer)
    url = reverse(
        "coaching_report", kwargs={"event_pk": events["rso_1"].pk, "participation_pk": caux_participation.pk}
    )
    client.post(url, {"progress_statement": "Deux ateliers avec les entreprises de la zone portuaire."})
    report = ProgressReport.objects.get(event=events["rso_1"], participation=caux_participation)
    assert report.frozen_by == caux_officer
    html = client.get(url).content.decode()
    assert "Deux ateliers avec les entreprises de la zone portuaire." in html
    assert "<textarea" not in html


def test_a_report_freezes_the_workspace_figures_of_its_date(events, caux, caux_participation, caux_officer):
    rso = events["rso_1"]
    rso.date = datetime.date.today()
    rso.save()
    site = factories.establishment(caux)
    factories.flow(site, resource="wood_clean", quantity=3, unit="t", frequency="month")  # 3 × 12 = 36 t
    factories.flow(site, direction="in", resource="wood_clean", quantity=50, unit="t")  # a need: not counted
    factories.operational_synergy(caux, tonnes_diverted_per_year=250.0, co2_avoided_t_per_year=40.0)
    factories.synergy(caux, tonnes_diverted_per_year=999.0)  # detected only: not operational

    report = services.submit_report(rso, caux_participation, progress_statement="x", by=caux_officer)

    figures = {key: figure["value"] for key, figure in report.figures.items()}
    assert figures["waste_tonnes"] == 36.0
    assert figures["synergies"] == 2
    assert figures["operational_consented"] == 1
    # Not measured: the estimates are shown apart, the measured results are nil.
    assert figures["tonnes_diverted_per_year_operational_estimated"] == 250.0
    assert figures["co2_avoided_t_per_year_operational_estimated"] == 40.0
    assert figures["tonnes_diverted_per_year_measured"] == 0
    assert figures["measured_synergies"] == 0
