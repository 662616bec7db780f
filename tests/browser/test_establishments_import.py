"""A territory officer imports a SIRENE sample, reads the report, finds the establishments in the list;
a large file goes to the background worker and its page follows it."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.browser

# Valid SIRETs (SIREN 8 digits + Luhn key, NIC 0001 + the SIRET's Luhn key), real communes of Caux Seine
# Agglo, Lambert-93 coordinates inside them; one closed establishment and one in Le Havre (outside).
SAMPLE = """siret;etatAdministratifEtablissement;denominationUsuelleEtablissement;enseigne1Etablissement;\
activitePrincipaleEtablissement;trancheEffectifsEtablissement;codeCommuneEtablissement;\
coordonneeLambertAbscisseEtablissement;coordonneeLambertOrdonneeEtablissement
50012345000016;A;Papeterie de la Seine;;17.12Z;22;76476;526145;6936618
50023456200014;A;;Laiterie de Lillebonne;10.51A;12;76384;521194;6936738
50034567300015;A;Scierie de Bolbec;;16.10A;03;76114;[ND];[ND]
50045678500012;F;Ancienne fonderie;;24.51Z;11;76476;;
50056789600013;A;Docks havrais;;52.24A;31;76351;490424;6936565
"""

BROKEN = SAMPLE.replace("50023456200014", "50023456200015").replace("16.10A", "16.99Z")


def test_an_officer_imports_a_sirene_sample_and_finds_the_establishments(page, tmp_path):
    caux = factories.territory(CAUX_SEINE)
    factories.territory_officer(caux, email="officer@caux.example")
    good, broken = tmp_path / "sirene-caux.csv", tmp_path / "sirene-casse.csv"
    good.write_text(SAMPLE, encoding="utf-8")
    broken.write_text(BROKEN, encoding="utf-8")

    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/territoires/{caux.pk}/etablissements/")
    page.get_by_role("link", name="Importer un fichier").click()

    # A broken file first: every bad row is named, nothing is imported.
    page.get_by_label("Fichier des établissements SIRENE").check()
    page.get_by_label("Fichier", exact=True).set_input_files(str(broken))
    page.get_by_role("button", name="Importer", exact=True).click()
    errors = page.locator(".import-errors")
    assert "sirene-casse.csv a été refusé : 2 erreurs. Rien n'a été importé." in errors.inner_text()
    rows = errors.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().startswith("3")
    assert "Luhn" in rows.nth(0).inner_text()
    assert rows.nth(1).inner_text().startswith("4") and "16.99Z" in rows.nth(1).inner_text()
    assert not caux.establishments.exists()

    # The good file: the report counts what was created and skipped.
    page.get_by_label("Fichier", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Importer", exact=True).click()
    report = page.locator(".import-report")
    assert "3 établissements créés" in report.inner_text()
    assert "2 lignes ignorées (1 fermés, 1 hors du territoire)" in report.inner_text()
    assert "1 établissement sans coordonnées a été placé en un point de sa commune" in report.inner_text()

    report.get_by_role("link", name="Voir les établissements").click()
    assert page.locator('[data-count="3"]').is_visible()
    table = page.locator(".establishment-table")
    for name in ("Papeterie de la Seine", "Laiterie de Lillebonne", "Scierie de Bolbec"):
        assert table.get_by_role("link", name=name).is_visible()
    assert "Docks havrais" not in table.inner_text()

    # Filter by commune, then open one establishment: its origin and its map.
    page.get_by_label("Commune").select_option("76384")
    page.get_by_role("button", name="Rechercher").click()
    assert page.locator('[data-count="1"]').is_visible()
    page.get_by_role("link", name="Laiterie de Lillebonne").click()
    page.get_by_role("heading", name="Laiterie de Lillebonne").wait_for()  # the page has loaded
    assert "Données du répertoire SIRENE (Insee), importées le" in page.locator(".origin-line").inner_text()
    page.wait_for_selector("#establishment-map[data-loaded]")


def test_a_large_import_runs_in_the_background_and_its_page_follows_it(page, tmp_path, settings):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_INLINE_MAX_BYTES = 10  # every file is "large" here
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    caux = factories.territory(CAUX_SEINE)
    factories.territory_officer(caux, email="officer@caux.example")
    good = tmp_path / "sirene-caux.csv"
    good.write_text(SAMPLE, encoding="utf-8")

    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/territoires/{caux.pk}/etablissements/importer/")
    page.get_by_label("Fichier des établissements SIRENE").check()
    page.get_by_label("Fichier", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="Importer", exact=True).click()

    # The worker has not run yet: the page says so and keeps asking.
    status = page.locator("#import-status")
    assert status.get_attribute("data-status") == "queued"
    assert "En attente du processus d'arrière-plan" in status.inner_text()
    assert not caux.establishments.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    # Without reloading, the page shows the outcome, then stops asking.
    report = page.locator(".import-report")
    report.wait_for()
    assert "3 établissements créés" in report.inner_text()
    assert page.locator("#import-status").get_attribute("hx-get") is None
    assert caux.establishments.count() == 3
