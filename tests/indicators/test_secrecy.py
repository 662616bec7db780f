"""A figure of a single company must not reach the programme team: aggregates of fewer than N companies
(AGGREGATE_MIN_COMPANIES, 3 by default) are secret outside the territory; its own team sees them."""

import datetime
import re

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.coaching.models import Deliverable, Event
from tremplin.coaching.services import followup
from tremplin.coaching.services.calendar import seed_reference_calendar
from tremplin.coaching.services.deliverables import ensure_deliverables
from tremplin.establishments.siret import luhn_check_digit
from tremplin.indicators.compute import programme_indicators, territory_indicators, withhold

pytestmark = pytest.mark.django_db

SECRET = "secret (moins de 3 entreprises)"


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def havre():
    return factories.territory(LE_HAVRE)


@pytest.fixture
def programme():
    return factories.programme_team_member()


def _cell(html: str, figure: str, variant: str) -> str:
    row = re.search(rf'<tr data-figure="{figure}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-value="{variant}">(.*?)</td>', row, re.S).group(1)


def pooled_collection(territory, companies: int, *, tonnes=5.0, co2=2.0, status="operational"):
    """A shared waste collection of ``companies`` companies (one establishment each)."""
    members = [factories.establishment(territory) for _ in range(companies)]
    return factories.synergy(
        territory,
        kind="mutualisation",
        participants=members,
        status=status,
        tonnes_diverted_per_year=tonnes,
        co2_avoided_t_per_year=co2,
        gain_eur_per_year=1_000,
    )


def test_each_figure_counts_the_distinct_companies_behind_it(caux):
    pooled_collection(caux, 3, tonnes=5.0, co2=0.0)
    siren = "41234567" + luhn_check_digit("41234567")
    sites = [
        factories.establishment(caux, siret=siren + nic + luhn_check_digit(siren + nic))
        for nic in ("0001", "0002")
    ]
    factories.synergy(
        caux, kind="mutualisation", participants=sites, status="under_study", tonnes_diverted_per_year=7
    )
    tonnes = territory_indicators(caux)["environment"]["tonnes_diverted_per_year"]
    # Two sites of one company are one contributor.
    assert tonnes["companies"] == {
        "potential_estimated": 4,
        "operational_estimated": 3,
        "operational_measured": 0,
    }
    co2 = territory_indicators(caux)["environment"]["co2_avoided_t_per_year"]
    assert co2["companies"]["operational_estimated"] == 0  # a zero contributes nothing


def test_the_programme_team_does_not_see_a_single_companys_figures(client, caux, programme):
    pooled_collection(caux, 1, tonnes=5.0)
    officer = factories.territory_officer(caux)
    url = reverse("territory_indicators", kwargs={"territory_pk": caux.pk})

    client.force_login(programme)
    html = client.get(url).content.decode()
    assert SECRET in _cell(html, "tonnes_diverted_per_year", "operational_estimated")
    assert SECRET in _cell(html, "eur_saved_per_year", "potential_estimated")
    assert _cell(html, "jobs_fte", "operational_estimated").strip() == "0"  # nothing to hide in a zero
    assert 'data-indicator="synergies">1<' in html  # counts are not withheld

    client.force_login(officer)
    html = client.get(url).content.decode()
    assert _cell(html, "tonnes_diverted_per_year", "operational_estimated") == "5"
    assert SECRET not in html


def test_the_programme_team_sees_the_figures_of_three_companies(client, caux, programme):
    pooled_collection(caux, 3, tonnes=5.0)
    client.force_login(programme)
    html = client.get(reverse("territory_indicators", kwargs={"territory_pk": caux.pk})).content.decode()
    assert _cell(html, "tonnes_diverted_per_year", "operational_estimated") == "5"
    assert SECRET not in html


def test_the_minimum_is_a_setting(client, caux, programme, settings):
    settings.AGGREGATE_MIN_COMPANIES = 4
    pooled_collection(caux, 3, tonnes=5.0)
    client.force_login(programme)
    html = client.get(reverse("territory_indicators", kwargs={"territory_pk": caux.pk})).content.decode()
    assert "secret (moins de 4 entreprises)" in _cell(
        html, "tonnes_diverted_per_year", "operational_estimated"
    )


def test_a_programme_total_that_would_give_a_secret_away_is_secret_too(caux, havre):
    pooled_collection(caux, 1, tonnes=5.0)
    pooled_collection(havre, 3, tonnes=20.0)
    rollup = programme_indicators([caux, havre])
    by_siren = {t["siren"]: t for t in rollup["territories"]}
    assert by_siren[CAUX_SEINE]["environment"]["tonnes_diverted_per_year"]["operational_estimated"] is None
    assert by_siren[LE_HAVRE]["environment"]["tonnes_diverted_per_year"]["operational_estimated"] == 20
    # 25 − 20 would be Caux's single company: the total is withheld.
    total = rollup["totals"]["environment"]["tonnes_diverted_per_year"]
    assert total["operational_estimated"] is None and total["secret"]["operational_estimated"]
    assert total["companies"]["operational_estimated"] == 4


def test_a_programme_total_over_enough_withheld_companies_is_shown(client, caux, havre, programme):
    pooled_collection(caux, 1, tonnes=5.0)
    pooled_collection(havre, 2, tonnes=20.0)
    total = programme_indicators([caux, havre])["totals"]["environment"]["tonnes_diverted_per_year"]
    assert total["operational_estimated"] == 25  # three companies in all, none identifiable
    client.force_login(programme)
    html = client.get(reverse("programme_indicators")).content.decode()
    assert _cell(html, "tonnes_diverted_per_year", "operational_estimated") == "25"
    assert html.count(SECRET) >= 2  # each territory's own CO2 column


