"""CSV files saved by Excel on Windows (Windows-1252) are read, and the report says so; a workbook given
where a CSV file is expected gets a message saying what it is and what to do."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.samples import PAPETERIE
from tremplin.establishments.importers.base import detect_encoding
from tremplin.establishments.importers.template import COLUMNS, example_row, template_xlsx
from tremplin.establishments.services import ImportRejected, import_establishments

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _template_csv(name: str) -> str:
    return ";".join(COLUMNS) + f"\r\n{PAPETERIE};{name};17.12Z;22;76476;2 rue de l'Église;;\r\n"


def test_a_template_saved_in_windows_1252_is_read_with_its_accents(caux):
    data = _template_csv("Papeterie Lefèvre & Cie — Étretat").encode("cp1252")
    report = import_establishments(caux, io.BytesIO(data), kind="template", by=None)
    assert report.encoding == "cp1252"
    establishment = caux.establishments.get()
    assert (establishment.name, establishment.address) == (
        "Papeterie Lefèvre & Cie — Étretat",
        "2 rue de l'Église",
    )


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Fécamp".encode(), "utf-8"),
        ("\ufeffFécamp".encode(), "utf-8"),
        (b"plain ascii", "utf-8"),
        ("Fécamp".encode("cp1252"), "cp1252"),
        ("œuvre — « Fécamp »".encode("cp1252"), "cp1252"),
    ],
)
def test_the_encoding_rule(data, encoding):
    stream = io.BytesIO(data)
    assert detect_encoding(stream) == encoding
    assert stream.tell() == 0


def test_utf8_split_across_detection_chunks_is_still_utf8(monkeypatch):
    monkeypatch.setattr("tremplin.establishments.importers.base._DETECTION_CHUNK", 3)
    assert detect_encoding(io.BytesIO("aaé".encode() * 5)) == "utf-8"  # "é" spans chunks 1 and 2


def test_the_import_page_says_the_file_was_read_as_windows_1252(client, caux):
    officer = factories.territory_officer(caux)
    client.force_login(officer)
    upload = SimpleUploadedFile("excel.csv", _template_csv("Scierie Lefèvre").encode("cp1252"))
    response = client.post(
        reverse("establishment_import", kwargs={"territory_pk": caux.pk}),
        {"kind": "template", "file": upload},
        follow=True,
    )
    html = response.content.decode()
    assert "1 établissement créé" in html
    assert "Fichier lu en Windows-1252" in html


def test_a_workbook_given_as_a_sirene_csv_is_named_as_such(caux):
    workbook = template_xlsx(example_row("76476", None, None))
    with pytest.raises(ImportRejected) as rejected:
        import_establishments(caux, io.BytesIO(workbook), kind="sirene", by=None)
    (error,) = rejected.value.report.errors
    assert str(error) == (
        "fichier : ce fichier est un classeur Excel (XLSX), pas un fichier CSV : choisissez l'import du "
        "modèle de la plateforme (qui lit les classeurs) ou enregistrez-le en CSV"
    )


@pytest.mark.parametrize("kind", ["sirene", "template"])
def test_an_old_excel_workbook_is_named_as_such(caux, kind):
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # the OLE2 header of an .xls file
    with pytest.raises(ImportRejected) as rejected:
        import_establishments(caux, io.BytesIO(xls), kind=kind, by=None)
    assert "classeur Excel 97–2003 (XLS)" in rejected.value.report.errors[0].reason
