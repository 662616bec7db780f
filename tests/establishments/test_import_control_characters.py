"""A control character (a NUL, an escape, a line break…) in any text cell of an imported file is
refused, naming its row and column: it would break the territory's XLSX export and the pages later."""

import io

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.hostile_files import sheet_xml, workbook
from tests.establishments.samples import PAPETERIE, SIRENE_HEADER, sirene_csv, sirene_row
from tremplin.establishments.importers.template import COLUMNS
from tremplin.establishments.services import ImportRejected, import_establishments

pytestmark = pytest.mark.django_db

GOOD = ["50012345000016", "Papeterie", "17.12Z", "22", "76476", "Route du Havre", "49,5051", "0,6003"]


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _refused(territory, data: bytes, kind: str):
    with pytest.raises(ImportRejected) as rejected:
        import_establishments(territory, io.BytesIO(data), kind=kind, by=None, filename="fichier")
    assert not territory.establishments.exists()
    return [(e.line, e.field, e.reason) for e in rejected.value.report.errors]


def _template_csv(rows) -> bytes:
    return ("\n".join(";".join(row) for row in [COLUMNS, *rows]) + "\n").encode("utf-8")


def _with(column: str, value: str) -> list[str]:
    row = list(GOOD)
    row[COLUMNS.index(column)] = value
    return row


def test_a_nul_in_a_sirene_name_is_refused_with_its_row_and_column(caux):
    data = sirene_csv([sirene_row(PAPETERIE, name="Papeterie\x00 de la Seine", naf="17.12Z")])
    assert _refused(caux, data, "sirene") == [
        (
            2,
            "denominationUsuelleEtablissement",
            "caractère de contrôle interdit (U+0000, position 10) : retirez-le du fichier",
        )
    ]


@pytest.mark.parametrize(
    "column", ["enseigne1Etablissement", "activitePrincipaleEtablissement", "trancheEffectifsEtablissement"]
)
def test_every_sirene_column_read_is_checked(caux, column):
    row = sirene_row(PAPETERIE, naf="17.12Z")
    row[SIRENE_HEADER.index(column)] = "\x1b[31m" + row[SIRENE_HEADER.index(column)]
    errors = _refused(caux, sirene_csv([row]), "sirene")
    assert (2, column) in [(line, field) for line, field, _reason in errors]
    assert any("U+001B" in reason for _line, _field, reason in errors)


def test_the_address_columns_of_a_sirene_file_are_checked_too(caux):
    header = [*SIRENE_HEADER, "libelleVoieEtablissement"]
    row = [*sirene_row(PAPETERIE, name="Papeterie", naf="17.12Z"), "RUE\u2028DU PORT"]
    data = ("\n".join(";".join(r) for r in [header, row]) + "\n").encode("utf-8")
    assert _refused(caux, data, "sirene") == [
        (
            2,
            "libelleVoieEtablissement",
            "caractère de contrôle interdit (U+2028, position 4) : retirez-le du fichier",
        )
    ]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("nom", "Pape\x00terie", "U+0000"),
        ("adresse", "Route\x07 du Havre", "U+0007"),
        ("adresse", "Route\x7f", "U+007F"),
        ("nom", "Pape\x85terie", "U+0085"),
        ("siret", "50012345000016\x00", "U+0000"),
        ("code_commune", "76\x0b476", "U+000B"),
    ],
)
def test_a_control_character_in_any_cell_of_a_csv_template_is_refused(caux, column, value, code):
    errors = _refused(caux, _template_csv([_with(column, value)]), "template")
    assert (2, column) in [(line, field) for line, field, _reason in errors]
    assert any(code in reason for line, field, reason in errors if field == column)


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("nom", "Papeterie\nde la Seine", "U+000A"),  # a line break inside a cell
        ("nom", "Pape\tterie", "U+0009"),
        ("adresse", "Route\u0085 du Havre", "U+0085"),  # C1 controls are valid XML
        ("code_naf", "17.\r12Z", "U+000A"),  # XML reads a carriage return as a line break
    ],
)
def test_a_control_character_in_any_cell_of_an_xlsx_template_is_refused(caux, column, value, code):
    errors = _refused(caux, workbook(sheet_xml([COLUMNS, _with(column, value)])), "template")
    assert [(line, field) for line, field, reason in errors if code in reason] == [(2, column)]


def test_a_clean_file_still_imports_and_a_trailing_line_break_is_only_whitespace(caux):
    data = workbook(sheet_xml([COLUMNS, _with("nom", "Papeterie de la Seine\n")]))
    report = import_establishments(caux, io.BytesIO(data), kind="template", by=None)
    assert report.created == 1
    assert caux.establishments.get().name == "Papeterie de la Seine"
