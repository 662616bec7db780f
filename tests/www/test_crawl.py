"""Re-audit by crawling (issue 9): every persona signs in on a seeded world (``tests/www/world.py``) and
follows every same-site link and GET form reachable from the home page, bounded. Each page it reaches is
sound (no server error, a Content-Security-Policy, no inline script, handler or ``javascript:`` URL, no
link to a page it may not open), every download is kept by no browser or proxy, and reading writes
nothing. Then the pages only one territory's team reaches are tried by every other persona."""

import pytest
from django.apps import apps
from django.urls import resolve

from tests.www.crawler import close_response, crawl
from tests.www.world import build_world

pytestmark = pytest.mark.django_db

PERSONAS = [
    "programme",
    "committee",
    "caux_officer",
    "caux_official",  # the referent elected official: a member of the team like the officer (PRODUCT.md)
    "caux_contact",
    "caux_applicant",
    "havre_officer",
    "stranger",  # signed up, no role
    "anonymous",
]
LIMIT = 400
#: Tables a page may write while it is read: the session (idle timeout) and login throttling.
UNWATCHED = {"sessions.session", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}
DOWNLOAD_TYPES = ("application/", "text/csv", "text/calendar")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _sign_in(client, person) -> None:
    client.logout()
    if person is not None:
        client.force_login(person)


def _database() -> dict:
    """Every row of every table a page could write, as values (geography aside: it is read only)."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in UNWATCHED or model._meta.app_label in ("geo", "contenttypes", "auth", "admin"):
            continue
        rows = model.objects.order_by("pk").values()
        if label == "audit.auditentry":
            rows = rows.exclude(action__startswith="account.login.")  # signing in is recorded
        state[label] = list(rows)
    return state


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_persona_reaches_is_sound_and_reading_writes_nothing(client, persona):
    world = build_world()
    _sign_in(client, world.people[persona])
    before = _database()
    visits = crawl(client, "/", limit=LIMIT)
    assert 5 <= len(visits) < LIMIT, "the crawl was cut short: raise LIMIT"
    problems = []
    for url, visit in visits.items():
        problems += [f"{url}: {problem}" for problem in visit.problems]
        if visit.status >= 400:
            problems.append(f"{url}: a link leads to a {visit.status}")
        if visit.content_type.startswith("text/html") and "Content-Security-Policy" not in visit.headers:
            problems.append(f"{url}: no Content-Security-Policy")
        is_download = "Content-Disposition" in visit.headers or visit.content_type.startswith(DOWNLOAD_TYPES)
        if is_download and visit.status == 200:
            directives = {part.strip() for part in visit.headers.get("Cache-Control", "").split(",")}
            if not {"private", "no-store"} <= directives:
                problems.append(f"{url}: a download without Cache-Control: private, no-store")
    assert not problems, "\n".join(problems)
    after = _database()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"reading pages wrote to: {changed}"


# --- Pages of one territory, tried by everybody else ------------------------------------------------


def _reached(client, person) -> set[str]:
    _sign_in(client, person)
    return {url for url, visit in crawl(client, "/", limit=LIMIT).items() if visit.status == 200}


def _allowed(persona, url, world) -> bool:
    """What another role may open of Caux Seine's pages, by design (PRODUCT.md, README)."""
    match = resolve(url.split("?")[0])
    name, kwargs = match.url_name, match.kwargs
    if name == "workshop_join":
        # A workshop's join link is for whoever holds it (participants have no account): its token is
        # the secret, and it stops working when the team closes the workshop (tests/workshops).
        return True
    if persona == "programme":
        # It follows every territory through aggregates, frozen reports and the coaching of the call,
        # never a company's records.
        return name in {
            "territory_detail",
            "territory_indicators",
            "report_list",
            "report_detail",
            "report_pdf",
        } or name.startswith("coaching_")
    if persona == "caux_contact":
        brewery = world.objects["caux_brewery"]
        own_flows = {str(pk) for pk in brewery.flows.values_list("pk", flat=True)}
        return (
            name == "territory_detail"
            or (name == "establishment_list")  # lists its own establishment only (tests/accounts)
            or (name == "establishment_detail" and kwargs["pk"] == brewery.pk)
            or (name == "flow_create" and kwargs["establishment_pk"] == brewery.pk)
            or (name in ("flow_update", "flow_delete") and str(kwargs["pk"]) in own_flows)
        )
    return False


def test_no_other_persona_opens_the_pages_only_a_territorys_team_reaches(client):
    world = build_world()
    caux_pages = _reached(client, world.people["caux_officer"])
    # What a team of the same call reaches too (the call's calendar, its Club EIT…) is shared by design.
    caux_only = caux_pages - _reached(client, world.people["havre_officer"])
    assert len(caux_only) > 50
    leaks = []
    for persona in PERSONAS:
        if persona in ("caux_officer", "caux_official"):
            continue
        _sign_in(client, world.people[persona])
        for url in sorted(caux_only):
            response = client.get(url)
            close_response(response)
            if response.status_code == 200 and not _allowed(persona, url, world):
                leaks.append(f"{persona} opens {url}")
            elif response.status_code == 200 and persona == "caux_contact" and "etablissements/?" in url:
                assert world.objects["caux_farm"].name not in response.content.decode(), url
    assert not leaks, "\n".join(leaks)


def test_the_elected_official_reaches_what_the_officer_reaches(client):
    """No read-only role exists for the elected official: the territory team is the official and the
    officer alike (PRODUCT.md). The crawl checks the two see the same workspace."""
    world = build_world()
    officer = _reached(client, world.people["caux_officer"])
    official = _reached(client, world.people["caux_official"])
    assert officer == official
