"""A live workshop: the facilitator's screen open, 20 phones join by the link and declare; each match
appears on the screen within seconds of its second side's declaration; pinned, it lands in the pipeline
with basis "workshop"."""

import datetime as dt
import os
import statistics
import time

import pytest

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.synergies.models import Synergy
from tremplin.workshops import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason=(
            "On SQLite in memory, Django's live server shares one connection among its request threads: "
            "a screen polling every 2 s while 20 phones write then fails at random with a locked table. "
            "This journey runs in the PostgreSQL half of the suite (CI runs both)."
        ),
    ),
]

PAIRS = int(os.environ.get("WORKSHOP_BROWSER_PAIRS", "10"))  # 10 pairs: 20 phones


@pytest.fixture(autouse=True)
def _sqlite_readers_do_not_lock_tables():
    """The test database is SQLite in memory with a shared cache, where a reader locks the tables it reads
    and a writer then fails at once ("database table is locked", the busy timeout does not apply): here
    the screen polls every 2 s while phones write. A file database in WAL mode (production) lets readers
    and a writer go on together; read_uncommitted gives the shared cache that behaviour for this test."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    def no_read_locks(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(no_read_locks)
    for connection in connections.all():
        if connection.vendor == "sqlite" and connection.connection is not None:
            connection.cursor().execute("PRAGMA read_uncommitted = 1")
    yield
    connection_created.disconnect(no_read_locks)


PHONE = {"width": 390, "height": 844}


def _world():
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, email="officer@caux.example")
    sites = []
    for i in range(PAIRS):
        brewery, farm = factories.brewery_and_farm(caux, distance_km=2.0 + i)
        brewery.name, farm.name = f"Brasserie {i:02d}", f"Ferme {i:02d}"
        brewery.save()
        farm.save()
        sites += [brewery, farm]
    workshop = services.create_workshop(
        caux, by=officer, theme="Coproduits", date=dt.date(2026, 3, 12), place="CCI", expected=sites
    )
    return workshop, sites


def _phone(chromium, base_url):
    context = chromium.new_context(locale="fr-FR", base_url=base_url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    return context


def _join_and_declare(context, workshop, name, *, kind, word, resource_label, quantity):
    phone = context.new_page()
    phone.goto(f"/a/{workshop.token}/")
    phone.get_by_label("Trouvez votre entreprise").fill(name)
    phone.get_by_role("button", name="Rechercher").click()
    phone.get_by_label(name).check()
    phone.get_by_role("button", name="Rejoindre").click()
    phone.wait_for_url(f"**/a/{workshop.token}/moi/")
    phone.get_by_role("link", name="J'ai…" if kind == "have" else "Je cherche…").click()
    phone.get_by_label("Quoi ?").fill(word)
    phone.get_by_role("button", name="Rechercher").click()
    phone.get_by_label(resource_label).check()
    phone.get_by_label("Quantité par an (facultatif)").fill(str(quantity))
    phone.get_by_role("button", name="Déclarer").click()
    phone.wait_for_url("**/moi/?added=1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    return phone


def test_twenty_phones_declare_and_the_matches_appear_live_then_go_to_the_pipeline(
    page, chromium, live_server
):
    workshop, sites = _world()
    log_in(page, "officer@caux.example", factories.PASSWORD)
    page.goto(f"/ateliers/{workshop.pk}/ecran/")
    delays = []
    contexts = []
    for i in range(PAIRS):
        brewery, farm = sites[2 * i], sites[2 * i + 1]
        have = _phone(chromium, live_server.url)
        want = _phone(chromium, live_server.url)
        contexts += [have, want]
        _join_and_declare(
            have,
            workshop,
            brewery.name,
            kind="have",
            word="drêches",
            resource_label="Drêches de brasserie et de distillerie",
            quantity=100,
        )
        _join_and_declare(
            want,
            workshop,
            farm.name,
            kind="want",
            word="aliments",
            resource_label="Aliments pour animaux",
            quantity=200,
        )
        declared = time.monotonic()
        page.locator(".workshop-match", has_text=brewery.name).filter(has_text=farm.name).first.wait_for(
            timeout=10_000
        )
        delays.append(time.monotonic() - declared)
    # A poll every 2 s, the matching, the render: a few seconds on this 2-core machine shared with others.
    print("seconds from the second declaration to the match on the screen:", [round(d, 2) for d in delays])
    assert statistics.median(delays) < 4.0 and max(delays) < 10.0, delays
    for context in contexts:
        context.close()
    first = page.locator(".workshop-match").first
    first.get_by_role("button", name="Épingler").click()
    page.locator(".workshop-match.state-pinned").first.wait_for()
    page.goto(f"/ateliers/{workshop.pk}/")
    page.get_by_role("button", name="Transformer en synergies et en flux").click()
    page.get_by_text("1 synergies ajoutées au pipeline").wait_for()
    synergy = Synergy.objects.get(territory=workshop.territory)
    assert synergy.basis == "workshop" and synergy.status == "detected"
    assert {p.consent for p in synergy.participants.all()} == {"pending"}
    # The link of the converted (closed) workshop is refused.
    closed = _phone(chromium, live_server.url).new_page()
    assert closed.goto(f"/a/{workshop.token}/").status == 410
