"""The board and the table of a large pipeline: the table in pages, the board's columns capped, and the
same few queries whatever the number of synergies."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.synergies import workflow
from tremplin.synergies.models import SynergyParticipant
from tremplin.www.synergies.views.pipeline_views import BOARD_CARDS_PER_COLUMN, TABLE_PAGE_SIZE

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def _labels(html: str) -> list[str]:
    return re.findall(r'<a href="/synergies/\d+/">(Gisement \d+)</a>', html)


def test_the_table_shows_the_synergies_in_pages_of_the_highest_gains_first(officer_client, caux):
    total = TABLE_PAGE_SIZE + 3
    brewery, farm = factories.brewery_and_farm(caux)
    for n in range(total):
        factories.synergy(
            caux, participants=(brewery, farm), resource_label=f"Gisement {n:03d}", gain_eur_per_year=1000 + n
        )
    url = reverse("synergy_table", kwargs={"territory_pk": caux.pk})
    first = officer_client.get(url).content.decode()
    second = officer_client.get(url, {"page": 2}).content.decode()
    assert _labels(first) == [f"Gisement {n:03d}" for n in range(total - 1, 2, -1)]
    assert _labels(second) == ["Gisement 002", "Gisement 001", "Gisement 000"]
    assert f"{total} synergies" in first and f"{total} synergies" in second
    assert "1 / 2" in first and "2 / 2" in second
    # The filters stay in the page links.
    filtered = officer_client.get(url, {"status": "detected", "page": 1}).content.decode()
    assert "?status=detected&amp;page=2" in filtered


def test_a_board_column_shows_its_latest_cards_and_links_to_the_rest(officer_client, caux):
    brewery, farm = factories.brewery_and_farm(caux)
    for n in range(BOARD_CARDS_PER_COLUMN + 2):
        factories.synergy(caux, participants=(brewery, farm), resource_label=f"Gisement {n:03d}")
    factories.synergy(caux, participants=(brewery, farm), resource_label="Gisement 900", status="qualified")
    html = officer_client.get(reverse("synergy_board", kwargs={"territory_pk": caux.pk})).content.decode()
    detected = html.split('data-status="detected"')[1].split('data-status="qualified"')[0]
    # The newest first, as before; the two oldest behind the link.
    assert _labels(detected) == [f"Gisement {n:03d}" for n in range(BOARD_CARDS_PER_COLUMN + 1, 1, -1)]
    assert f">{BOARD_CARDS_PER_COLUMN + 2}</span>" in detected
    table = reverse("synergy_table", kwargs={"territory_pk": caux.pk})
    assert f'href="{table}?status=detected">encore 2 : voir dans le tableau' in detected
    qualified = html.split('data-status="qualified"')[1].split('data-status="under_study"')[0]
    assert _labels(qualified) == ["Gisement 900"] and "voir dans le tableau" not in qualified


def _board_queries(client, caux) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("synergy_board", kwargs={"territory_pk": caux.pk})).status_code == 200
    return len(queries)


def test_the_board_makes_as_many_queries_for_forty_synergies_as_for_eight(officer_client, caux, officer):
    brewery, farm = factories.brewery_and_farm(caux)

    def add(count):
        for n in range(count):
            status = ("detected", "under_study", "being_implemented", "operational")[n % 4]
            synergy = factories.synergy(caux, participants=(brewery, farm), status=status)
            if n % 3 == 0:
                workflow.apply_transition(synergy, "pause", by=officer)

    add(8)  # every column of these statuses has cards, paused ones included
    few = _board_queries(officer_client, caux)
    add(32)
    assert _board_queries(officer_client, caux) == few


def test_a_paused_card_says_why_it_cannot_resume_where_it_stood(officer_client, caux, officer):
    brewery, farm = factories.brewery_and_farm(caux)
    implemented = factories.synergy(caux, participants=(brewery, farm), status="being_implemented")
    studied = factories.synergy(caux, participants=(brewery, farm), status="under_study")
    for synergy in (implemented, studied):
        workflow.apply_transition(synergy, "pause", by=officer)
    SynergyParticipant.objects.filter(synergy__in=[implemented, studied], establishment=farm).update(
        consent="declined"
    )
    html = officer_client.get(reverse("synergy_board", kwargs={"territory_pk": caux.pk})).content.decode()
    paused = html.split('data-status="paused"')[1].split('data-status="abandoned"')[0]
    cards = paused.split('class="card pipeline-card')[1:]
    by_id = {int(re.search(r"/synergies/(\d+)/", card).group(1)): card for card in cards}
    # Back to "being implemented" needs everyone's consent: blocked; back to "under study" does not.
    assert 'data-transition="resume"' in by_id[implemented.pk]
    assert farm.name in by_id[implemented.pk]
    assert 'data-transition="resume"' not in by_id[studied.pk]
    assert 'name="transition" value="resume"' in by_id[studied.pk]
