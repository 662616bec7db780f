"""A SIRENE extract for the applicants of a call: split by EPCI, only the applicants' rows kept, written
in their workspaces (opened when missing, nobody on their team), the potential computed with its source;
all or nothing; a new extract replaces the register rows but keeps corrections by hand."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tests.establishments.samples import FERMEE, HAVRAISE, LAITERIE, PAPETERIE, SCIERIE
from tremplin import engine
from tremplin.audit.models import AuditEntry
from tremplin.engine.headcount import headcount_band
from tremplin.establishments.models import DataOrigin, Establishment
from tremplin.establishments.siret import luhn_check_digit
from tremplin.geo.models import Commune
from tremplin.imports.models import ImportJob, RegisterExtract
from tremplin.programme.exceptions import NotAllowed
from tremplin.programme.services.extracts import start_extract
from tremplin.territories.models import Territory, TerritoryOrigin

pytestmark = pytest.mark.django_db

HEADER = [
    "siren",
    "nic",
    "siret",
    "dateDernierTraitementEtablissement",
    "etatAdministratifEtablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "trancheEffectifsEtablissement",
    "codeCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
]


def siret_of(body: str) -> str:
    siren = body + luhn_check_digit(body)
    return siren + "0001" + luhn_check_digit(siren + "0001")


DOCKER = siret_of("60011122")  # Le Havre, no coordinates
FECAMP_1 = siret_of("60022233")  # Fécamp: an EPCI that did not apply
FECAMP_2 = siret_of("60033344")


def row(
    siret, *, state="A", name="", naf="10.71C", band="11", commune="76476", x="", y="", date="2026-10-01"
):
    return [siret[:9], siret[9:], siret, date, state, name, naf, "NAFRev2", band, commune, x, y]


def extract_csv(rows) -> bytes:
    return ("\n".join(";".join(line) for line in [HEADER, *rows]) + "\n").encode("utf-8")


def three_epcis():
    """8 rows: Caux Seine 3 active + 1 closed, Le Havre 2 active, Fécamp (not applying) 2 active."""
    return [
        row(PAPETERIE, name="Papeterie de la Seine", naf="17.12Z", band="22", x="526145", y="6936618"),
        row(LAITERIE, name="Laiterie", naf="10.51A", band="12", commune="76384", x="521194", y="6936738"),
        row(SCIERIE, naf="16.10A", band="", commune="76114", date="2026-11-02T04:10:00"),
        row(FERMEE, state="F", name="Ancienne fonderie", naf="24.51Z"),
        row(HAVRAISE, name="Docks havrais", naf="52.24A", commune="76351", x="490424", y="6936565"),
        row(DOCKER, name="Manutention du port", naf="52.24A", band="21", commune="76351"),
        row(FECAMP_1, name="Conserverie", naf="10.20Z", commune="76259"),
        row(FECAMP_2, name="Chantier naval", naf="30.11Z", commune="76259"),
    ]


def upload(content: bytes, name="StockEtablissement_extrait.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def applicants():
    call = factories.call()
    caux = factories.submitted_application(call, CAUX_SEINE)
    havre = factories.submitted_application(call, LE_HAVRE)
    return call, caux, havre


def engine_potential(territory):
    items = [
        engine.Establishment(
            str(e.pk),
            e.name,
            e.naf_code,
            e.latitude,
            e.longitude,
            headcount_band(e.headcount_band).representative,
        )
        for e in Establishment.objects.for_territory(territory)
    ]
    return engine.synergy_potential(items)


def test_only_the_applicants_rows_are_kept_split_by_epci_with_the_potential_and_its_source(applicants):
    call, caux, havre = applicants
    team = factories.programme_team_member()
    fecamp_epci = Commune.objects.get(insee_code="76259").epci
    extract = start_extract(call, upload(extract_csv(three_epcis())), by=team)

    assert extract.status == "done", extract.errors or extract.failure
    assert (extract.rows, extract.kept, extract.skipped_inactive, extract.skipped_outside) == (8, 5, 1, 2)
    caux_ws, havre_ws = Territory.objects.get(epci=caux.epci), Territory.objects.get(epci=havre.epci)
    assert set(Establishment.objects.for_territory(caux_ws).values_list("siret", flat=True)) == {
        PAPETERIE,
        LAITERIE,
        SCIERIE,
    }
    assert set(Establishment.objects.for_territory(havre_ws).values_list("siret", flat=True)) == {
        HAVRAISE,
        DOCKER,
    }
    assert not Territory.objects.filter(epci=fecamp_epci).exists()
    assert not Establishment.objects.filter(siret__in=[FECAMP_1, FECAMP_2]).exists()
    # The workspaces opened for the applicants: register data only, nobody on their team.
    for workspace in (caux_ws, havre_ws):
        assert workspace.origin == TerritoryOrigin.APPLICANT
        assert not workspace.memberships.exists()
        assert set(workspace.establishments.values_list("origin", flat=True)) == {DataOrigin.SIRENE}
        assert ImportJob.objects.filter(territory=workspace, kind="sirene", status="done").count() == 1
    by_siren = {item["siren"]: item for item in extract.results}
    assert (by_siren[CAUX_SEINE]["kept"], by_siren[CAUX_SEINE]["created"]) == (3, 3)
    assert (by_siren[LE_HAVRE]["kept"], by_siren[LE_HAVRE]["created"]) == (2, 2)
    assert by_siren[CAUX_SEINE]["territory_created"] and by_siren[LE_HAVRE]["territory_created"]

    # The stock is dated by its latest processed row (2 November 2026), no date being given.
    assert extract.stock_date == dt.date(2026, 11, 2) and extract.stock_date_basis == "file"
    for application, workspace, count in ((caux, caux_ws, 3), (havre, havre_ws, 2)):
        application.refresh_from_db()
        expected = engine_potential(workspace)
        assert application.potential_establishments == count
        assert application.potential_score == expected.score
        assert application.potential_figures["source"] == {
            "register": "SIRENE",
            "extract": extract.pk,
            "filename": "StockEtablissement_extrait.csv",
            "stock_date": "2026-11-02",
            "stock_date_basis": "file",
            "establishments": count,
        }
        assert by_siren[application.epci.siren]["potential_score"] == expected.score
    assert AuditEntry.objects.filter(action="territory.created", call=call).count() == 2
    assert AuditEntry.objects.get(action="register_extract.imported").data["establishments_kept"] == 5


def test_a_given_stock_date_wins_and_the_pages_show_the_source(applicants, client):
    call, caux, _havre = applicants
    team = factories.programme_team_member()
    start_extract(call, upload(extract_csv(three_epcis())), by=team, stock_date=dt.date(2026, 10, 31))
    caux.refresh_from_db()
    assert caux.potential_figures["source"]["stock_date"] == "2026-10-31"
    client.force_login(team)
    page = client.get(reverse("programme_application_detail", args=[caux.pk])).content.decode()
    assert "Stock SIRENE du 31 octobre 2026, 3 établissements, calculé le" in page
    listing = client.get(reverse("programme_call_applications", args=[call.pk])).content.decode()
    assert 'data-extract-result="200010700"' in listing and 'data-kept="3"' in listing
    assert 'data-kept="2"' in listing
    # The committee's scoring view (after the deadline, the application eligible).
    call.deadline = call.opens_at + dt.timedelta(days=30)
    call.save(update_fields=["deadline"])
    member = factories.seated_committee_member(call)
    client.force_login(member)
    score_page = client.get(reverse("programme_score", args=[caux.pk])).content.decode()
    assert "Stock SIRENE du 31 octobre 2026, 3 établissements, calculé le" in score_page


def test_one_bad_row_refuses_the_whole_file_naming_the_row(applicants):
    call, caux, havre = applicants
    rows = three_epcis()
    rows[6][2] = FECAMP_1[:-1] + ("0" if FECAMP_1[-1] != "0" else "1")  # line 8: a wrong SIRET key
    rows[4][6] = "99.99Z"  # line 6: an unknown activity code in Le Havre
    extract = start_extract(call, upload(extract_csv(rows)), by=factories.programme_team_member())
    assert extract.status == "failed"
    assert [(error["line"], error["field"]) for error in extract.errors] == [
        (6, "activitePrincipaleEtablissement"),
        (8, "siret"),
    ]
    assert not Territory.objects.filter(epci__in=[caux.epci, havre.epci]).exists()
    assert not Establishment.objects.exists()
    caux.refresh_from_db()
    assert "source" not in caux.potential_figures


def test_a_workspace_that_cannot_take_its_rows_refuses_the_file_for_every_applicant(applicants):
    call, caux, havre = applicants
    rows = three_epcis()
    rows[5][10], rows[5][11] = "526145", "6936618"  # line 7: a Port-Jérôme point given for Le Havre
    extract = start_extract(call, upload(extract_csv(rows)), by=factories.programme_team_member())
    assert extract.status == "failed"
    assert [error["line"] for error in extract.errors] == [7]
    # Caux Seine's rows were valid, but nothing is written: one run, all or nothing.
    assert not Territory.objects.filter(epci__in=[caux.epci, havre.epci]).exists()
    assert not Establishment.objects.exists()


def test_a_new_extract_replaces_the_register_rows_and_keeps_corrections_by_hand(applicants):
    call, caux, _havre = applicants
    team = factories.programme_team_member()
    start_extract(call, upload(extract_csv(three_epcis())), by=team)
    workspace = Territory.objects.get(epci=caux.epci)
    Establishment.objects.filter(siret=LAITERIE).update(name="Laiterie coopérative", hand_corrected=["name"])
    rows = [line for line in three_epcis() if line[2] != SCIERIE]  # the sawmill closed since
    rows[1][5] = "Laiterie SA"  # the file renames the dairy the team had corrected
    rows[0][8] = "31"  # the paper mill grew
    second = start_extract(call, upload(extract_csv(rows)), by=team)
    assert second.status == "done"
    item = next(item for item in second.results if item["siren"] == CAUX_SEINE)
    assert (item["kept"], item["created"], item["updated"], item["removed"], item["kept_by_hand"]) == (
        2,
        0,
        2,
        1,
        1,
    )
    assert not item["territory_created"]
    assert Establishment.objects.get(territory=workspace, siret=LAITERIE).name == "Laiterie coopérative"
    assert Establishment.objects.get(territory=workspace, siret=PAPETERIE).headcount_band == "31"
    assert not Establishment.objects.filter(siret=SCIERIE).exists()
    caux.refresh_from_db()
    assert caux.potential_establishments == 2
    assert caux.potential_figures["source"]["extract"] == second.pk


def test_a_register_row_someone_worked_on_is_not_removed(applicants):
    call, _caux, _havre = applicants
    team = factories.programme_team_member()
    start_extract(call, upload(extract_csv(three_epcis())), by=team)
    Establishment.objects.filter(siret=SCIERIE).update(notes="Rencontrée au salon")
    rows = [line for line in three_epcis() if line[2] != SCIERIE]
    second = start_extract(call, upload(extract_csv(rows)), by=team)
    item = next(item for item in second.results if item["siren"] == CAUX_SEINE)
    assert item["removed"] == 0
    assert Establishment.objects.filter(siret=SCIERIE).exists()


def test_a_large_extract_runs_in_the_background_worker(
    applicants, settings, django_capture_on_commit_callbacks
):
    call, _caux, _havre = applicants
    settings.IMPORT_INLINE_MAX_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        extract = start_extract(
            call, upload(extract_csv(three_epcis())), by=factories.programme_team_member()
        )
    assert extract.status == "queued"
    extract.refresh_from_db()
    assert extract.status == "done" and extract.kept == 5
    assert not extract.file  # the uploaded file is deleted once read


@pytest.mark.parametrize("persona", ["committee", "territory", "contact"])
def test_only_the_programme_team_may_load_an_extract(applicants, client, persona):
    call, _caux, _havre = applicants
    caux_ws = factories.territory(CAUX_SEINE)
    person = {
        "committee": lambda: factories.seated_committee_member(call),
        "territory": lambda: factories.territory_officer(caux_ws),
        "contact": lambda: factories.company_contact(factories.establishment(caux_ws)),
    }[persona]()
    with pytest.raises(NotAllowed):
        start_extract(call, upload(extract_csv(three_epcis())), by=person)
    client.force_login(person)
    response = client.post(
        reverse("programme_extract_upload", args=[call.pk]), {"file": upload(extract_csv(three_epcis()))}
    )
    assert response.status_code == 403
    assert not RegisterExtract.objects.exists()
    assert Establishment.objects.filter(origin=DataOrigin.SIRENE).count() == 0


def test_the_upload_page_posts_and_shows_the_result(applicants, client):
    call, _caux, _havre = applicants
    client.force_login(factories.programme_team_member())
    response = client.post(
        reverse("programme_extract_upload", args=[call.pk]),
        {"file": upload(extract_csv(three_epcis())), "stock_date": "2026-10-31"},
        follow=True,
    )
    page = response.content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in page
    assert RegisterExtract.objects.get().stock_date == dt.date(2026, 10, 31)
    assert "Stock SIRENE du 31 octobre 2026 : 8 lignes lues, 5 établissements actifs" in page


def test_a_recomputed_potential_keeps_naming_the_extract_it_stands_on(applicants):
    from tremplin.programme.services.potential import refresh_potential

    call, caux, _havre = applicants
    team = factories.programme_team_member()
    extract = start_extract(call, upload(extract_csv(three_epcis())), by=team)
    refresh_potential(caux, by=team)
    caux.refresh_from_db()
    assert caux.potential_figures["source"]["extract"] == extract.pk
    assert caux.potential_figures["source"]["establishments"] == 3


def test_the_progress_fragment_polls_while_running_and_is_the_programme_teams_only(applicants, client):
    call, _caux, _havre = applicants
    team = factories.programme_team_member()
    extract = RegisterExtract.objects.create(
        call=call, filename="stock.csv", created_by=team, status="running"
    )
    url = reverse("programme_extract_progress", args=[extract.pk])
    client.force_login(factories.seated_committee_member(call))
    assert client.get(url).status_code == 403
    client.force_login(team)
    fragment = client.get(url).content.decode()
    assert f'hx-get="{url}?poll=1"' in fragment and 'data-status="running"' in fragment
    assert "INVALID_TEMPLATE_VARIABLE" not in fragment
