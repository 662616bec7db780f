"""Exports and downloads (XLSX, CSV, GeoJSON, PDF, iCalendar, documents) are never kept by the browser
or a proxy: ``Cache-Control: private, no-store``, set by the ``@download`` decorator on each view."""

import datetime as dt
import inspect
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.cache import get_max_age

from tests import factories
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.django_db

# Every URL that hands out a file or data export. A new one must be added here (and decorated).
DOWNLOAD_URLS = {
    "report_pdf",
    "territory_export_xlsx",
    "territory_export_csv",
    "territory_map",
    "territory_map_points",
    "territory_map_synergies",
    "territory_map_heat_networks",
    "territory_map_export",
    "establishment_template_csv",
    "establishment_template_xlsx",
    "coaching_calendar_ics",
    "coaching_strategy_pdf",
    "coaching_attendance_csv",
    "calendar_feed",
    "programme_application_document",
    "workshop_summary_pdf",
    "coaching_comparison_export",
    "coaching_closing_review_export",
    "programme_indicators_export",
    "programme_potential_map",
    "programme_potential_export_csv",
    "programme_potential_export_xlsx",
}

# What the source of a view building a file response contains.
FILE_RESPONSE = re.compile(
    r"Content-Disposition|FileResponse|as_attachment|geo\+json|GEOJSON|text/csv|text/calendar|"
    r"application/pdf|spreadsheetml|XLSX_TYPE"
)


def _patterns(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_view_that_builds_a_file_response_is_a_declared_download():
    undecorated, decorated = set(), set()
    for pattern in _patterns():
        view = pattern.callback
        if getattr(view, "is_download", False):
            decorated.add(pattern.name)
            continue
        module = inspect.getmodule(inspect.unwrap(view))
        if not module or not module.__name__.startswith("tremplin."):
            continue  # Django's own views (admin, i18n)
        if FILE_RESPONSE.search(inspect.getsource(inspect.unwrap(view))):
            undecorated.add(pattern.name)
    assert not undecorated, f"file responses without @download: {sorted(undecorated)}"
    assert decorated == DOWNLOAD_URLS


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux)
    brewery, farm = factories.brewery_and_farm(caux)
    factories.flow(brewery, resource="bio_spent_grain", quantity=80, unit="t")
    factories.synergy(caux, participants=(brewery, farm))
    snapshot = factories.report_snapshot(caux, by=officer)
    coaching = factories.coaching_call()
    participation = factories.coaching_participation(coaching, caux)
    applicant = factories.user()
    application = factories.draft_application(factories.call(), CAUX_SEINE, applicant)
    from tremplin.coaching.services.feeds import renew_feed
    from tremplin.workshops.services import create_workshop

    workshop = create_workshop(caux, by=officer, theme="Atelier", date=dt.date(2026, 3, 12), place="CCI")
    from tremplin.coaching.models import Event

    rso = Event.objects.create(
        call=coaching,
        kind="rso_1",
        date=dt.date(2019, 11, 5),
        duration="half_day",
        period="morning",
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
    )
    from tests.programme import national_files
    from tremplin.potentials.services import load_release

    load_release("potentials.csv", national_files.csv_bytes(national_files.rows()), by=None)
    return {
        "officer": officer,
        "applicant": applicant,
        "programme": factories.programme_team_member(),
        "urls": {
            "report_pdf": {"pk": snapshot.pk},
            "territory_export_xlsx": {"territory_pk": caux.pk},
            "territory_export_csv": {"territory_pk": caux.pk, "sheet": "flux"},
            "territory_map": {"pk": caux.pk},
            "territory_map_points": {"territory_pk": caux.pk},
            "territory_map_synergies": {"territory_pk": caux.pk},
            "territory_map_heat_networks": {"territory_pk": caux.pk},
            "territory_map_export": {"territory_pk": caux.pk, "layer": "establishments"},
            "establishment_template_csv": {"territory_pk": caux.pk},
            "establishment_template_xlsx": {"territory_pk": caux.pk},
            "coaching_calendar_ics": {"call_pk": coaching.pk},
            "coaching_strategy_pdf": {"pk": participation.pk},
            "coaching_attendance_csv": {"call_pk": coaching.pk},
            "calendar_feed": {"token": renew_feed(by=officer)},
            "programme_application_document": {"pk": application.pk, "kind": "courrier"},
            "workshop_summary_pdf": {"pk": workshop.pk},
            "coaching_comparison_export": {"event_pk": rso.pk, "fmt": "pdf"},
            "coaching_closing_review_export": {"call_pk": coaching.pk, "fmt": "xlsx"},
            "programme_indicators_export": {},
            "programme_potential_map": {},
            "programme_potential_export_csv": {},
            "programme_potential_export_xlsx": {},
        },
    }


@pytest.mark.parametrize("name", sorted(DOWNLOAD_URLS))
def test_a_download_is_neither_cached_nor_stored(client, world, name):
    persona = {
        "programme_application_document": "applicant",
        "coaching_attendance_csv": "programme",
        "coaching_comparison_export": "programme",
        "coaching_closing_review_export": "programme",
        "programme_indicators_export": "programme",
        "programme_potential_map": "programme",
        "programme_potential_export_csv": "programme",
        "programme_potential_export_xlsx": "programme",
    }
    client.force_login(world[persona.get(name, "officer")])
    response = client.get(reverse(name, kwargs=world["urls"][name]))
    response.close()  # a FileResponse holds its file open until then
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives and not get_max_age(response)
