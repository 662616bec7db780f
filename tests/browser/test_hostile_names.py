"""Stored XSS through the maps (issue 9, item 3): names typed by users or imported, written to look like
markup, are shown literally in every map tooltip and popup and never run.

Each map page is visited twice: once as browsers see it, under the Content-Security-Policy (which the
``page`` fixture fails on any violation of), and once with the policy switched off, to prove the
scripts' escaping on its own (a policy is a second line, not the fix).
"""

import json

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.coaching.models import DeliverableKind, PerimeterMode
from tremplin.coaching.services import deliverables as coaching
from tremplin.geo.models import Commune

pytestmark = pytest.mark.browser

BREWERY = '"><img src=x onerror=alert(1)> Brasserie'
SAWMILL = "<svg onload=alert(2)> Scierie & fils"
LABEL = "</script><script>alert(3)</script> Drêches"
COMMUNE = "<b onmouseover=alert(4)>Bolbec</b>"
ZONE = "<img src=y onerror=alert(5)> ZA du Port"
OFFICER = "officer@caux.example"

# Runs before any page script: keeps every Leaflet map a page makes, so the test can open each
# tooltip and popup through Leaflet itself (the establishments are drawn on a canvas).
KEEP_MAPS = """
(function () {
  var leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get: function () { return leaflet; },
    set: function (value) {
      leaflet = value;
      if (value && value.Map && !value.__keptMaps) {
        value.__keptMaps = true;
        window.__leafletMaps = [];
        value.Map.addInitHook(function () { window.__leafletMaps.push(this); });
      }
    }
  });
})();
"""

# Opens every tooltip and popup of every map; returns their texts and the elements they hold.
OPEN_EVERYTHING = """
() => {
  const texts = [];
  for (const map of window.__leafletMaps) {
    const layers = [];
    map.eachLayer((layer) => layers.push(layer));
    for (const layer of layers) {
      if (layer.getTooltip && layer.getTooltip() && layer._map) { layer.openTooltip(); }
    }
    document.querySelectorAll(".leaflet-tooltip").forEach((tooltip) => texts.push(tooltip.textContent));
    // Popups one at a time (opening one closes the other), the clustered establishments' too.
    const popups = [];
    for (const layer of layers) {
      if (layer.getPopup && layer.getPopup()) { popups.push(layer); }
      if (layer.getAllChildMarkers) { popups.push(...layer.getAllChildMarkers()); }  // a cluster
    }
    for (const layer of popups) {
      const popup = layer.getPopup();
      if (!popup) { continue; }
      map.openPopup(popup, layer.getLatLng ? layer.getLatLng() : layer.getCenter());
      // This popup's own element: the one it replaces fades out, still in the page for a moment.
      texts.push(popup.getElement().querySelector(".leaflet-popup-content").textContent);
    }
  }
  const injected = document.querySelectorAll(
    ".leaflet-pane img:not(.leaflet-tile), .leaflet-pane script, .leaflet-tooltip svg, .leaflet-popup svg, " +
    ".leaflet-pane b, img[src='x'], img[src='y']"
  ).length;
  return { texts: texts, injected: injected, maps: window.__leafletMaps.length };
}
"""


@pytest.fixture
def hostile_world():
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, email=OFFICER)
    first_commune = caux.epci.communes.order_by("insee_code").first()
    Commune.objects.filter(pk=first_commune.pk).update(name=COMMUNE)
    brewery, farm = factories.brewery_and_farm(caux)
    brewery.name = BREWERY
    brewery.save(update_fields=["name"])
    farm.name = SAWMILL
    farm.location_precision = "commune"
    farm.save(update_fields=["name", "location_precision"])
    factories.synergy(caux, participants=(brewery, farm), resource_label=LABEL, status="qualified")

    participation = factories.coaching_participation(factories.coaching_call(), caux)
    deliverables = {d.kind: d for d in coaching.ensure_deliverables(participation)}
    ring = [[0.45, 49.50], [0.55, 49.50], [0.55, 49.56], [0.45, 49.56], [0.45, 49.50]]
    zones = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"name": ZONE},
            }
        ],
    }
    coaching.save_perimeter(
        deliverables[DeliverableKind.W2_PERIMETER],
        mode=PerimeterMode.ZONES,
        zones_geojson=json.dumps(zones),
        by=officer,
    )
    return {
        "establishment (point)": (f"/etablissements/{brewery.pk}/", "#establishment-map", [BREWERY]),
        "establishment (commune)": (f"/etablissements/{farm.pk}/", "#establishment-map", [SAWMILL]),
        "territory": (f"/territoires/{caux.pk}/", "#territory-map", [COMMUNE]),
        "workspace map": (
            f"/territoires/{caux.pk}/carte/",
            "#workspace-map",
            [BREWERY, SAWMILL, LABEL],
        ),
        "perimeter": (
            f"/accompagnement/participations/{participation.pk}/livrables/w2_perimeter/",
            "#perimeter-map",
            [ZONE, COMMUNE],
        ),
    }


@pytest.fixture
def unguarded_page(chromium, live_server):
    """A tab with the Content-Security-Policy switched off: only the scripts' escaping protects it."""
    context = chromium.new_context(locale="fr-FR", base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    context.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(params=["under the policy", "without the policy"])
def any_page(request):
    return request.getfixturevalue("page" if request.param == "under the policy" else "unguarded_page")


def _visit_every_map(page, world):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.context.add_init_script(KEEP_MAPS)
    log_in(page, OFFICER, factories.PASSWORD)
    seen = {}
    for name, (url, selector, expected) in world.items():
        page.goto(url)
        page.wait_for_selector(f"{selector}[data-loaded]")
        opened = page.evaluate(OPEN_EVERYTHING)
        assert opened["maps"] == 1, name
        seen[name] = (opened, expected)
    return dialogs, seen


def test_hostile_names_show_literally_and_never_run_on_any_map(any_page, hostile_world):
    dialogs, seen = _visit_every_map(any_page, hostile_world)
    for name, (opened, expected) in seen.items():
        assert opened["injected"] == 0, f"{name}: markup from a name became elements"
        for text in expected:
            assert any(text in shown for shown in opened["texts"]), f"{name}: {text!r} not shown literally"
    # The synergy popup names its participants, each establishment's popup its own name.
    workspace = seen["workspace map"][0]["texts"]
    assert any(text.startswith(LABEL) and BREWERY in text and SAWMILL in text for text in workspace)
    for establishment in (BREWERY, SAWMILL):
        assert any(
            text.startswith(establishment) and "Ouvrir la fiche de l'établissement" in text
            for text in workspace
        )
    assert dialogs == []
