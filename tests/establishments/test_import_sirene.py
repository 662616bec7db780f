"""SIRENE imports: all rows or none, every bad row named, re-import updates."""

import io

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import (
    FERMEE,
    HAVRAISE,
    LAITERIE,
    PAPETERIE,
    SCIERIE,
    good_sample,
    sirene_csv,
    sirene_row,
)
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import DataOrigin, Engagement, Establishment
from tremplin.establishments.services import ImportRejected, import_establishments

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


def _import(territory, data: bytes, by=None):
    return import_establishments(territory, io.BytesIO(data), kind="sirene", by=by, filename="sirene.csv")


def test_a_good_file_creates_the_active_establishments_of_the_territory(caux, officer):
    report = _import(caux, good_sample(), by=officer)
    assert (report.created, report.updated, report.skipped_inactive, report.skipped_outside) == (3, 0, 1, 1)
    assert report.summary() == "3 créés, 0 mis à jour, 2 ignorés (1 fermés, 1 hors territoire)"
    sites = {e.siret: e for e in caux.establishments.select_related("commune")}
    assert set(sites) == {PAPETERIE, LAITERIE, SCIERIE}
    papeterie = sites[PAPETERIE]
    assert (papeterie.name, papeterie.naf_code, papeterie.headcount_band) == (
        "Papeterie de la Seine",
        "17.12Z",
        "22",
    )
    assert papeterie.commune.insee_code == "76476"
    assert papeterie.origin == DataOrigin.SIRENE and papeterie.imported_at is not None
    # 526 145 m, 6 936 618 m in Lambert-93 is Port-Jérôme's reference point, 49.50513 N 0.600315 E.
    assert papeterie.latitude == pytest.approx(49.50513, abs=1e-4)
    assert papeterie.longitude == pytest.approx(0.600315, abs=1e-4)
    assert papeterie.location_precision == "address"


def test_the_name_falls_back_to_the_sign_then_to_the_siret(caux):
    _import(caux, good_sample())
    assert caux.establishments.get(siret=LAITERIE).name == "Laiterie de Lillebonne"
    assert caux.establishments.get(siret=SCIERIE).name == f"Établissement {SCIERIE}"


def test_without_coordinates_an_establishment_stands_at_its_communes_point_and_says_so(caux):
    report = _import(caux, good_sample())
    scierie = caux.establishments.select_related("commune").get(siret=SCIERIE)
    assert scierie.location_precision == "commune"
    assert (scierie.latitude, scierie.longitude) == (
        scierie.commune.centroid_lat,
        scierie.commune.centroid_lon,
    )
    assert scierie.headcount_band == "NN"  # empty band: unknown
    assert report.located_in_commune == 1


def test_a_reimport_updates_and_keeps_what_the_team_added(caux):
    _import(caux, good_sample())
    papeterie = caux.establishments.get(siret=PAPETERIE)
    papeterie.engagement = Engagement.MET
    papeterie.notes = "Visite en mars"
    papeterie.save()
    factories.establishment_contact(papeterie, name="Claire Martin")
    renamed = sirene_csv(
        [
            sirene_row(
                PAPETERIE, name="Papeterie de Port-Jérôme", naf="17.12Z", band="31", x="526145", y="6936618"
            )
        ]
    )
    report = _import(caux, renamed)
    assert (report.created, report.updated) == (0, 1)
    assert caux.establishments.filter(siret=PAPETERIE).count() == 1
    papeterie.refresh_from_db()
    assert (papeterie.name, papeterie.headcount_band) == ("Papeterie de Port-Jérôme", "31")
    assert (papeterie.engagement, papeterie.notes) == (Engagement.MET, "Visite en mars")
    assert list(papeterie.contacts.values_list("name", flat=True)) == ["Claire Martin"]
    assert caux.establishments.count() == 3


def test_a_row_without_coordinates_does_not_erase_a_precise_location(caux):
    _import(caux, good_sample())
    before = caux.establishments.get(siret=PAPETERIE)
    _import(caux, sirene_csv([sirene_row(PAPETERIE, name="Papeterie", naf="17.12Z", x="[ND]", y="[ND]")]))
    after = caux.establishments.get(siret=PAPETERIE)
    assert (after.latitude, after.longitude, after.location_precision) == (
        before.latitude,
        before.longitude,
        "address",
    )


