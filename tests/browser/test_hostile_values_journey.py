"""Re-audit in a browser (issue 9): markup typed into the text fields of every kind of record (an
establishment, its contacts and flows, a synergy's actions and notes, coaching deliverables, a good
practice, a report, an application) is shown as text on every page that shows it, maps included, and
never runs: no dialog opens and no element comes out of it, under the Content-Security-Policy and with
the policy switched off (the templates' and scripts' escaping on its own)."""

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.www.world import build_world

pytestmark = pytest.mark.browser

MARKUP = '"><img src=x onerror=alert(1)>'
SCRIPT = "</script><script>alert(2)</script>"
HANDLER = "<b onmouseover=alert(3) id=injected>survol</b>"
VALUE = f"{MARKUP} {SCRIPT} {HANDLER}"

# Elements that would come out of the values: the payloads' own tags, and any script with a body.
INJECTED = """
() => document.querySelectorAll(
  "img[src='x'], #injected, script:not([src]):not([type='application/json'])"
).length
"""


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hostile_world():
    from tremplin.coaching.models import DeliverableComment, GoodPractice, SwotItem
    from tremplin.establishments.models import Establishment, EstablishmentContact
    from tremplin.flows.models import Flow
    from tremplin.programme.models import Application
    from tremplin.reports.models import ReportSnapshot
    from tremplin.synergies.models import Measurement, StatusChange, SynergyAction

    world = build_world()
    caux = world.objects["caux"]
    Establishment.objects.filter(territory=caux).update(name=VALUE, address=VALUE, notes=VALUE)
    EstablishmentContact.objects.filter(establishment__territory=caux).update(
        name=VALUE,
        job_title=VALUE,
        notes=VALUE,
        phone=MARKUP,  # a telephone holds 40 characters
    )
    Flow.objects.filter(establishment__territory=caux).update(quality_notes=VALUE, current_route=VALUE)
    SynergyAction.objects.filter(synergy__territory=caux).update(title=VALUE, owner_name=VALUE)
    StatusChange.objects.filter(synergy__territory=caux).update(note=VALUE)
    Measurement.objects.filter(synergy__territory=caux).update(note=VALUE)
    participation = world.objects["caux_participation"]
    SwotItem.objects.filter(participation=participation).update(text=VALUE)
    DeliverableComment.objects.filter(deliverable__participation=participation).update(text=VALUE)
    GoodPractice.objects.filter(participation=participation).update(title=VALUE, text=VALUE)
    ReportSnapshot.objects.filter(territory=caux).update(title=VALUE)
    Application.objects.filter(pk=world.objects["caux_application"].pk).update(
        official_name=VALUE,
        ambitions=VALUE,
        expectations=VALUE,
        strategies=[{"type": "other", "name": VALUE}],
    )
    return world


def _pages(world) -> dict[str, list[str]]:
    caux, brewery = world.objects["caux"], world.objects["caux_brewery"]
    synergy, participation = world.objects["caux_synergy"], world.objects["caux_participation"]
    report = caux.report_snapshots.first()
    team = [
        f"/etablissements/{brewery.pk}/",
        f"/etablissements/{world.objects['caux_farm'].pk}/",
        f"/territoires/{caux.pk}/etablissements/",
        f"/territoires/{caux.pk}/flux/",
        f"/territoires/{caux.pk}/carte/",
        f"/territoires/{caux.pk}/synergies/",
        f"/territoires/{caux.pk}/synergies/tableau/",
        f"/synergies/{synergy.pk}/",
        f"/detection/{world.objects['caux_run'].pk}/",
        f"/comptes/territoires/{caux.pk}/journal/",
        f"/territoires/{caux.pk}/rapports/",
        f"/accompagnement/participations/{participation.pk}/livrables/w1_diagnosis/",
        f"/accompagnement/participations/{participation.pk}/livrables/w3_mobilisation/",
        f"/accompagnement/participations/{participation.pk}/bonnes-pratiques/",
        f"/accompagnement/appel/{world.objects['coaching_call'].pk}/club/",
    ]
    if report is not None:
        team.append(f"/rapports/{report.pk}/")
    contact = [
        f"/etablissements/{brewery.pk}/",
        f"/questionnaire/etablissements/{brewery.pk}/",
        f"/questionnaire/etablissements/{brewery.pk}/gisements/",
        "/opportunites/",
    ]
    programme = [
        f"/programme/candidatures/{world.objects['caux_application'].pk}/",
        f"/programme/gestion/appels/{world.objects['call'].pk}/candidatures/",
        f"/accompagnement/participations/{participation.pk}/livrables/w1_diagnosis/",
    ]
    return {"caux_officer": team, "caux_contact": contact, "programme": programme}


def _visit(page, world) -> tuple[list[str], dict[str, int], set[str]]:
    dialogs, injected, shown = [], {}, set()
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    for persona, urls in _pages(world).items():
        page.context.clear_cookies()
        log_in(page, world.people[persona].email, factories.PASSWORD)
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
            page.mouse.move(200, 300)  # a hover over where an injected element would be
            count = page.evaluate(INJECTED)
            if count:
                injected[url] = count
            if MARKUP in page.inner_text("main"):
                shown.add(url)
    return dialogs, injected, shown


def test_hostile_values_show_as_text_and_never_run_under_the_policy(page, hostile_world):
    dialogs, injected, shown = _visit(page, hostile_world)
    assert dialogs == [] and injected == {}
    assert len(shown) >= 12, shown  # the values are on the pages, as text


@pytest.fixture
def unguarded_page(chromium, live_server):
    """A tab with the Content-Security-Policy switched off: only the escaping protects it."""
    context = chromium.new_context(locale="fr-FR", base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    context.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    yield page
    context.close()


def test_hostile_values_never_run_even_without_the_policy(unguarded_page, hostile_world):
    dialogs, injected, _shown = _visit(unguarded_page, hostile_world)
    assert dialogs == [] and injected == {}
