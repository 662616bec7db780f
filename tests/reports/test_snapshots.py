"""A report frozen at a date never changes afterwards; the progress between two reports is the
difference of figures set by hand."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.reports.pdf import report_pdf
from tremplin.reports.snapshots import (
    ReportError,
    freeze_report,
    latest_snapshot,
    previous_snapshot,
    progress_since_previous,
)
from tremplin.synergies import workflow
from tremplin.synergies.models import StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux, first_name="Alice", last_name="Martin")


@pytest.fixture
def grain(caux):
    """The spent-grain substitution, operational: 100 t diverted, 20 t CO2e, 10,000 € of which 4,000
    earned."""
    brewery, farm = factories.brewery_and_farm(caux)
    return factories.operational_synergy(
        caux,
        participants=(brewery, farm),
        resource_label="Drêches de brasserie",
        gain_eur_per_year=10_000,
        revenue_eur_per_year=4_000,
        tonnes_diverted_per_year=100,
        co2_avoided_t_per_year=20,
    )


def _pdf_text(snapshot, audience="team") -> str:
    """The PDF's text, white space collapsed (table cells wrap their lines)."""
    reader = PdfReader(BytesIO(report_pdf(snapshot, audience=audience)))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def _row(rows, family, key, variant=""):
    return next(r for r in rows if (r.line.family, r.line.key, r.line.variant) == (family, key, variant))


def test_a_snapshot_holds_the_indicators_the_synergy_table_and_the_map(caux, officer, grain):
    snapshot = freeze_report(caux, kind="rso_1", by=officer)
    indicators = snapshot.aggregates["indicators"]
    assert indicators["pipeline"]["operational"] == 1
    assert indicators["environment"]["tonnes_diverted_per_year"]["operational_estimated"] == 100
    assert indicators["economy"]["eur_saved_per_year"]["operational_estimated"] == 6_000
    (row,) = snapshot.confidential["synergies"]
    assert (row["resource_label"], row["status"], row["gain_eur_per_year"]) == (
        "Drêches de brasserie",
        "operational",
        10_000,
    )
    assert [p["name"] for p in row["participants"]] == ["Brasserie des Falaises", "Ferme laitière du Plateau"]
    map_input = snapshot.confidential["map"]
    assert map_input["perimeter"]["type"] in ("Polygon", "MultiPolygon")
    assert len(map_input["points"]) == 2
    assert [link["status"] for link in map_input["links"]] == ["operational"]
    assert snapshot.title == "Réunion de suivi opérationnel 1 (RSO 1)"
    assert AuditEntry.objects.about(snapshot).get().action == "report.frozen"


def test_later_changes_never_alter_a_frozen_snapshot(client, caux, officer, grain):
    snapshot = freeze_report(caux, kind="rso_1", by=officer)
    stored = snapshot.data
    pdf_before = _pdf_text(snapshot)

    workflow.monitor(grain, by=officer)
    grain.refresh_from_db()
    grain.resource_label = "Autre chose"
    grain.tonnes_diverted_per_year = 999
    grain.save()
    factories.synergy(caux, status="qualified", resource_label="Cendres de bois")
    factories.establishment(caux, name="Nouvelle usine")

    snapshot.refresh_from_db()
    assert snapshot.data == stored
    assert _pdf_text(snapshot) == pdf_before
    client.force_login(officer)
    page = client.get(reverse("report_detail", kwargs={"pk": snapshot.pk})).content.decode()
    assert "Drêches de brasserie" in page
    assert "Autre chose" not in page and "Cendres de bois" not in page