def test_a_file_with_bad_rows_names_each_of_them_and_writes_nothing(caux):
    existing = factories.establishment(caux, name="Déjà là")
    data = sirene_csv(
        [
            sirene_row(PAPETERIE, name="Bonne ligne", naf="17.12Z", x="526145", y="6936618"),  # line 2
            sirene_row("50012345000017", name="Clé fausse"),  # line 3: Luhn
            sirene_row(LAITERIE, naf="99.99Z", commune="76384"),  # line 4: NAF
            sirene_row(SCIERIE, band="13", commune="76114"),  # line 5: band
            sirene_row(FERMEE, state="X"),  # line 6: state
            sirene_row(HAVRAISE, commune="76476", x="49.5", y="0.5"),  # line 7: coordinates in degrees
            sirene_row(PAPETERIE, name="Doublon", naf="17.12Z"),  # line 8: duplicate SIRET
        ]
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, data)
    errors = rejected.value.report.errors
    assert [(e.line, e.field) for e in errors] == [
        (3, "siret"),
        (4, "activitePrincipaleEtablissement"),
        (5, "trancheEffectifsEtablissement"),
        (6, "etatAdministratifEtablissement"),
        (7, "coordonneeLambertAbscisseEtablissement"),
        (8, "siret"),
    ]
    assert "Luhn" in errors[0].reason
    assert "99.99Z" in errors[1].reason
    assert "hors de la France" in errors[4].reason
    assert "déjà ligne 2" in errors[5].reason
    assert list(caux.establishments.all()) == [existing]
    assert not AuditEntry.objects.filter(action="establishments.imported").exists()


def test_closed_rows_and_rows_of_other_communes_are_skipped_without_checking_their_codes(caux):
    # A national file holds closed establishments coded in older nomenclatures: they are not errors.
    data = sirene_csv(
        [
            sirene_row(FERMEE, state="F", naf="52.1D", band="", commune="76476"),
            sirene_row(HAVRAISE, naf="52.1D", commune="75056"),
            sirene_row(LAITERIE, naf="52.1D", commune=""),  # abroad
        ]
    )
    report = _import(caux, data)
    assert (report.created, report.skipped_inactive, report.skipped_outside) == (0, 1, 2)


def test_a_comma_separated_file_without_bom_is_read_too(caux):
    data = sirene_csv(
        [sirene_row(PAPETERIE, name="Papeterie", naf="1712Z", x="526145,5", y="6936618")],
        delimiter=",",
        bom=False,
    )
    data = data.replace(b"526145,5", b'"526145,5"')
    report = _import(caux, data)
    assert report.created == 1
    assert caux.establishments.get().naf_code == "17.12Z"


def test_a_missing_column_is_reported_on_the_header_line(caux):
    data = b"siret;codeCommuneEtablissement\n50012345000016;76476\n"
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, data)
    fields = {e.field for e in rejected.value.report.errors}
    assert fields == {
        "etatAdministratifEtablissement",
        "activitePrincipaleEtablissement",
        "trancheEffectifsEtablissement",
    }
    assert {e.line for e in rejected.value.report.errors} == {1}


def test_a_file_saved_by_excel_in_windows_1252_is_read_with_its_accents(caux):
    data = (
        sirene_csv([sirene_row(PAPETERIE, name="Scierie Léon & Fils — œuvres")])
        .decode("utf-8")
        .lstrip("\ufeff")
        .encode("cp1252")
    )
    assert b"L\xe9on" in data and b"\x97" in data and b"\x9c" in data  # é, em dash, œ in Windows-1252
    report = _import(caux, data)
    assert report.encoding == "cp1252"
    assert caux.establishments.get().name == "Scierie Léon & Fils — œuvres"


def test_a_file_neither_utf8_nor_windows_1252_is_refused(caux):
    data = sirene_csv([sirene_row(PAPETERIE, name="Scierie Léon")]).replace("é".encode(), b"\x81")
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, data)
    assert "ni en UTF-8 ni en Windows-1252" in rejected.value.report.errors[0].reason
    assert not caux.establishments.exists()


def test_the_import_is_audited_with_its_counts(caux, officer):
    _import(caux, good_sample(), by=officer)
    entry = AuditEntry.objects.get(action="establishments.imported")
    assert entry.actor == officer and entry.territory == caux
    assert (
        entry.data["created"] == 3
        and entry.data["skipped_inactive"] == 1
        and entry.data["skipped_outside"] == 1
    )


def test_a_sirene_row_takes_a_demonstration_establishment_over_as_real_data(caux):
    factories.establishment(caux, siret=PAPETERIE, is_demo=True, origin=DataOrigin.DEMO)
    _import(caux, good_sample())
    papeterie = Establishment.objects.get(siret=PAPETERIE)
    assert (papeterie.is_demo, papeterie.origin) == (False, DataOrigin.SIRENE)
