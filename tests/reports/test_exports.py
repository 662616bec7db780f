"""Data exports read back: the XLSX workbook with openpyxl, the CSV files with the csv module."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.reports.exports import SHEETS

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
    factories.flow(brewery, resource="bio_spent_grain", quantity=80, unit="t")
    factories.flow(farm, direction="in", resource="bio_spent_grain", quantity=2, unit="t", frequency="month")
    synergy = factories.operational_synergy(
        caux,
        participants=(brewery, farm),
        resource_label="Drêches",
        gain_eur_per_year=10_000,
        revenue_eur_per_year=4_000,
        tonnes_diverted_per_year=100,
        co2_avoided_t_per_year=20,
    )
    factories.measurement(synergy, year=2025, tonnes_diverted=80, eur_saved=5_000)
    return {"brewery": brewery, "farm": farm, "synergy": synergy}


def _workbook(client, caux):
    response = client.get(reverse("territory_export_xlsx", kwargs={"territory_pk": caux.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="tremplin-200010700.xlsx"'
    return load_workbook(io.BytesIO(response.getvalue()), read_only=True)


def _rows(sheet):
    """Rows padded to the header's width (read-only mode drops trailing empty cells)."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    width = len(rows[0]) if rows else 0
    return [row + [None] * (width - len(row)) for row in rows]


def test_the_workbook_has_three_sheets_and_their_sources(client, caux, officer, data):
    client.force_login(officer)
    workbook = _workbook(client, caux)
    assert workbook.sheetnames == ["Établissements", "Flux", "Synergies", "Sources"]
    sources = _rows(workbook["Sources"])
    assert sources[0] == ["Feuille", "Colonne", "Signification", "Base / source"]
    described = {(row[0], row[1]) for row in sources[1:] if row[1]}
    for spec in SHEETS:
        assert {(spec.title, c.header) for c in spec.columns} <= described


def test_the_establishments_sheet(client, caux, officer, data):
    client.force_login(officer)
    rows = _rows(_workbook(client, caux)["Établissements"])
    header = rows[0]
    assert header[:5] == ["SIRET", "Nom", "Code NAF", "Activité", "Section NAF"]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Brasserie des Falaises", "Ferme laitière du Plateau"}
    brewery = by_name["Brasserie des Falaises"]
    assert (brewery["SIRET"], brewery["Code NAF"], brewery["Section NAF"]) == (
        data["brewery"].siret,
        "11.05Z",
        "C",
    )
    assert brewery["Démonstration"] == "non"


def test_the_flows_sheet_gives_quantities_per_year_and_their_basis(client, caux, officer, data):
    client.force_login(officer)
    rows = _rows(_workbook(client, caux)["Flux"])
    header = rows[0]
    flows = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(flows) == 2
    farm = next(f for f in flows if f["Établissement"] == "Ferme laitière du Plateau")
    assert (farm["Quantité"], farm["Unité"], farm["Fréquence"]) == (2, "t", "month")
    assert farm["Quantité par an"] == 24  # 2 t a month
    assert farm["Base"] == "déclaré"
    assert farm["Confidentiel"] == "oui"


def test_the_synergies_sheet_keeps_estimated_and_measured_apart(client, caux, officer, data):
    client.force_login(officer)
    rows = _rows(_workbook(client, caux)["Synergies"])
    header = rows[0]
    (synergy,) = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert synergy["Identifiant"] == data["synergy"].pk
    assert synergy["Statut"] == "Opérationnelle"
    assert synergy["Gain estimé (€/an)"] == 10_000
    assert synergy["dont recettes (€/an)"] == 4_000
    assert synergy["Tonnes détournées (estimé, t/an)"] == 100
    assert synergy["Année mesurée"] == 2025
    assert synergy["Tonnes détournées (mesuré)"] == 80
    assert "Brasserie des Falaises" in synergy["Participants"]


def test_each_sheet_downloads_as_csv(client, caux, officer, data):
    client.force_login(officer)
    response = client.get(reverse("territory_export_csv", kwargs={"territory_pk": caux.pk, "sheet": "flux"}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["SIRET", "Établissement", "Sens"]
    assert len(rows) == 3
    unknown = reverse("territory_export_csv", kwargs={"territory_pk": caux.pk, "sheet": "secrets"})
    assert client.get(unknown).status_code == 404


def test_the_synergies_sheet_cites_the_sources_of_its_estimates_readably(client, caux, officer):
    from tremplin.synergies.detection import accept_lead, start_detection

    factories.brewery_and_farm(caux)
    run = start_detection(caux, mode="deductive", by=officer)
    lead = run.leads.filter(resource="bio_spent_grain").first()
    accept_lead(lead, by=officer)
    client.force_login(officer)
    rows = _rows(_workbook(client, caux)["Synergies"])
    header = rows[0]
    (synergy,) = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    cited = synergy["Sources des chiffres estimés"]
    titles = [ref["title"] for ref in lead.data["references"]]
    assert titles and all(title in cited for title in titles)
    assert not any(ref["key"] in cited.split(" ; ") for ref in lead.data["references"])  # never a key
