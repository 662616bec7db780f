"""RSO reports, the side-by-side comparison and the closing review count as results only the synergies
operational with every participant's consent and their measured gains; estimates are shown apart.
Figures read in the language of the interface, in the page, the PDF and the XLSX."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests import factories
from tremplin.coaching.models import Event, ProgressReport
from tremplin.coaching.services import followup as services
from tremplin.coaching.services.calendar import seed_reference_calendar

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\xa0"


@pytest.fixture
def events(call):
    seed_reference_calendar(call)
    events = {e.kind: e for e in Event.objects.of_call(call)}
    rso = events["rso_1"]
    rso.date = datetime.date.today()  # the report's figures are those of the end of its day
    rso.save()
    return events


@pytest.fixture(autouse=True)
def few_companies_suffice(settings):
    # Secrecy is tested in tests/indicators: here every figure of 2 companies is shown.
    settings.AGGREGATE_MIN_COMPANIES = 2


@pytest.fixture
def pipeline(caux, havre):
    """Caux: one synergy estimated only (operational, consented, no measurement), one operational but a
    participant declined (measured, yet not a result), one measured and consented. Le Havre: one
    measured and consented."""
    estimated = factories.operational_synergy(
        caux, tonnes_diverted_per_year=100.0, co2_avoided_t_per_year=9.0
    )
    declined = factories.operational_synergy(caux, tonnes_diverted_per_year=500.0)
    participant = declined.participants.first()
    participant.consent, participant.consent_at = "declined", timezone.now()
    participant.save()
    factories.measurement(declined, tonnes_diverted=400.0, co2_avoided_t=40.0, eur_saved=7000.0)
    measured = factories.operational_synergy(
        caux, tonnes_diverted_per_year=300.0, co2_avoided_t_per_year=30.0
    )
    factories.measurement(measured, tonnes_diverted=250.0, co2_avoided_t=20.0, eur_saved=1500.0)
    havre_measured = factories.operational_synergy(havre, tonnes_diverted_per_year=80.0)
    factories.measurement(havre_measured, tonnes_diverted=50.0, co2_avoided_t=5.0, eur_saved=500.0)
    return estimated, declined, measured, havre_measured


def _freeze_both(events, caux_participation, havre_participation, caux_officer, havre_officer):
    rso = events["rso_1"]
    services.submit_report(rso, caux_participation, progress_statement="a", by=caux_officer)
    services.submit_report(rso, havre_participation, progress_statement="b", by=havre_officer)
    return rso


def _row(html, key):
    return html.split(f'<tr data-figure="{key}">')[1].split("</tr>")[0]


def test_the_comparison_totals_are_the_hand_count_of_consented_operational_synergies(
    client,
    events,
    pipeline,
    caux,
    caux_participation,
    havre_participation,
    caux_officer,
    havre_officer,
    programme,
):
    rso = _freeze_both(events, caux_participation, havre_participation, caux_officer, havre_officer)
    comparison = services.compare_territories(rso, by=programme)
    rows = {row.key: row for row in comparison.rows}
    caux_col = [p.territory_id for p in comparison.participations].index(caux.pk)
    havre_col = 1 - caux_col
    # By hand: Caux has 2 operational synergies with every consent (the estimated one and the measured
    # one), Le Havre 1: 3 in all; the one a participant declined is counted apart.
    assert rows["operational_consented"].cells[caux_col].value == 2
    assert rows["operational_consented"].cells[havre_col].value == 1
    assert rows["operational_consented"].total.value == 3
    assert rows["operational_unconsented"].cells[caux_col].value == 1
    assert rows["operational_unconsented"].total.value == 1
    assert rows["measured_synergies"].total.value == 2
    # Measured results: 250 t (Caux, consented) + 50 t (Le Havre); the declined one's 400 t is not there.
    assert rows["tonnes_diverted_per_year_measured"].cells[caux_col].value == 250.0
    assert rows["tonnes_diverted_per_year_measured"].total.value == 300
    assert rows["eur_saved_per_year_measured"].total.value == 2000
    # Estimates apart, for the consented operational synergies only: 100 + 300 (Caux), 80 (Le Havre).
    assert rows["tonnes_diverted_per_year_operational_estimated"].total.value == 480
    assert rows["tonnes_diverted_per_year_measured"].section == "results"
    assert rows["tonnes_diverted_per_year_operational_estimated"].section == "estimates"
    assert rows["tonnes_diverted_per_year_measured"].basis == "measured"

    client.force_login(programme)
    html = client.get(reverse("coaching_comparison", kwargs={"event_pk": rso.pk})).content.decode()
    assert '<td class="fw-semibold total"><span class="value">3</span></td>' in _row(
        html, "operational_consented"
    )
    assert f'<span class="value">300{NBSP}t/an</span>' in _row(html, "tonnes_diverted_per_year_measured")
    assert "mesuré" in _row(html, "tonnes_diverted_per_year_measured")
    assert f'<span class="value">2{NNBSP}000{NBSP}€/an</span>' in _row(html, "eur_saved_per_year_measured")
    # Results come before what is shown apart.
    assert html.index('data-figure="operational_consented"') < html.index(
        'data-figure="operational_unconsented"'
    )


def test_the_comparison_exports_the_figures_of_the_page(
    client,
    events,
    pipeline,
    caux,
    caux_participation,
    havre_participation,
    caux_officer,
    havre_officer,
    programme,
):
    rso = _freeze_both(events, caux_participation, havre_participation, caux_officer, havre_officer)
    client.force_login(programme)
    response = client.get(reverse("coaching_comparison_export", kwargs={"event_pk": rso.pk, "fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = lines[2]
    assert header[:5] == ["Section", "Chiffre", "Unité", "Origine", "Source"]
    assert header[-1] == "Total du programme"
    by_label = {line[1]: line for line in lines[3:]}
    consented = by_label["Synergies opérationnelles avec l'accord de chaque participant"]
    assert consented[-1] == 3
    measured = next(
        line for line in lines[3:] if line[1] == "Tonnes détournées de l'élimination" and line[3] == "mesuré"
    )
    assert measured[2] == "t/an" and measured[-1] == 300

    response = client.get(reverse("coaching_comparison_export", kwargs={"event_pk": rso.pk, "fmt": "pdf"}))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Total du programme" in text
    assert "300 t/an" in text.replace(NNBSP, " ").replace(NBSP, " ")
    assert (
        client.get(
            reverse("coaching_comparison_export", kwargs={"event_pk": rso.pk, "fmt": "docx"})
        ).status_code
        == 404
    )


def test_figures_are_written_in_french_and_in_english(
    client, events, caux, caux_participation, caux_officer, programme
):
    synergy = factories.operational_synergy(caux)
    factories.measurement(synergy, tonnes_diverted=1234567.8)
    rso = events["rso_1"]
    services.submit_report(rso, caux_participation, progress_statement="a", by=caux_officer)
    client.force_login(caux_officer)
    url = reverse("coaching_report", kwargs={"event_pk": rso.pk, "participation_pk": caux_participation.pk})
    html = client.get(url).content.decode()
    assert f"1{NNBSP}234{NNBSP}567,8{NBSP}t/an" in _row(html, "tonnes_diverted_per_year_measured")

    client.force_login(programme)
    pdf = client.get(reverse("coaching_comparison_export", kwargs={"event_pk": rso.pk, "fmt": "pdf"})).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # The PDF's standard font has no narrow no-break space: it is written as a space, still grouped.
    assert "1 234 567,8 t/an" in text.replace(NNBSP, " ").replace(NBSP, " ")
    assert "1234567" not in text and "1,234,567" not in text

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.force_login(caux_officer)
    html = client.get(url).content.decode()
    assert f"1,234,567.8{NBSP}t/year" in _row(html, "tonnes_diverted_per_year_measured")


def test_reports_frozen_before_still_read_with_their_figures_apart(
    client, events, caux_participation, havre_participation, caux_officer, programme
):
    rso = events["rso_1"]
    old = {
        "establishments": {"value": 12, "source": "establishments of the territory workspace"},
        "operational_synergies": {
            "value": 4,
            "source": "synergies operational or monitored at the report's date",
        },
        "tonnes_diverted": {
            "value": 1200.5,
            "source": "estimated at detection for the operational synergies",
            "companies": 6,
        },
    }
    ProgressReport.objects.create(
        event=rso,
        participation=caux_participation,
        progress_statement="Ancien rapport",
        figures=old,
        details={"deliverables": {"w1_diagnosis": "validated"}},
        frozen_at=timezone.now(),
        frozen_by=caux_officer,
    )
    client.force_login(caux_officer)
    url = reverse("coaching_report", kwargs={"event_pk": rso.pk, "participation_pk": caux_participation.pk})
    html = client.get(url).content.decode()
    assert f"1{NNBSP}200,5{NBSP}t/an" in _row(html, "tonnes_diverted")
    assert "avant la vérification de l&#x27;accord" in _row(html, "operational_synergies")

    comparison = services.compare_territories(rso, by=programme)
    rows = {row.key: row for row in comparison.rows}
    assert rows["operational_synergies"].section == "estimates"
    assert rows["tonnes_diverted"].cells[0].value == 1200.5
    # A figure the old report does not hold is not invented: no value, and no total.
    assert rows["operational_consented"].cells[0].value is None
    assert rows["operational_consented"].total.value is None
    client.force_login(programme)
    response = client.get(reverse("coaching_comparison", kwargs={"event_pk": rso.pk}))
    assert response.status_code == 200


def test_exports_are_for_the_programme_team_only(
    client, events, caux_participation, caux_officer, caux_contact, committee
):
    rso = events["rso_1"]
    for fmt in ("pdf", "xlsx"):
        urls = [
            reverse("coaching_comparison_export", kwargs={"event_pk": rso.pk, "fmt": fmt}),
            reverse("coaching_closing_review_export", kwargs={"call_pk": rso.call_id, "fmt": fmt}),
        ]
        for url in urls:
            for person in (caux_officer, caux_contact, committee):
                client.force_login(person)
                assert client.get(url).status_code == 403
            client.logout()
            assert client.get(url).status_code == 302


def test_the_closing_review_exports_its_totals(
    client, events, pipeline, caux_participation, havre_participation, caux_officer, havre_officer, programme
):
    _freeze_both(events, caux_participation, havre_participation, caux_officer, havre_officer)
    summary = services.closing_summary(caux_participation.call, by=programme)
    rows = {row.key: row for row in summary.rows}
    assert rows["operational_consented"].cells[-1].value == 3
    assert rows["tonnes_diverted_per_year_measured"].cells[-1].value == 300
    client.force_login(programme)
    response = client.get(
        reverse(
            "coaching_closing_review_export", kwargs={"call_pk": caux_participation.call_id, "fmt": "xlsx"}
        )
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_label = {line[1]: line for line in lines[3:]}
    assert by_label["Synergies opérationnelles avec l'accord de chaque participant"][-1] == 3


def test_the_closing_review_pdf_shows_the_programme_totals(
    client, events, pipeline, caux_participation, havre_participation, caux_officer, havre_officer, programme
):
    _freeze_both(events, caux_participation, havre_participation, caux_officer, havre_officer)
    client.force_login(programme)
    url = reverse(
        "coaching_closing_review_export", kwargs={"call_pk": caux_participation.call_id, "fmt": "pdf"}
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(url).content)).pages)
    flat = " ".join(text.replace(NNBSP, " ").replace(NBSP, " ").split())
    assert "Réunion de bilan" in flat and "Total du programme" in flat
    assert "300 t/an" in flat and "2 000 €/an" in flat
