"""The streamed XLSX export: the same cells as the workbook openpyxl built before, and bytes that leave
before the last rows are read."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin import xlsx_stream
from tremplin.reports import exports
from tremplin.spreadsheets import xlsx_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def data(caux):
    brewery, farm = factories.brewery_and_farm(caux)
    brewery.met_on = dt.date(2025, 3, 14)
    brewery.name = '=HYPERLINK("https://example.org")\tBrasserie'
    brewery.save()
    factories.flow(brewery, resource="bio_spent_grain", quantity=80, unit="t", current_route="@route")
    factories.flow(farm, direction="in", resource="bio_spent_grain", quantity=2, unit="t", frequency="month")
    synergy = factories.operational_synergy(
        caux,
        participants=(brewery, farm),
        resource_label="Drêches & <cie>",
        gain_eur_per_year=10_000.5,
        revenue_eur_per_year=4_000,
        tonnes_diverted_per_year=100,
        co2_avoided_t_per_year=20,
    )
    factories.measurement(synergy, year=2025, tonnes_diverted=80, eur_saved=5_000)
    factories.synergy(caux, participants=(brewery, farm), status="abandoned")


def _openpyxl_workbook(territory) -> bytes:
    """The export as it was built before it was streamed: openpyxl's write-only workbook."""
    workbook = Workbook(write_only=True)
    for spec in exports.SHEETS:
        worksheet = workbook.create_sheet(spec.title)
        worksheet.append(xlsx_row(column.header for column in spec.columns))
        for row in spec.rows(territory):
            worksheet.append(xlsx_row(row))
    sources = workbook.create_sheet("Sources")
    for row in exports._sources_rows(territory):
        sources.append(xlsx_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cells(content: bytes) -> dict:
    workbook = load_workbook(io.BytesIO(content))  # not read-only: types and number formats are read
    return {
        sheet.title: [
            [(cell.value, cell.data_type, cell.is_date) for cell in row] for row in sheet.iter_rows()
        ]
        for sheet in workbook.worksheets
    }


def test_the_streamed_workbook_has_the_cells_of_the_one_openpyxl_built(client, caux, officer, data):
    client.force_login(officer)
    response = client.get(reverse("territory_export_xlsx", kwargs={"territory_pk": caux.pk}))
    assert response.status_code == 200 and response.streaming
    assert response["Cache-Control"] == "private, no-store"
    streamed, before = _cells(response.getvalue()), _cells(_openpyxl_workbook(caux))
    assert list(streamed) == ["Établissements", "Flux", "Synergies", "Sources"]
    differences = [
        (title, line, column, cell, before[title][line][column])
        for title, rows in streamed.items()
        for line, row in enumerate(rows)
        for column, cell in enumerate(row)
        if line >= len(before[title])
        or column >= len(before[title][line])
        or cell != before[title][line][column]
    ]
    assert not differences
    assert streamed == before
    establishments = streamed["Établissements"]
    brewery = next(row for row in establishments if row[1][0].startswith("'="))
    # Formula neutralised, the date a date, as before.
    assert brewery[1][0] == '\'=HYPERLINK("https://example.org")\tBrasserie'
    assert brewery[14] == (dt.datetime(2025, 3, 14), "d", True)
    assert len(streamed["Synergies"]) == 3  # header and two synergies


def test_the_first_bytes_leave_before_the_rows_are_read():
    read = []

    def rows():
        for n in range(3 * xlsx_stream.ROWS_PER_CHUNK):
            read.append(n)
            yield [f"ligne {n}", n, n / 3]

    chunks = xlsx_stream.stream_workbook([("Feuille", rows())])
    first = next(chunks)
    assert first.startswith(b"PK") and read == []
    rest, handed_out_while_reading = [], False
    for chunk in chunks:
        rest.append(chunk)
        handed_out_while_reading |= bool(chunk) and 0 < len(read) < 3 * xlsx_stream.ROWS_PER_CHUNK
    assert handed_out_while_reading
    sheet = load_workbook(io.BytesIO(first + b"".join(rest)))["Feuille"]
    assert sheet.max_row == 3 * xlsx_stream.ROWS_PER_CHUNK
    assert [cell.value for cell in sheet[1500]] == ["ligne 1499", 1499, 1499 / 3]


def test_a_streamed_workbook_reads_back_with_every_kind_of_value():
    rows = [
        ["Texte", "Entier", "Réel", "Décimal", "Booléen", "Date", "Date et heure", "Vide", "Après"],
        [
            "a < b & c",
            3,
            -0.36123,
            Decimal("12.50"),
            True,
            dt.date(2024, 2, 29),
            dt.datetime(2024, 1, 2, 3, 4, 5),
            None,
            " x ",
        ],
    ]
    content = b"".join(xlsx_stream.stream_workbook([("Valeurs", iter(rows)), ("Vide", iter([]))]))
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Valeurs", "Vide"]
    values = [[cell.value for cell in row] for row in workbook["Valeurs"].iter_rows()]
    assert values[1] == [
        "a < b & c",
        3,
        -0.36123,
        12.5,
        True,
        dt.datetime(2024, 2, 29),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        None,
        " x ",
    ]


def test_a_time_zone_is_refused_rather_than_shifted():
    rows = [[dt.datetime(2024, 1, 1, tzinfo=dt.UTC)]]
    with pytest.raises(TypeError):
        b"".join(xlsx_stream.stream_workbook([("Feuille", iter(rows))]))
