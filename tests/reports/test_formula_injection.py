"""Formula injection: text typed by officers and company contacts (or imported) that starts like a
formula is written as text in every export, while numbers, negative ones included, stay numbers."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.establishments.importers.template import example_row, template_csv, template_xlsx
from tremplin.establishments.models import Establishment
from tremplin.flows.models import Flow
from tremplin.reports.exports import SHEETS
from tremplin.synergies.models import Synergy

pytestmark = pytest.mark.django_db

# Short enough for every text column exported (naf_code holds 6 characters on PostgreSQL).
PAYLOADS = ["=1+1", "+1+1", "-1+1", "@A1", "\t=1", "\r=1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+([.,]\d*)?([eE][+-]?\d+)?")


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


def _hostile_territory(caux, payload):
    """Every text field the exports read holds ``payload`` (written as an import or a form bypassing
    validation would); one establishment sits at a negative longitude and one flow has a negative cost."""
    brewery, farm = factories.brewery_and_farm(caux)
    factories.flow(brewery, resource="bio_spent_grain", quantity=80, unit="t", current_route="Collecte")
    factories.flow(farm, direction="in", resource="bio_spent_grain", quantity=2, unit="t")
    factories.operational_synergy(caux, participants=(brewery, farm), resource_label="Drêches")
    Establishment.objects.filter(pk=brewery.pk).update(
        name=payload, siret=payload, naf_code=payload, longitude=-0.36125
    )
    Establishment.objects.filter(pk=farm.pk).update(name=f"{payload} ferme")
    Flow.objects.filter(establishment__territory=caux).update(
        unit=payload, frequency=payload, current_route=payload, current_cost_eur_per_year=-150
    )
    Synergy.objects.filter(territory=caux).update(rule=payload, resource_label=payload, unit=payload)


def _assert_no_live_formula(rows, where):
    for line, row in enumerate(rows, start=1):
        for value in row:
            if isinstance(value, str) and value.startswith(TRIGGERS):
                assert NUMBER.fullmatch(value), f"{where}, row {line}: {value!r} would run as a formula"


def _xlsx(client, caux):
    response = client.get(reverse("territory_export_xlsx", kwargs={"territory_pk": caux.pk}))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.getvalue()))  # not read-only: cell types are visible


def _csv(client, caux, slug):
    response = client.get(reverse("territory_export_csv", kwargs={"territory_pk": caux.pk, "sheet": slug}))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _read_back(payload):
    """The neutralised text as openpyxl reads it back (XML turns a carriage return into a line feed)."""
    return "'" + payload.replace("\r", "\n")


def _by_header(rows):
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_the_workbook_writes_formula_like_text_as_text(client, caux, officer, payload):
    _hostile_territory(caux, payload)
    client.force_login(officer)
    workbook = _xlsx(client, caux)
    text = _read_back(payload)
    for sheet in workbook.worksheets:
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"], sheet.title
        _assert_no_live_formula(sheet.iter_rows(values_only=True), sheet.title)

    establishments = _by_header(list(workbook["Établissements"].iter_rows(values_only=True)))
    brewery = next(row for row in establishments if row["SIRET"] == text)
    assert (brewery["Nom"], brewery["Code NAF"]) == (text, text)
    assert brewery["Longitude"] == -0.36125  # a number, not text
    assert {row["Nom"] for row in establishments} == {text, f"{text} ferme"}
    flows = _by_header(list(workbook["Flux"].iter_rows(values_only=True)))
    assert {(r["Unité"], r["Fréquence"], r["Filière actuelle"]) for r in flows} == {(text,) * 3}
    assert [r["Coût actuel (€/an)"] for r in flows] == [-150.0, -150.0]
    (synergy,) = _by_header(list(workbook["Synergies"].iter_rows(values_only=True)))
    assert (synergy["Règle"], synergy["Ressource"], synergy["Unité"]) == (text,) * 3
    assert synergy["Participants"].startswith(text)


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_the_csv_files_write_formula_like_text_as_text(client, caux, officer, payload):
    _hostile_territory(caux, payload)
    client.force_login(officer)
    files = {spec.slug: _csv(client, caux, spec.slug) for spec in SHEETS}
    for slug, rows in files.items():
        _assert_no_live_formula(rows, slug)

    establishments = _by_header(files["etablissements"])
    assert {row["Nom"] for row in establishments} == {"'" + payload, f"'{payload} ferme"}
    brewery = next(row for row in establishments if row["Nom"] == "'" + payload)
    assert (brewery["SIRET"], brewery["Code NAF"], brewery["Longitude"]) == ("'" + payload,) * 2 + (
        "-0.36125",
    )
    flows = _by_header(files["flux"])
    assert {(r["Unité"], r["Fréquence"], r["Filière actuelle"], r["Coût actuel (€/an)"]) for r in flows} == {
        ("'" + payload, "'" + payload, "'" + payload, "-150.0")
    }
    (synergy,) = _by_header(files["synergies"])
    assert (synergy["Règle"], synergy["Ressource"], synergy["Unité"]) == ("'" + payload,) * 3
    assert synergy["Participants"].startswith("'" + payload)


def test_a_control_character_in_a_name_does_not_break_the_workbook(client, caux, officer):
    establishment = factories.establishment(caux)
    # (PostgreSQL refuses NUL in text, SQLite stores it; imports and forms refuse both, see
    # tests/establishments/test_import_control_characters.py, so \x01 and ESC stand for them here.)
    Establishment.objects.filter(pk=establishment.pk).update(name="Scierie\x01 du\x1b Port")
    client.force_login(officer)
    rows = _by_header(list(_xlsx(client, caux)["Établissements"].iter_rows(values_only=True)))
    assert [row["Nom"] for row in rows] == ["Scierie\ufffd du\ufffd Port"]


def test_the_import_template_keeps_negative_coordinates_as_numbers():
    example = example_row("76476", 49.51234, -0.36125)
    csv_text = template_csv(example).decode("utf-8-sig")
    assert csv_text.splitlines()[1].endswith(";49.51234;-0.36125")
    sheet = load_workbook(io.BytesIO(template_xlsx(example))).active
    assert [cell.value for cell in sheet[2]][-2:] == ["49.51234", "-0.36125"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=repr)
def test_the_import_template_writes_formula_like_text_as_text(payload):
    example = [payload] * 8
    rows = list(csv.reader(io.StringIO(template_csv(example).decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'" + payload] * 8
    sheet = load_workbook(io.BytesIO(template_xlsx(example))).active
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [(_read_back(payload), "s")] * 8
