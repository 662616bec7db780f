"""The programme team's map of the territories' potential: EPCIs drawn and coloured, a legend, tooltips
that show a hostile EPCI name from the loaded file literally, under the Content-Security-Policy."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_hostile_names import KEEP_MAPS, OPEN_EVERYTHING
from tests.programme import national_files as nf
from tremplin.geo.models import Epci
from tremplin.potentials.services import load_release

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror=alert(14)> Caux "Seine"'
EMAIL = "programme.potential@region.example"


def test_the_potential_map_colours_the_epcis_and_shows_names_literally(page):
    Epci.objects.filter(siren=nf.CAEN).update(boundary_geojson="")  # in the table, not on the map
    load_release("potentials.csv", nf.csv_bytes(nf.rows(**{nf.CAUX_SEINE: {"name": HOSTILE}})), by=None)
    factories.programme_team_member(email=EMAIL)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.add_init_script(KEEP_MAPS)
    log_in(page, EMAIL, factories.PASSWORD)
    page.goto("/programme/gestion/potentiel/")
    page.wait_for_selector("#potential-map[data-loaded]")
    assert page.get_attribute("#potential-map", "data-loaded") == "4"
    status = page.locator("#potential-map-status").text_content()
    assert "4 EPCI dessinés sur la carte ; 1 sans contour" in status
    # Leads per 100 establishments: four classes (2,5 · 4,0 · 7,5 · 10,0) and Alençon without a value.
    assert page.locator("#potential-map-legend li").all_text_contents() == [
        " 2,5",
        " 4,0",
        " 7,5",
        " 10,0",
        " sans valeur",
    ]
    assert page.locator("path.leaflet-interactive").count() == 4
    opened = page.evaluate(OPEN_EVERYTHING)
    assert opened["injected"] == 0
    assert any(
        text.startswith(HOSTILE) and "7,5 pistes pour 100 établissements" in text for text in opened["texts"]
    )
    assert page.locator("tr[data-epci] th").first.text_content().startswith("Le Havre Seine Métropole")
    # Choosing another figure recolours the map and keeps the table's filters.
    page.get_by_label("Colorer la carte selon").select_option("gain_eur_per_year")
    page.get_by_label("Région").select_option("28")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_selector("#potential-map[data-loaded='3']")
    assert page.locator("tr[data-epci]").count() == 4
    assert dialogs == []
    assert page.csp_violations == []
