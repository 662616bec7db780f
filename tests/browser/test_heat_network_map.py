"""The workspace map draws the territory's heat networks as a layer; a hostile name from the imported file
is shown literally in its popup and never runs (under the Content-Security-Policy)."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.browser.test_hostile_names import KEEP_MAPS, OPEN_EVERYTHING
from tests.conftest import CAUX_SEINE
from tests.heatnetworks.samples import collection, feature
from tests.heatnetworks.test_import import _trace_in
from tremplin.heatnetworks.services import import_heat_networks

pytestmark = pytest.mark.browser

NETWORK = '<img src=x onerror=alert(6)> Réseau "du Port"'
OPERATOR = "<svg onload=alert(7)> Régie"
OFFICER = "officer.heat@caux.example"


def test_the_heat_network_layer_is_drawn_and_its_popup_shows_names_literally(page):
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, email=OFFICER)
    content = collection(feature(_trace_in(caux), nom_reseau=NETWORK, Gestionnaire=OPERATOR))
    import_heat_networks(caux, content, by=officer, filename="reseaux.geojson")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.add_init_script(KEEP_MAPS)
    log_in(page, OFFICER, factories.PASSWORD)
    page.goto(f"/territoires/{caux.pk}/carte/")
    page.wait_for_selector("#workspace-map[data-loaded]")
    assert page.get_attribute("#workspace-map", "data-heat-networks") == "1"
    assert page.locator("path.heat-network-trace").count() == 1
    assert page.get_by_text("Réseaux de chaleur", exact=True).count() == 1  # the layer control
    opened = page.evaluate(OPEN_EVERYTHING)
    assert opened["injected"] == 0
    # French digit grouping is a narrow no-break space: compare without spaces.
    # The network's record is also a point among the establishments; its trace's popup names the operator.
    shown = [text for text in opened["texts"] if text.startswith(NETWORK) and OPERATOR in text]
    assert shown, opened["texts"]
    assert "24000MWh" in "".join(shown[0].replace("\u202f", " ").split())
    assert dialogs == []
    assert page.csp_violations == []
