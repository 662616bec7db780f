"""Importing installations classées: linking, all-or-nothing, command line, page, detection states."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.installations.samples import dumps, installation, response, rubrique
from tremplin.audit.models import AuditEntry
from tremplin.installations.models import Installation, Match
from tremplin.installations.services import (
    IcpeNotAllowed,
    IcpeRejected,
    confirm_match,
    import_icpe,
    receiver_authorisations,
)
from tremplin.synergies.detection import start_detection

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def insee(caux):
    return caux.epci.communes.order_by("insee_code").first().insee_code


def test_an_installation_links_by_siret_else_proposes_by_name_and_commune(caux, officer, insee):
    by_siret = factories.establishment(caux, name="Incinérateur")
    by_name = factories.establishment(caux, name="Valo Caux SAS")
    content = dumps(
        response(
            installation("0005800001", name="SOCIETE X", siret=by_siret.siret, insee=insee),
            installation("0005800002", name="VALO-CAUX", insee=insee),
            installation("0005800003", name="Inconnue", insee=insee),
            installation("0005800004", name="Ailleurs", insee="14118"),
        )
    )
    report = import_icpe(caux, content, by=officer, filename="icpe.json", file_date=DAY)
    assert (report.installations, report.matched, report.proposed, report.unmatched) == (3, 1, 1, 1)
    assert report.skipped_outside == 1
    first = Installation.objects.get(aiot_code="0005800001")
    assert (first.establishment, first.match, first.source_date) == (by_siret, Match.SIRET, DAY)
    proposed = Installation.objects.get(aiot_code="0005800002")
    assert (proposed.establishment, proposed.match) == (by_name, Match.PROPOSED)
    # A proposal counts only once confirmed.
    assert str(by_name.pk) not in receiver_authorisations(caux)
    confirm_match(proposed, by=officer)
    rubriques = receiver_authorisations(caux)[str(by_name.pk)]
    assert [(r.code, r.alinea, r.regime) for r in rubriques] == [("2791", "1", "A")]
    assert "AIOT 0005800002" in rubriques[0].source and "02/03/2026" in rubriques[0].source
    entry = AuditEntry.objects.get(action="installations.imported")
    assert (entry.data["installations"], entry.actor) == (3, officer)


def test_a_reimport_updates_rubriques_and_keeps_the_teams_decision(caux, officer, insee):
    site = factories.establishment(caux, name="Valo Caux")
    import_icpe(caux, dumps(response(installation(name="VALO CAUX", insee=insee))), by=officer, file_date=DAY)
    confirm_match(Installation.objects.get(), by=officer)
    again = dumps(response(installation(name="VALO CAUX", insee=insee, rubriques=[rubrique("2771", "")])))
    report = import_icpe(caux, again, by=officer, file_date=DAY)
    assert (report.created, report.updated) == (0, 1)
    kept = Installation.objects.get()
    assert (kept.match, kept.establishment) == (Match.CONFIRMED, site)
    assert list(kept.rubriques.values_list("code", flat=True)) == ["2771"]


def test_a_bad_file_writes_nothing(caux, officer, insee):
    content = dumps(response(installation("0005800001", insee=insee), installation("0005800002", siret="42")))
    with pytest.raises(IcpeRejected) as refused:
        import_icpe(caux, content, by=officer, file_date=DAY)
    assert str(refused.value.errors[0]).startswith("installation 2 (AIOT 0005800002), siret")
    assert not Installation.objects.exists()


def test_another_territorys_officer_may_not_import(caux, insee):
    from tests.conftest import LE_HAVRE

    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    with pytest.raises(IcpeNotAllowed):
        import_icpe(caux, dumps(response(installation(insee=insee))), by=outsider, file_date=DAY)
    assert not Installation.objects.exists()


def test_the_command_imports_and_refuses_a_bad_file_naming_the_field(caux, insee, tmp_path, capsys):
    good = tmp_path / "icpe.json"
    good.write_bytes(dumps([response(installation(insee=insee))]))
    call_command("import_icpe", "--territory", CAUX_SEINE, "--date", "2026-03-02", str(good))
    assert "1 installation(s), 1 rubrique(s)" in capsys.readouterr().out
    assert Installation.objects.get().source_date == DAY
    bad = tmp_path / "bad.json"
    bad.write_bytes(dumps(response(installation("0005800009", insee=insee, rubriques=[{"alinea": "1"}]))))
    with pytest.raises(CommandError, match="1 erreur"):
        call_command("import_icpe", "--territory", str(caux.pk), str(bad))
    assert (
        "installation 1 (AIOT 0005800009), rubrique 1, numeroRubrique : manquant" in capsys.readouterr().err
    )


def test_the_import_page_imports_and_lists_the_installations(client, caux, officer, insee):
    client.force_login(officer)
    page = client.get(reverse("establishment_import", args=[caux.pk]))
    assert reverse("icpe_import", args=[caux.pk]) in page.content.decode()
    upload = SimpleUploadedFile("icpe.json", dumps(response(installation(insee=insee))), "application/json")
    posted = client.post(reverse("icpe_import", args=[caux.pk]), {"file": upload, "file_date": "2026-03-02"})
    assert posted.status_code == 302
    listed = client.get(reverse("icpe_import", args=[caux.pk])).content.decode()
    assert "VALO CAUX" in listed and "2791-1 (A)" in listed


def test_the_import_page_lists_the_errors_of_a_refused_file(client, caux, officer, insee):
    client.force_login(officer)
    upload = SimpleUploadedFile("bad.json", dumps(response(installation(insee=insee, latitude="nord"))))
    page = client.post(reverse("icpe_import", args=[caux.pk]), {"file": upload, "file_date": "2026-03-02"})
    assert page.status_code == 400
    assert "installation 1 (AIOT 0005801234), latitude" in page.content.decode()
    assert not Installation.objects.exists()


@pytest.fixture
def waste_pair(caux):
    commune = caux.epci.communes.order_by("insee_code").first()
    lat, lon = commune.centroid_lat, commune.centroid_lon
    joinery = factories.establishment(caux, name="Menuiserie", naf_code="16.23Z", headcount_band="21")
    plant = factories.establishment(
        caux, name="UVE", naf_code="38.21Z", headcount_band="12", latitude=lat + 0.01, longitude=lon
    )
    return joinery, plant


def _uve_lead(run, plant):
    return next(
        lead
        for lead in run.leads.all()
        if lead.data.get("rule_id") == "REC-R1-uve-muni_residual" and lead.data["target_id"] == str(plant.pk)
    )


@pytest.mark.parametrize(
    ("rubriques", "state"),
    [([rubrique("2771", "")], "authorised"), ([rubrique("1510", "")], "not_authorised"), (None, "to_check")],
)
def test_a_detection_run_gives_the_receivers_authorisation_and_the_lead_shows_it(
    client, caux, officer, waste_pair, rubriques, state
):
    _joinery, plant = waste_pair
    if rubriques is not None:
        content = dumps(
            response(installation(siret=plant.siret, insee=plant.commune.insee_code, rubriques=rubriques))
        )
        import_icpe(caux, content, by=officer, file_date=DAY)
    run = start_detection(caux, mode="deductive", by=officer)
    run.refresh_from_db()
    lead = _uve_lead(run, plant)
    assert lead.data["receiver_authorisation"]["state"] == state
    client.force_login(officer)
    page = client.get(reverse("detection_run", args=[run.pk]) + "?resource=muni_residual").content.decode()
    assert f'data-state="{state}"' in page
    if state == "authorised":
        assert "Rubrique 2771" in page and "AIOT 0005801234" in page