def test_the_progress_is_the_difference_with_the_previous_report(caux, officer, grain):
    first = freeze_report(caux, kind="rso_1", by=officer)
    # Between the two meetings: a second substitution becomes operational (50 t, 5 t CO2e, 3,000 €),
    # a third is qualified (potential only: 200 t), the first gets a measured year (80 t).
    factories.operational_synergy(
        caux,
        gain_eur_per_year=3_000,
        revenue_eur_per_year=0,
        tonnes_diverted_per_year=50,
        co2_avoided_t_per_year=5,
    )
    factories.synergy(caux, status="qualified", tonnes_diverted_per_year=200, gain_eur_per_year=0)
    factories.measurement(grain, year=2025, tonnes_diverted=80, eur_saved=5_000, co2_avoided_t=15)
    second = freeze_report(caux, kind="rso_2", by=officer)

    assert previous_snapshot(second) == first
    assert previous_snapshot(first) is None
    rows = progress_since_previous(second)
    tonnes_op = _row(rows, "environment", "tonnes_diverted_per_year", "operational_estimated")
    assert (tonnes_op.previous, tonnes_op.current, tonnes_op.delta) == (100, 150, 50)
    tonnes_potential = _row(rows, "environment", "tonnes_diverted_per_year", "potential_estimated")
    assert (tonnes_potential.previous, tonnes_potential.current, tonnes_potential.delta) == (100, 350, 250)
    measured = _row(rows, "environment", "tonnes_diverted_per_year", "operational_measured")
    assert (measured.previous, measured.current, measured.delta) == (0, 80, 80)
    saved = _row(rows, "economy", "eur_saved_per_year", "operational_estimated")
    assert (saved.previous, saved.current, saved.delta) == (6_000, 9_000, 3_000)
    assert _row(rows, "pipeline", "synergies").delta == 2
    assert _row(rows, "pipeline", "operational").delta == 1
    # Conversion rate, in %: 1/1 then 2/3.
    rate = _row(rows, "pipeline", "conversion_rate")
    assert (rate.previous, rate.current, rate.delta) == (100.0, 66.67, -33.33)

    text = _pdf_text(second)
    assert "Progression depuis le rapport précédent" in text
    assert "+50" in text and "+250" in text and "-33,3" in text


def test_a_report_frozen_at_a_past_date_reads_the_statuses_of_that_date(caux, officer, grain):
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    history = list(StatusChange.objects.filter(synergy=grain).order_by("id"))
    StatusChange.objects.filter(pk=history[0].pk).update(at=ten_days_ago - dt.timedelta(days=5))
    StatusChange.objects.filter(pk=history[1].pk).update(at=ten_days_ago + dt.timedelta(days=5))
    snapshot = freeze_report(caux, kind="rso_1", by=officer, at=timezone.localdate(ten_days_ago))
    (row,) = snapshot.confidential["synergies"]
    assert row["status"] == "detected"
    assert snapshot.aggregates["indicators"]["pipeline"]["operational"] == 0
    assert snapshot.confidential["map"]["links"][0]["status"] == "detected"


def test_a_future_date_or_an_unknown_kind_is_refused(caux, officer):
    with pytest.raises(ReportError):
        freeze_report(caux, kind="rso_1", by=officer, at=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ReportError):
        freeze_report(caux, kind="rso_9", by=officer)


def test_latest_snapshot_finds_the_report_of_a_meeting(caux, officer):
    june = freeze_report(caux, kind="rso_1", by=officer, at=dt.date(2025, 6, 10))
    october = freeze_report(caux, kind="rso_2", by=officer, at=dt.date(2025, 10, 2))
    assert latest_snapshot(caux) == october
    assert latest_snapshot(caux, before=dt.date(2025, 9, 30)) == june
    assert latest_snapshot(caux, before=dt.date(2025, 1, 1)) is None


def test_the_pdf_has_the_indicators_the_map_the_synergy_table_and_the_sources(caux, officer, grain):
    text = _pdf_text(freeze_report(caux, kind="rso_1", by=officer))
    for expected in (
        "Réunion de suivi opérationnel 1",
        "Communauté d'agglomération Caux Seine Agglo",
        "Indicateurs",
        "Tonnes détournées de l'élimination",
        "opérationnel, estimé",
        "Carte du territoire",
        "Drêches de brasserie",
        "Brasserie des Falaises",
        "Opérationnelle",
        "Sources et méthodes",
        "premier rapport",
    ):
        assert expected in text, expected
    assert "10 000" in text


def test_the_officer_freezes_a_report_from_the_page(client, caux, officer, grain):
    client.force_login(officer)
    response = client.post(
        reverse("report_freeze", kwargs={"territory_pk": caux.pk}),
        {"kind": "rso_2", "title": "RSO d'automne"},
    )
    snapshot = caux.report_snapshots.get()
    assert response.url == reverse("report_detail", kwargs={"pk": snapshot.pk})
    assert (snapshot.title, snapshot.kind, snapshot.created_by) == ("RSO d'automne", "rso_2", officer)
    page = client.get(response.url).content.decode()
    assert 'data-indicator="pipeline.operational"' in page
    pdf = client.get(reverse("report_pdf", kwargs={"pk": snapshot.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_future_date_is_refused_by_the_form(client, caux, officer):
    client.force_login(officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        reverse("report_freeze", kwargs={"territory_pk": caux.pk}),
        {"kind": "rso_1", "at": tomorrow.isoformat()},
    )
    assert response.status_code == 400
    assert not caux.report_snapshots.exists()
