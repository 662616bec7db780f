"""An applicant's potential when its workspace has no establishment yet: the row of its EPCI in the
newest loaded release, with that release's source, date and basis; the committee reads the same."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests import factories
from tests.programme import national_files as nf
from tremplin.audit.models import AuditEntry
from tremplin.potentials.services import load_release
from tremplin.programme.models import ApplicationStatus
from tremplin.programme.services.potential import METHOD, RELEASE_METHOD

pytestmark = pytest.mark.django_db


def _release(computed_at=nf.COMPUTED_AT, by=None, **overrides):
    return load_release("potentials.csv", nf.csv_bytes(nf.rows(computed_at=computed_at, **overrides)), by=by)


def test_without_a_workspace_the_figure_comes_from_the_newest_release():
    release = _release()
    application = factories.submitted_application(factories.call(), nf.LE_HAVRE)
    assert application.potential_score == 900.0
    assert application.potential_establishments == 0
    figures = application.potential_figures
    assert figures["method"] == RELEASE_METHOD
    assert figures["release"]["id"] == release.pk
    assert figures["release"]["source"] == nf.source_of(nf.LE_HAVRE)
    assert figures["release"]["computed_at"] == "2026-11-20T10:30:00+00:00"
    assert figures["release"]["basis"] == "estimated"
    assert (figures["release"]["leads"], figures["release"]["substitution_leads"]) == (40, 25)


def test_the_newest_computation_wins_whatever_the_order_of_loading():
    newer = _release(computed_at="2026-11-27T09:00:00+00:00", **{nf.LE_HAVRE: {"score": 950.0}})
    _release()  # older run, loaded afterwards
    application = factories.submitted_application(factories.call(), nf.LE_HAVRE)
    assert application.potential_score == 950.0
    assert application.potential_figures["release"]["id"] == newer.pk


def test_a_workspace_with_establishments_keeps_the_engines_computation():
    _release()
    caux = factories.territory(nf.CAUX_SEINE)
    factories.establishment(caux, naf_code="11.05Z", headcount_band="12")
    application = factories.submitted_application(factories.call(), nf.CAUX_SEINE)
    assert application.potential_figures["method"] == METHOD
    assert "release" not in application.potential_figures
    assert application.potential_establishments == 1
    assert application.potential_score != 250.0


def test_an_empty_workspace_also_takes_the_release():
    _release()
    factories.territory(nf.CAUX_SEINE)  # opened, no establishment yet
    application = factories.submitted_application(factories.call(), nf.CAUX_SEINE)
    assert application.potential_score == 250.0


def test_an_epci_absent_from_every_release_keeps_no_figure():
    load_release("potentials.csv", nf.csv_bytes(nf.rows([nf.CAEN])), by=None)
    application = factories.submitted_application(factories.call(), nf.LE_HAVRE)
    assert application.potential_score is None
    assert "release" not in application.potential_figures


def test_loading_a_release_recomputes_undecided_applications_only():
    call = factories.call()
    waiting = factories.submitted_application(call, nf.LE_HAVRE)
    decided = factories.submitted_application(call, nf.CAEN)
    decided.status = ApplicationStatus.NOT_SELECTED
    decided.save(update_fields=["status"])
    assert waiting.potential_score is None
    person = factories.programme_team_member()
    _release(by=person)
    waiting.refresh_from_db()
    decided.refresh_from_db()
    assert waiting.potential_score == 900.0
    assert decided.potential_score is None
    entry = AuditEntry.objects.get(action="potential.release.loaded")
    assert entry.data["applications_refreshed"] == 1
    assert AuditEntry.objects.filter(
        action="application.potential.computed", actor=person, call=call, target_id=str(waiting.pk)
    ).exists()


def test_the_programme_team_and_the_committee_read_the_release_figure(client):
    _release()
    call = factories.call()
    application = factories.submitted_application(call, nf.LE_HAVRE)
    member = factories.seated_committee_member(call)
    pages = {
        factories.programme_team_member(): reverse("programme_call_applications", kwargs={"pk": call.pk}),
        member: reverse("programme_score", kwargs={"pk": application.pk}),
    }
    for person, url in pages.items():
        client.force_login(person)
        html = client.get(url).content.decode()
        assert f'data-potential-release="{application.potential_figures["release"]["id"]}"' in html, url
        assert "900,0" in html
        assert escape(nf.source_of(nf.LE_HAVRE)) in html
        assert "Base : Estimé, à partir du profil sectoriel des établissements SIRENE" in html
        assert "base de connaissances kb-2026.11" in html
    client.force_login(member)
    html = client.get(reverse("programme_committee_call", kwargs={"pk": call.pk})).content.decode()
    assert escape(nf.source_of(nf.LE_HAVRE)) in html and "900,0" in html


def test_the_programme_team_reads_it_in_english_on_the_application(client):
    _release()
    application = factories.submitted_application(factories.call(), nf.LE_HAVRE)
    client.force_login(factories.programme_team_member())
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("programme_application_detail", kwargs={"pk": application.pk})).content.decode()
    assert "900.0" in html
    assert "Basis: Estimated, from the sector profile of the EPCI's SIRENE establishments" in html
    assert "over the EPCI's 1,000 SIRENE establishments" in html
