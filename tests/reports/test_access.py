"""Reports: the territory team reads and freezes; the programme team reads the aggregates only; another
territory's officer, a company contact and a committee member are refused."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.reports.models import ReportSnapshot

pytestmark = pytest.mark.django_db

# url name → (kwarg, fixture key of the object, method)
URLS = {
    "report_list": ("territory_pk", "caux", "get"),
    "report_freeze": ("territory_pk", "caux", "post"),
    "report_detail": ("pk", "snapshot", "get"),
    "report_pdf": ("pk", "snapshot", "get"),
    "territory_export_xlsx": ("territory_pk", "caux", "get"),
    "territory_export_csv": ("territory_pk", "caux", "get"),
}
ACCESS_CHECKED_URLS = set(URLS)
ACCESS_CHECKED_MODELS = {ReportSnapshot}
#: What the programme team may open (aggregates only).
PROGRAMME_ALLOWED = {"report_list", "report_detail", "report_pdf"}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    brewery, farm = factories.brewery_and_farm(caux)
    factories.operational_synergy(caux, participants=(brewery, farm), resource_label="Drêches")
    officer = factories.territory_officer(caux)
    return {
        "caux": caux,
        "officer": officer,
        "snapshot": factories.report_snapshot(caux, by=officer),
        "havre_officer": factories.territory_officer(havre),
        "contact": factories.company_contact(brewery),
        "committee": factories.committee_member(),
        "programme": factories.programme_team_member(),
    }


def _url(world, url_name):
    kwarg, key, _method = URLS[url_name]
    kwargs = {kwarg: world[key].pk}
    if url_name == "territory_export_csv":
        kwargs["sheet"] = "synergies"
    return reverse(url_name, kwargs=kwargs)


def _request(client, world, url_name):
    url = _url(world, url_name)
    if URLS[url_name][2] == "post":
        return client.post(url, {"kind": "rso_2"})
    return client.get(url)


@pytest.mark.parametrize("person", ["havre_officer", "contact", "committee", "programme"])
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_outsiders_are_refused_and_freeze_nothing(client, world, person, url_name):
    if person == "programme" and url_name in PROGRAMME_ALLOWED:
        return
    client.force_login(world[person])
    response = _request(client, world, url_name)
    assert response.status_code in (403, 404), (person, url_name, response.status_code)
    assert ReportSnapshot.objects.count() == 1


@pytest.mark.parametrize("url_name", sorted(URLS))
def test_the_territory_team_reaches_every_report_url(client, world, url_name):
    client.force_login(world["officer"])
    response = _request(client, world, url_name)
    assert response.status_code == (302 if URLS[url_name][2] == "post" else 200)


def test_another_territorys_officer_sees_no_snapshot(world):
    assert not ReportSnapshot.objects.visible_to(world["havre_officer"]).exists()
    assert not ReportSnapshot.objects.visible_to(world["contact"]).exists()
    assert not ReportSnapshot.objects.visible_to(world["committee"]).exists()


def test_the_programme_team_reads_the_indicators_but_no_company_name(client, world):
    client.force_login(world["programme"])
    page = client.get(_url(world, "report_detail")).content.decode()
    assert 'data-indicator="pipeline.operational"' in page
    assert "Brasserie des Falaises" not in page
    assert "Drêches" not in page
    assert "Figer le rapport" not in client.get(_url(world, "report_list")).content.decode()


def test_the_programme_teams_pdf_leaves_out_the_synergy_table_and_the_map(client, world):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(world["programme"])
    response = client.get(_url(world, "report_pdf"))
    assert "agregats" in response["Content-Disposition"]
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages).split()
    )
    assert "Brasserie des Falaises" not in text
    assert "Drêches" not in text
    assert "Carte du territoire" not in text
    assert "Indicateurs" in text
