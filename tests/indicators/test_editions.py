"""The programme indicators filter by edition (call): every figure and the export follow the choice."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_companies_suffice(settings):
    settings.AGGREGATE_MIN_COMPANIES = 2  # each synergy here has two companies: nothing withheld


@pytest.fixture
def editions(db):
    """Caux selected in 2019, Le Havre in 2027 (another edition of the programme)."""
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    first = factories.coaching_call()
    second = factories.coaching_call(
        title="Tremplin EIT Normandie 2027",
        opens_at=datetime.datetime(2027, 1, 15, tzinfo=datetime.UTC),
        deadline=datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC),
    )
    factories.coaching_participation(first, caux)
    factories.coaching_participation(second, havre)
    # Caux: 1 operational synergy, 100 t estimated. Le Havre: 1 detected (50 t), 1 operational (20 t).
    factories.operational_synergy(caux, tonnes_diverted_per_year=100.0)
    factories.synergy(havre, tonnes_diverted_per_year=50.0)
    factories.operational_synergy(havre, tonnes_diverted_per_year=20.0)
    return first, second


def _cell(html, figure, variant):
    row = re.search(rf'<tr data-figure="{figure}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'data-value="{variant}">(.*?)</td>', row, re.S).group(1).strip()


def _synergies(html):
    return re.search(r"<dt>Synergies</dt><dd>(\d+)</dd>", html).group(1)


def test_the_edition_filter_changes_every_figure(client, editions):
    first, second = editions
    client.force_login(factories.programme_team_member())
    url = reverse("programme_indicators")
    every = client.get(url).content.decode()
    assert '<option value="">Toutes les éditions</option>' in every
    # By hand: 3 synergies in all, 120 t operational (100 + 20), 170 t potential (100 + 50 + 20).
    assert _synergies(every) == "3"
    assert _cell(every, "tonnes_diverted_per_year", "operational_estimated") == "120"
    assert _cell(every, "tonnes_diverted_per_year", "potential_estimated") == "170"

    only_first = client.get(url, {"edition": first.pk}).content.decode()
    assert f'<option value="{first.pk}" selected>' in only_first
    assert _synergies(only_first) == "1"
    assert _cell(only_first, "tonnes_diverted_per_year", "operational_estimated") == "100"
    assert "Le Havre" not in only_first

    only_second = client.get(url, {"edition": second.pk}).content.decode()
    assert _synergies(only_second) == "2"
    assert _cell(only_second, "tonnes_diverted_per_year", "operational_estimated") == "20"
    assert _cell(only_second, "tonnes_diverted_per_year", "potential_estimated") == "70"

    assert client.get(url, {"edition": "999999"}).status_code == 404
    assert client.get(url, {"edition": "x"}).status_code == 404


def test_the_export_follows_the_edition(client, editions):
    first, _second = editions
    client.force_login(factories.programme_team_member())
    url = reverse("programme_indicators_export")

    def lines(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    every = lines()
    header = every[1]
    column = header.index("Tonnes détournées de l'élimination — opérationnel, estimé (t/an)")
    assert every[-1][0] == "Total du programme" and every[-1][2] == 3 and every[-1][column] == 120
    first_only = lines(edition=first.pk)
    assert [line[0] for line in first_only[2:]] == [
        "Communauté d'agglomération Caux Seine Agglo",
        "Total du programme",
    ]
    assert first_only[-1][2] == 1 and first_only[-1][column] == 100


def test_only_the_programme_team_reads_the_indicators_and_their_export(client, editions):
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux)
    contact = factories.company_contact(factories.establishment(caux))
    for url in (reverse("programme_indicators"), reverse("programme_indicators_export")):
        for person in (officer, contact, factories.committee_member()):
            client.force_login(person)
            assert client.get(url).status_code == 403
