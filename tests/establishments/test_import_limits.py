"""What one import may cost: rows, errors kept, what an XLSX may expand to. A hostile file is refused
with one clear message, quickly, instead of being read to the end."""

import io

import openpyxl
import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tests.establishments.hostile_files import sheet_xml, with_understated_sheet_size, workbook
from tests.establishments.samples import LAITERIE, PAPETERIE, sirene_csv, sirene_row
from tremplin.establishments.importers import ErrorLog, FileFormatError, RowError
from tremplin.establishments.importers.template import COLUMNS
from tremplin.establishments.services import ImportRejected, import_establishments

pytestmark = pytest.mark.django_db

GOOD_ROW = ["50012345000016", "Papeterie", "17.12Z", "22", "76476", "", "", ""]
# Valid SIRETs of SIREN 500123450 (Luhn key of the SIRET computed for each NIC).
SIRETS = [f"500123450{nic:04d}{key}" for nic, key in ((1, 6), (2, 4), (3, 2), (4, 0), (5, 7), (6, 5))]


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _import(territory, data: bytes, kind="template"):
    return import_establishments(territory, io.BytesIO(data), kind=kind, by=None, filename="fichier")


def _refused(territory, data: bytes, kind="template"):
    with pytest.raises(ImportRejected) as rejected:
        _import(territory, data, kind)
    return rejected.value.report


