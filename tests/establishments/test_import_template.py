"""The platform's own template, CSV and XLSX: downloadable, importable, all rows or none."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.establishments.importers.template import COLUMNS
from tremplin.establishments.models import DataOrigin
from tremplin.establishments.services import ImportRejected, import_establishments

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _import(territory, data: bytes):
    return import_establishments(territory, io.BytesIO(data), kind="template", by=None, filename="modele")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_csv_template_creates_then_updates(caux):
    data = (
        b"siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude\n"
        b"50012345000016;Papeterie;17.12Z;22;76476;Route du Havre;49,5051;0,6003\n"
        b"50023456200014;Laiterie;1051A;;76384;;;\n"
    )
    report = _import(caux, data)
    assert (report.created, report.updated, report.located_in_commune) == (2, 0, 1)
    papeterie = caux.establishments.get(siret="50012345000016")
    assert (papeterie.address, papeterie.latitude, papeterie.origin) == (
        "Route du Havre",
        49.5051,
        DataOrigin.IMPORT,
    )
    laiterie = caux.establishments.get(siret="50023456200014")
    assert (laiterie.naf_code, laiterie.headcount_band, laiterie.location_precision) == (
        "10.51A",
        "NN",
        "commune",
    )
    report = _import(caux, data)
    assert (report.created, report.updated) == (0, 2)
    assert caux.establishments.count() == 2


def test_an_xlsx_template_with_numbers_for_codes_is_read(caux):
    # A spreadsheet turns codes into numbers: 3 for band 03, 76476 for the commune.
    data = _xlsx([COLUMNS, [50012345000016, "Papeterie", "17.12Z", 3, 76476, None, 49.5051, 0.6003]])
    report = _import(caux, data)
    assert report.created == 1
    assert caux.establishments.get().headcount_band == "03"


def test_every_bad_row_of_an_xlsx_is_named_and_nothing_is_written(caux):
    data = _xlsx(
        [
            COLUMNS,
            ["50012345000016", "Bonne", "17.12Z", "22", "76476", "", "", ""],  # line 2
            ["50012345000017", "Mauvaise clé", "17.12Z", "22", "76476", "", "", ""],  # line 3
            ["50023456200014", "", "17.12Z", "22", "76351", "", "", ""],  # line 4: no name, Le Havre
            ["50034567300015", "Coordonnée seule", "17.12Z", "22", "76476", "", "49.5", ""],  # line 5
        ]
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(caux, data)
    assert [(e.line, e.field) for e in rejected.value.report.errors] == [
        (3, "siret"),
        (4, "nom"),
        (4, "code_commune"),
        (5, "latitude"),
    ]
    assert "n'est pas dans le territoire" in rejected.value.report.errors[2].reason
    assert not caux.establishments.exists()


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(caux):
    with pytest.raises(ImportRejected):
        _import(caux, b"PK\x03\x04 not really a workbook")


@pytest.mark.parametrize("url_name", ["establishment_template_xlsx", "establishment_template_csv"])
def test_the_downloaded_template_imports_as_it_is(client, caux, url_name):
    client.force_login(factories.territory_officer(caux))
    response = client.get(reverse(url_name, kwargs={"territory_pk": caux.pk}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if url_name.endswith("xlsx"):
        rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
        assert list(rows[0]) == COLUMNS and len(rows) == 2
    else:
        assert data.decode("utf-8-sig").splitlines()[0] == ";".join(COLUMNS)
    report = _import(caux, data)
    assert report.created == 1
    example = caux.establishments.get()
    assert example.commune.insee_code == "76114"  # Bolbec, the most populous commune of the territory