def test_withholding_keeps_the_territorys_own_figures_untouched(caux):
    pooled_collection(caux, 1, tonnes=5.0)
    indicators = territory_indicators(caux)
    shown = withhold(indicators)
    assert indicators["environment"]["tonnes_diverted_per_year"]["operational_estimated"] == 5
    assert shown["environment"]["tonnes_diverted_per_year"]["operational_estimated"] is None


# --- Coaching: the W1 diagnosis, frozen RSO reports, the comparison and the closing review --------------


@pytest.fixture
def call():
    return factories.coaching_call()


def _gisement(territory, tonnes):
    factories.flow(factories.establishment(territory), resource="wood_clean", quantity=tonnes, unit="t")


def test_the_w1_diagnosis_hides_a_single_companys_gisements_from_the_programme_team(
    client, caux, call, programme
):
    participation = factories.coaching_participation(call, caux)
    _gisement(caux, 5)
    ensure_deliverables(participation)
    url = reverse(
        "coaching_deliverable", kwargs={"participation_pk": participation.pk, "kind": "w1_diagnosis"}
    )
    client.force_login(programme)
    fact = re.search(r'data-fact="known-outputs">(.*?)</span>', client.get(url).content.decode()).group(1)
    assert SECRET in fact
    client.force_login(factories.territory_officer(caux))
    fact = re.search(r'data-fact="known-outputs">(.*?)</span>', client.get(url).content.decode()).group(1)
    assert fact == "5"
    _gisement(caux, 7)
    _gisement(caux, 8)
    client.force_login(programme)
    fact = re.search(r'data-fact="known-outputs">(.*?)</span>', client.get(url).content.decode()).group(1)
    assert fact == "20"
    assert Deliverable.objects.filter(participation=participation).count() == 7


def test_frozen_reports_comparison_and_closing_review_withhold_figures_of_one_company(
    client, caux, havre, call, programme
):
    seed_reference_calendar(call)
    rso = Event.objects.get(call=call, kind="rso_1")
    rso.date = datetime.date.today()
    rso.save()
    caux_part = factories.coaching_participation(call, caux)
    havre_part = factories.coaching_participation(call, havre)
    caux_officer = factories.territory_officer(caux)
    _gisement(caux, 5)  # one company
    for tonnes in (10, 20, 30):  # three companies
        _gisement(havre, tonnes)
    pooled_collection(havre, 3, tonnes=100.0)
    caux_report = followup.submit_report(rso, caux_part, progress_statement="x", by=caux_officer)
    followup.submit_report(rso, havre_part, progress_statement="y", by=factories.territory_officer(havre))
    assert caux_report.figures["waste_tonnes"] == {
        "value": 5.0,
        "source": "outputs declared by companies or stated in a workshop, resources counted in tonnes",
        "companies": 1,
        "basis": "declared",
        "unit": "t/year",
    }

    comparison = followup.compare_territories(rso, by=programme)
    cells = {row.key: row.cells for row in comparison.rows}
    order = [p.territory_id for p in comparison.participations]
    caux_cell, havre_cell = (cells["waste_tonnes"][order.index(t.pk)] for t in (caux, havre))
    assert (caux_cell.secret, caux_cell.value) == (True, None)
    assert (havre_cell.secret, havre_cell.value) == (False, 60.0)
    assert cells["establishments"][order.index(caux.pk)].value == 1  # a count: shown

    closing = {row.key: row.cells for row in followup.closing_summary(call, by=programme).rows}
    assert closing["waste_tonnes"][-1].value is None  # 65 − 60 would be Caux's company
    assert closing["tonnes_diverted_per_year_operational_estimated"][order.index(havre.pk)].value == 100.0

    report_url = reverse("coaching_report", kwargs={"event_pk": rso.pk, "participation_pk": caux_part.pk})
    client.force_login(programme)
    html = client.get(report_url).content.decode()
    assert SECRET in re.search(r'<tr data-figure="waste_tonnes">(.*?)</tr>', html, re.S).group(1)
    assert SECRET in client.get(reverse("coaching_comparison", kwargs={"event_pk": rso.pk})).content.decode()
    client.force_login(caux_officer)
    html = client.get(report_url).content.decode()
    assert "5\xa0t/an" in re.search(r'<tr data-figure="waste_tonnes">(.*?)</tr>', html, re.S).group(1)


def test_a_frozen_rso_snapshot_read_by_the_programme_team_withholds_one_companys_figures(
    client, caux, programme
):
    pooled_collection(caux, 1, tonnes=5.0)
    officer = factories.territory_officer(caux)
    snapshot = factories.report_snapshot(caux, by=officer)
    url = reverse("report_detail", kwargs={"pk": snapshot.pk})
    row = r'<tr data-indicator="environment.tonnes_diverted_per_year.operational_estimated">(.*?)</tr>'
    client.force_login(programme)
    html = client.get(url).content.decode()
    assert SECRET in re.search(row, html, re.S).group(1)
    assert 'data-indicator="pipeline.synergies"' in html
    client.force_login(officer)
    assert SECRET not in client.get(url).content.decode()
    import io

    from pypdf import PdfReader

    client.force_login(programme)
    pdf = client.get(reverse("report_pdf", kwargs={"pk": snapshot.pk})).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "secret (moins de 3 entreprises)" in " ".join(text.split())