def _template_csv(rows) -> bytes:
    lines = [";".join(COLUMNS)] + [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _template_row(siret, name="Atelier"):
    return [siret, name, "17.12Z", "22", "76476", "", "", ""]


def _no_openpyxl(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl must not open a refused workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_the_siret_samples_of_this_file_are_valid():
    from tremplin.establishments.siret import siret_error

    assert not any(siret_error(siret) for siret in SIRETS)


# --- Rows ------------------------------------------------------------------------------------------


def test_a_csv_with_more_rows_than_the_limit_is_refused_on_the_first_line_over_it(caux, settings):
    settings.IMPORT_MAX_ROWS = 5
    assert _import(caux, _template_csv([_template_row(s) for s in SIRETS[:5]])).created == 5
    report = _refused(caux, _template_csv([_template_row(s) for s in SIRETS[:6]]))
    assert [(e.line, e.field) for e in report.errors] == [(7, "")]
    assert "le fichier dépasse 5 lignes de données" in report.errors[0].reason
    assert report.error_count == 1
    assert caux.establishments.count() == 5  # the first file only


def test_an_xlsx_with_more_rows_than_the_limit_is_refused(caux, settings):
    settings.IMPORT_MAX_ROWS = 3
    report = _refused(caux, workbook(sheet_xml([COLUMNS, *[_template_row(s) for s in SIRETS[:4]]])))
    assert [(e.line, e.field) for e in report.errors] == [(5, "")]
    assert "dépasse 3 lignes" in report.errors[0].reason
    assert not caux.establishments.exists()


def test_empty_lines_count_against_the_limit_too(caux, settings):
    # A sheet can jump from row 2 to row 1,000,000: the rows in between are lines of the file.
    settings.IMPORT_MAX_ROWS = 100
    sheet = sheet_xml([COLUMNS, GOOD_ROW]).replace(b'<row r="2">', b'<row r="1000000">')
    sheet = sheet.replace(b'r="A2"', b'r="A1000000"')
    report = _refused(caux, workbook(sheet))
    assert report.errors[0].line == 102


def test_the_row_limit_is_a_setting_of_250_000_rows_by_default():
    from django.conf import settings

    from tremplin.establishments.importers import ImportLimits

    assert settings.IMPORT_MAX_ROWS == 250_000
    assert ImportLimits.from_settings().max_rows == 250_000
    assert ImportLimits.from_settings(max_rows=10, max_errors_listed=None).max_rows == 10


# --- Errors ----------------------------------------------------------------------------------------


def test_only_the_first_errors_are_listed_and_the_others_counted(caux, settings):
    settings.IMPORT_MAX_ERRORS_LISTED = 3
    rows = [_template_row(PAPETERIE), _template_row(PAPETERIE)]  # lines 2, 3: a duplicate on line 3
    rows += [_template_row(f"5001234500{n:04d}") for n in range(10, 18)]  # lines 4-11: 8 bad keys
    report = _refused(caux, _template_csv(rows))
    # The duplicate is found after the rows are read, yet listed in line order among the first three.
    assert [(e.line, e.field) for e in report.errors] == [(3, "siret"), (4, "siret"), (5, "siret")]
    assert "en double" in report.errors[0].reason and "Luhn" in report.errors[1].reason
    assert (report.error_count, report.errors_omitted) == (9, 6)


def test_a_file_whose_every_row_is_wrong_costs_a_counter_not_a_message_per_row(caux):
    rows = [["x"] * len(COLUMNS) for _ in range(2_000)]
    report = _refused(caux, _template_csv(rows))
    # 5 errors a row (SIRET, NAF code, band, commune, coordinates): the first 100 are those of lines 2-21.
    assert len(report.errors) == 100
    assert (report.errors[0].line, report.errors[-1].line) == (2, 21)
    assert report.error_count == 2_000 * 5


def test_the_error_log_keeps_the_first_lines_whatever_the_order_they_come_in():
    log = ErrorLog(limit=3)
    for line, field in [(8, "a"), (2, "b"), (9, "c"), (2, "d"), (1, "e"), (5, "f")]:
        log.add(RowError(line, field, "raison"))
    assert [(e.line, e.field) for e in log.listed] == [(1, "e"), (2, "b"), (2, "d")]
    assert (len(log), log.omitted) == (6, 3)


# --- XLSX: what it expands to ----------------------------------------------------------------------


def test_a_workbook_compressed_far_beyond_a_spreadsheet_is_refused_before_it_is_parsed(caux, monkeypatch):
    # The attack of the audit, scaled down: a header, then one identical one-cell row repeated.
    sheet = sheet_xml([COLUMNS, *[["x"]] * 150_000], numbered=False)
    data = workbook(sheet)
    assert len(data) < 60_000 and len(sheet) > 6_000_000  # small on disk, over 100 times larger inside
    _no_openpyxl(monkeypatch)
    report = _refused(caux, data)
    assert report.error_count == 1
    assert "xl/worksheets/sheet1.xml est compressé" in report.errors[0].reason
    assert "au plus 100" in report.errors[0].reason


def test_a_workbook_larger_than_the_limit_once_uncompressed_is_refused(caux, settings, monkeypatch):
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    rows = [COLUMNS, *[_template_row(f"{n:014d}", name=f"Atelier {n}") for n in range(12_000)]]
    data = workbook(sheet_xml(rows))
    _no_openpyxl(monkeypatch)
    report = _refused(caux, data)
    assert "une fois décompressé (au plus 1 Mo)" in report.errors[0].reason


def test_a_workbook_whose_directory_understates_a_size_is_refused_not_expanded(caux):
    rows = [COLUMNS, *[_template_row(s) for s in SIRETS]]
    data = with_understated_sheet_size(workbook(sheet_xml(rows)), declared=200)
    report = _refused(caux, data)
    assert "classeur XLSX illisible" in report.errors[0].reason
    assert not caux.establishments.exists()


def test_a_sheet_declaring_a_million_rows_and_every_column_costs_only_its_real_rows(caux):
    sheet = sheet_xml([COLUMNS, GOOD_ROW], dimension="A1:XFD1048576")
    report = _import(caux, workbook(sheet))
    assert (report.rows, report.created) == (1, 1)


def test_a_workbook_with_malformed_xml_is_refused_with_a_reason(caux):
    sheet = sheet_xml([COLUMNS, GOOD_ROW]).replace(b"Papeterie", b"Pape\x01terie")
    report = _refused(caux, workbook(sheet))
    assert "classeur XLSX illisible" in report.errors[0].reason


def test_a_zip_that_is_not_a_workbook_is_refused_with_a_reason(caux):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "bonjour")
    report = _refused(caux, out.getvalue())
    assert "classeur XLSX illisible" in report.errors[0].reason


# --- CSV -------------------------------------------------------------------------------------------


def test_a_csv_line_of_a_hundred_thousand_fields_is_refused_without_being_split(caux):
    data = _template_csv([_template_row(PAPETERIE)]) + b";" * 200_000 + b"\n"
    report = _refused(caux, data)
    assert [(e.line, e.field) for e in report.errors] == [(3, "")]
    assert "ligne trop longue" in report.errors[0].reason


def test_a_sirene_file_with_more_rows_than_the_limit_is_refused(caux, settings):
    settings.IMPORT_MAX_ROWS = 1
    report = _refused(caux, sirene_csv([sirene_row(PAPETERIE), sirene_row(LAITERIE)]), kind="sirene")
    assert report.errors[0].line == 3 and "dépasse 1 lignes" in report.errors[0].reason


def test_a_part_loaded_whole_has_a_smaller_cap_than_the_streamed_worksheets(caux, monkeypatch):
    # openpyxl streams worksheets but loads shared strings, styles and themes whole.
    from tremplin.establishments.importers import ImportLimits
    from tremplin.establishments.importers.template import read_template

    data = workbook(sheet_xml([COLUMNS, *[_template_row(f"{n:014d}") for n in range(200)]]))
    _no_openpyxl(monkeypatch)
    limits = ImportLimits(xlsx_max_part_bytes=8 * 1024)  # the sheet is larger, openpyxl's theme too
    with pytest.raises(FileFormatError) as refused:
        read_template(io.BytesIO(data), {"76476"}, limits=limits)
    assert "xl/theme/theme1.xml fait 9 Ko une fois décompressé (au plus 8 Ko)" in str(refused.value)
