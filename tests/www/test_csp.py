"""Content-Security-Policy: every response carries it, and nothing in the templates or scripts needs more
than it allows (no inline script, handler or style attribute; no string inserted as HTML)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path, reverse

import tremplin
import tremplin.urls
from tests import factories
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.django_db

PACKAGE = Path(tremplin.__file__).parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("*.html") if "templates" in p.parts)
SCRIPTS = sorted(p for p in PACKAGE.rglob("*.js") if "static" in p.parts)

EXPECTED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:", "https://tile.openstreetmap.org"},
    "connect-src": {"'self'"},
    "font-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def _policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: set(sources) for name, *sources in directives}


# --- The templates and scripts ---------------------------------------------------------------------


def test_templates_and_scripts_are_found():
    assert len(TEMPLATES) > 50 and PACKAGE / "templates" / "base.html" in TEMPLATES
    assert {p.name for p in SCRIPTS} >= {"site.js", "workspace-map.js", "perimeter-draw.js"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_template_has_no_inline_script_handler_or_style(template):
    source = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", source, flags=re.I):
        assert re.search(r"\bsrc=", tag), f"inline <script>: {tag}"
    assert not re.findall(r"<[a-z][^>]*\son[a-z]+\s*=", source, flags=re.I), "on* event handler"
    assert not re.findall(r"<[a-z][^>]*\sstyle\s*=", source, flags=re.I), "style attribute: use a class"
    assert not re.search(r"<style\b", source, flags=re.I), "inline <style>: use tremplin.css"
    assert "javascript:" not in source.lower()
    if "email" not in template.name:  # plain-text e-mail bodies are not HTML
        assert not re.search(r"\|\s*safe\b|\bautoescape\s+off\b", source), "unescaped output"


def test_no_form_widget_carries_a_handler_or_a_style():
    for module in PACKAGE.rglob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"""["']on[a-z]+["']\s*:""", source), module
        assert not re.search(r"""attrs=\{[^}]*["']style["']""", source), module


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_a_script_never_inserts_strings_as_html(script):
    source = script.read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, f"{script.name} uses {sink}"
    # Leaflet inserts string content as HTML: tooltips and popups get a function or a node.
    for call in re.finditer(
        r"\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\(", source
    ):
        argument = source[call.end() : call.end() + 40]
        assert re.match(r"\s*(function\b|[A-Za-z_$][\w$]*\s*[),])", argument), (
            f"{script.name}: {call.group(1)}({argument}… takes a string"
        )


def test_only_site_js_names_the_tile_server_the_policy_allows():
    naming = [p.name for p in SCRIPTS if "tile.openstreetmap.org" in p.read_text(encoding="utf-8")]
    assert naming == ["site.js"]
    assert (
        f'"{settings.MAP_TILES_ORIGIN}/{{z}}/{{x}}/{{y}}.png"' in (PACKAGE / "static/js/site.js").read_text()
    )


def test_htmx_is_configured_not_to_inject_styles_or_evaluate_code(client):
    html = client.get("/").content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, "allowEval": false, """
        """"allowScriptTags": false}'>"""
    ) in html


# --- The header on every kind of response ----------------------------------------------------------


@pytest.fixture
def caux_world():
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux)
    establishment = factories.establishment(caux)
    return {"caux": caux, "officer": officer, "establishment": establishment}


@pytest.mark.parametrize(
    "page",
    [
        "home",
        "login",
        "territory_detail",
        "territory_map_page",
        "establishment_detail",
        "territory_map_points",
        "not_found",
        "forbidden",
    ],
)
def test_every_response_carries_the_policy(client, caux_world, page):
    caux, establishment = caux_world["caux"], caux_world["establishment"]
    urls = {
        "home": ("/", 200),
        "login": (reverse("login"), 200),
        "territory_detail": (reverse("territory_detail", kwargs={"pk": caux.pk}), 200),
        "territory_map_page": (reverse("territory_map_page", kwargs={"territory_pk": caux.pk}), 200),
        "establishment_detail": (reverse("establishment_detail", kwargs={"pk": establishment.pk}), 200),
        "territory_map_points": (reverse("territory_map_points", kwargs={"territory_pk": caux.pk}), 200),
        "not_found": ("/nulle-part/", 404),
        "forbidden": (reverse("programme_manage"), 403),
    }
    if page not in {"home", "login"}:
        client.force_login(caux_world["officer"])
    url, status = urls[page]
    response = client.get(url)
    assert response.status_code == status
    assert _policy(response) == EXPECTED


def _boom(request):
    raise RuntimeError("a bug")


class _UrlsWithABug:
    urlpatterns = [path("boom/", _boom), *tremplin.urls.urlpatterns]


def test_a_server_error_page_carries_the_policy(client, settings):
    settings.ROOT_URLCONF = _UrlsWithABug
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert _policy(response) == EXPECTED


def test_no_policy_allows_inline_code():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    everything = {source for sources in directives.values() for source in sources}
    assert not everything & {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "https:", "http:"}
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


def test_a_refused_form_shows_our_own_page_which_the_policy_allows():
    """Django's CSRF failure page carries an inline <style> that the policy blocks: ours replaces it."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a@example.org", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<style" not in html.lower() and " style=" not in html.lower()
    assert "Le formulaire n'a pas pu être envoyé" in html
    assert "css/tremplin.css" in html  # in the platform's look (base.html)
    assert "CSRF" not in html and "Referer" not in html  # no technical reason for the reader
    assert _policy(response)["style-src"] == {"'self'"}
