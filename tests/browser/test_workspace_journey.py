"""The whole operational journey (issue 4), as the Caux Seine Agglo officer would go through it: import a
SIRENE sample, run a detection, accept a lead, carry it to operational, watch the indicators follow, see
the synergy on the map, freeze an RSO report and read its PDF."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.establishments.siret import luhn_check_digit
from tremplin.reports.models import ReportSnapshot
from tremplin.synergies.models import Synergy

pytestmark = pytest.mark.browser


def _siret(body: str) -> str:
    """A valid SIRET from an 8-digit SIREN body: SIREN Luhn key, NIC 0001, SIRET Luhn key."""
    siren = body + luhn_check_digit(body)
    return siren + "0001" + luhn_check_digit(siren + "0001")


BREWERY, FARM, SAWMILL = _siret("51112345"), _siret("51123456"), _siret("51134567")
HEADER = (
    "siret;etatAdministratifEtablissement;denominationUsuelleEtablissement;enseigne1Etablissement;"
    "activitePrincipaleEtablissement;trancheEffectifsEtablissement;codeCommuneEtablissement;"
    "coordonneeLambertAbscisseEtablissement;coordonneeLambertOrdonneeEtablissement"
)
# Real communes of Caux Seine Agglo, Lambert-93 points inside them: a brewery in Port-Jérôme-sur-Seine
# and a dairy farm in Lillebonne, 5 km apart (the engine's spent-grain substitution), a sawmill in Bolbec.
SAMPLE = "\n".join(
    [
        HEADER,
        f"{BREWERY};A;Brasserie de la Seine;;11.05Z;12;76476;526145;6936618",
        f"{FARM};A;;Ferme laitière de Lillebonne;01.41Z;01;76384;521194;6936738",
        f"{SAWMILL};A;Scierie de Bolbec;;16.10A;11;76114;517786;6944671",
    ]
)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _operational_tonnes(page) -> str:
    cell = page.locator('tr[data-figure="tonnes_diverted_per_year"] [data-value="operational_estimated"]')
    return cell.inner_text().split("\n")[0]


def test_from_a_sirene_file_to_an_rso_report(page, tmp_path):
    caux = factories.territory(CAUX_SEINE)
    factories.territory_officer(caux, email="officer@caux.example", first_name="Claire", last_name="Duval")
    sample = tmp_path / "sirene-caux.csv"
    sample.write_text(SAMPLE + "\n", encoding="utf-8")

    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/territoires/{caux.pk}/")

    # 1. Import the SIRENE sample through the establishments' import page.
    page.get_by_role("link", name="Établissements", exact=True).first.click()
    page.get_by_role("link", name="Importer un fichier").click()
    page.get_by_label("Fichier des établissements SIRENE").check()
    page.get_by_label("Fichier", exact=True).set_input_files(str(sample))
    page.get_by_role("button", name="Importer", exact=True).click()
    assert "3 établissements créés" in page.locator(".import-report").inner_text()
    assert caux.establishments.count() == 3

    # 2. Run a deductive detection from the interface and wait for its progress to finish.
    page.goto(f"/territoires/{caux.pk}/")
    page.get_by_role("link", name="Détection").click()
    page.get_by_label("Déductive (codes d'activité et effectifs)").check()
    page.get_by_role("button", name="Lancer la détection").click()
    page.get_by_role("progressbar", name="Avancement de la détection").wait_for()
    page.wait_for_selector('#run-progress[data-status="done"]')

    # 3. Accept the spent-grain lead into the pipeline.
    lead = page.locator("article.lead-card", has_text="Drêches de brasserie").first
    lead.get_by_role("button", name=re.compile("Accepter dans le pipeline")).click()
    assert page.get_by_role("alert").filter(has_text="maintenant dans le pipeline").is_visible()
    synergy = Synergy.objects.get(territory=caux)
    assert synergy.resource == "bio_spent_grain"
    assert {p.establishment.siret for p in synergy.participants.select_related("establishment")} == {
        BREWERY,
        FARM,
    }

    # Indicators before: nothing operational yet.
    page.get_by_role("link", name="Indicateurs").click()
    assert page.locator('[data-indicator="operational"]').inner_text() == "0"
    assert _digits(_operational_tonnes(page)) == "0"

    # 4. Both companies agree to be introduced (the pipeline requires it past "under study"), then carry it
    # to operational through the transitions of the board.
    page.goto(f"/synergies/{synergy.pk}/")
    for participant in synergy.participants.select_related("establishment"):
        page.get_by_role("button", name=f"Noter : accepte ({participant.establishment.name})").click()
    page.get_by_role("link", name="Synergies", exact=True).first.click()
    for move, status in (
        ("Qualifier", "qualified"),
        ("Lancer l'étude", "under_study"),
        ("Lancer la mise en œuvre", "being_implemented"),
        ("Déclarer opérationnelle", "operational"),
    ):
        page.get_by_role("button", name=re.compile(f"^{re.escape(move)}")).first.click()
        column = page.locator(f'section[data-status="{status}"]')
        assert column.get_by_role("link", name=re.compile("Drêches")).is_visible()
    synergy.refresh_from_db()
    assert synergy.status == "operational"
    assert list(synergy.history.values_list("to_status", flat=True)) == [
        "detected",
        "qualified",
        "under_study",
        "being_implemented",
        "operational",
    ]

    # 5. The indicators follow: the operational figures are the synergy's own estimates.
    page.get_by_role("link", name="Indicateurs").click()
    assert page.locator('[data-indicator="operational"]').inner_text() == "1"
    assert synergy.tonnes_diverted_per_year > 0
    assert _digits(_operational_tonnes(page)) == str(round(synergy.tonnes_diverted_per_year))
    co2 = page.locator('tr[data-figure="co2_avoided_t_per_year"] [data-value="operational_estimated"]')
    assert _digits(co2.inner_text().split("\n")[0]) == str(round(synergy.co2_avoided_t_per_year))

    # 6. The map draws the substitution as an operational line between the two sites.
    page.get_by_role("link", name="Carte").click()
    page.wait_for_selector("#workspace-map[data-loaded]")
    assert page.locator("#workspace-map").get_attribute("data-points") == "3"
    assert page.locator("#workspace-map").get_attribute("data-synergies") == "1"
    line = page.locator("path.synergy-link.synergy-substitution.status-operational")
    assert line.count() == 1
    assert "3 établissements affichés, 1 synergies tracées." in page.locator("#map-status").inner_text()
    assert page.locator('.map-legend li[data-status="operational"]').inner_text().strip() == "Opérationnelle"
    line.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    assert "Drêches de brasserie" in popup.inner_text()
    assert (
        popup.get_by_role("link", name="Ouvrir la synergie").get_attribute("href")
        == f"/synergies/{synergy.pk}/"
    )
    # The sector filter re-requests the points server-side: only the farm is in section A.
    page.get_by_label("Secteur (section NAF)").select_option("A")
    # (wait_for_selector, not wait_for_function: its polling evaluates a string, which the policy refuses)
    page.wait_for_selector("#workspace-map[data-points='1']")

    # 7. Freeze the RSO 1 report and download its PDF.
    page.get_by_role("link", name="Rapports").click()
    page.get_by_label("Réunion").select_option(label="Réunion de suivi opérationnel 1 (RSO 1)")
    page.get_by_role("button", name="Figer le rapport").click()
    assert page.get_by_role("heading", name="Réunion de suivi opérationnel 1 (RSO 1)").is_visible()
    assert page.locator('[data-indicator="pipeline.operational"] [data-value="current"]').inner_text() == "1"
    snapshot = ReportSnapshot.objects.get(territory=caux)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf_path = Path(download_info.value.path())
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf_path.read_bytes())).pages)
    flat = " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())  # table cells wrap
    assert "Réunion de suivi opérationnel 1 (RSO 1)" in flat
    assert "Drêches de brasserie" in flat
    assert "Brasserie de la Seine" in flat and "Ferme laitière de Lillebonne" in flat
    assert "Opérationnelle" in flat
    assert "Tonnes détournées de l'élimination" in flat
    tonnes = snapshot.aggregates["indicators"]["environment"]["tonnes_diverted_per_year"][
        "operational_estimated"
    ]
    assert round(tonnes) == round(synergy.tonnes_diverted_per_year)
    assert "Carte du territoire" in flat
