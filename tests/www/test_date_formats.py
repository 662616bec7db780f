"""One date format per language on every page: "7 mai 2019" (and "7 mai 2019 14:30") in French,
"7 May 2019" in English; never an English month, a numeric 05/07/2019 or an ISO date shown to a reader."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.programme.services.scoring import ScoreInput, record_scores

pytestmark = pytest.mark.django_db

ENGLISH_MONTHS = (
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?\s*\d"
)
FRENCH_MONTHS = r"(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
NUMERIC_DATE = r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"


def _text(html: str) -> str:
    """What a reader sees: no tags (so no attribute such as datetime="2019-03-11"), no scripts."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def pages(client):
    """Pages showing dates of a call: list, call, application, ranking (dates chosen by hand)."""
    call = factories.call(
        opens_at=dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC),
        deadline=dt.datetime(2027, 3, 11, 22, 0, tzinfo=dt.UTC),
    )
    member = factories.seated_committee_member(call)
    application = factories.submitted_application(
        call, CAUX_SEINE, submitted_at=dt.datetime(2027, 3, 5, 13, 30, tzinfo=dt.UTC)
    )
    motivation, potential = call.criteria.order_by("position")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: dt.datetime(2027, 3, 6, tzinfo=dt.UTC))
        record_scores(application, {motivation: ScoreInput(4), potential: ScoreInput(4)}, by=member)
    client.force_login(factories.programme_team_member())
    return [
        reverse("programme_call_list"),
        reverse("programme_call_detail", kwargs={"pk": call.pk}),
        reverse("programme_application_detail", kwargs={"pk": application.pk}),
        reverse("programme_call_ranking", kwargs={"pk": call.pk}),
        reverse("programme_manage"),
    ]


def test_french_pages_show_dates_in_the_french_format_only(client, pages):
    seen = ""
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response.content.decode())
        assert not re.search(ENGLISH_MONTHS, text), (url, re.search(ENGLISH_MONTHS, text))
        assert not re.search(NUMERIC_DATE, text), (url, re.search(NUMERIC_DATE, text))
        seen += text
    assert "11 mars 2027 23:00" in seen  # the deadline, Europe/Paris
    assert "5 mars 2027 14:30" in seen  # the submission


def test_english_pages_show_dates_in_the_english_format_only(client, pages):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    seen = ""
    for url in pages:
        text = _text(client.get(url).content.decode())
        assert not re.search(rf"\d\s+{FRENCH_MONTHS}\b", text), url
        assert not re.search(NUMERIC_DATE, text), (url, re.search(NUMERIC_DATE, text))
        seen += text
    assert "11 March 2027 23:00" in seen
    assert "5 March 2027 14:30" in seen
