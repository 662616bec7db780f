"""An officer corrects an establishment by hand, re-imports the territory's file saved by Excel
(Windows-1252), reads the preview, takes the file's value for one correction and confirms."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.establishments.models import Establishment
from tremplin.establishments.services import update_establishment

pytestmark = pytest.mark.browser

HEADER = "siret;nom;code_naf;tranche_effectifs;code_commune;adresse;latitude;longitude"
FIRST = f"""{HEADER}
50012345000016;Papeterie de la Seine;17.12Z;22;76476;1 quai de l'Écluse;;
50023456200014;Laiterie de Lillebonne;10.51A;12;76384;;;
"""
SECOND = f"""{HEADER}
50012345000016;Papeterie de Port-Jérôme;17.12Z;31;76476;;;
50023456200014;Laiterie de Lillebonne;10.51A;12;76384;;;
"""


def test_an_officer_previews_a_reimport_and_chooses_which_correction_to_replace(page, tmp_path):
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, email="officer@caux.example")
    first, second = tmp_path / "etablissements.csv", tmp_path / "etablissements-2026.csv"
    first.write_text(FIRST, encoding="cp1252")
    second.write_text(SECOND, encoding="cp1252")

    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/territoires/{caux.pk}/etablissements/importer/")
    page.get_by_label("Modèle de la plateforme (CSV ou XLSX)").check()
    page.get_by_label("Fichier", exact=True).set_input_files(str(first))
    page.get_by_role("button", name="Importer", exact=True).click()
    report = page.locator(".import-report")
    assert "2 établissements créés" in report.inner_text()  # a first import: nothing to ask
    assert "Fichier lu en Windows-1252" in report.inner_text()

    papeterie = Establishment.objects.get(siret="50012345000016")
    update_establishment(papeterie, by=officer, name="Papeterie de la Seine (site nord)", headcount_band="21")

    page.goto(f"/territoires/{caux.pk}/etablissements/importer/")
    page.get_by_label("Modèle de la plateforme (CSV ou XLSX)").check()
    page.get_by_label("Fichier", exact=True).set_input_files(str(second))
    page.get_by_role("button", name="Importer", exact=True).click()
    preview = page.locator(".import-preview")
    assert "Ce que l'import de etablissements-2026.csv va changer" in preview.inner_text()
    assert "2 champs corrigés à la main seront conservés" in preview.inner_text()
    rows = preview.locator(".preview-updates tbody tr")
    assert rows.count() == 2
    assert "Papeterie de la Seine (site nord)" in rows.nth(0).inner_text()
    assert "Papeterie de Port-Jérôme" in rows.nth(0).inner_text()
    assert Establishment.objects.get(pk=papeterie.pk).name == "Papeterie de la Seine (site nord)"

    # Take the file's headcount band, keep the corrected name.
    preview.locator('input[name="take"][value="50012345000016:headcount_band"]').check()
    page.get_by_role("button", name="Confirmer l'import").click()
    report = page.locator(".import-report")
    assert "1 champ corrigé à la main conservé" in report.inner_text()
    papeterie.refresh_from_db()
    assert (papeterie.name, papeterie.headcount_band) == ("Papeterie de la Seine (site nord)", "31")

    page.goto(f"/etablissements/{papeterie.pk}/")
    assert "Un import a modifié l'établissement" in page.locator("#history").locator("..").inner_text()
