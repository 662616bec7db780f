"""Re-audit with hostile values (issue 9): markup, template syntax, a spreadsheet formula, a NUL and a
10 000-character string typed into every text field of every form the territory team, a company
contact, an applicant, the committee and the programme team reach (found by crawling, not listed by
hand). No server error; each value is stored, or refused with an error on its own field; nothing
stored holds a NUL or outgrows its column (SQLite would not say, PostgreSQL would); every page then
shows the values escaped (the crawler reports any event handler or inline script that got through);
exports neutralise formulas; search forms reflect the values escaped."""

import csv
import io
import re

import pytest
from django.apps import apps
from django.db import models
from django.urls import resolve

from tests import factories
from tests.www.crawler import crawl, forms_of
from tests.www.world import build_world

pytestmark = pytest.mark.django_db

MARKUP = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{7*7}} {% now 'Y' %}"
FORMULA = '=HYPERLINK("http://x.example","clic")'
NUL = "avant\x00après"
LONG = "x" * 10_000
PER_FIELD = {"markup": MARKUP, "nul": NUL, "long": LONG}
PER_FORM = {"template": TEMPLATE, "formula": FORMULA}

TEXT_KINDS = {"text", "textarea", "email", "search", "tel", "url"}
#: Fields whose valid value is not free text: they keep a valid value when the others are attacked
#: (they are attacked on their own all the same, and must then be refused by name).
VALID = {
    "naf_code": "10.71C",
    "quantity": "10",
    "unit": "t",
    "current_cost_eur_per_year": "100",
    "zones_geojson": "",
    "q": "",
    "latitude": "49.53",
    "longitude": "0.55",
}
#: Helpers of a form that are not stored: the resource search box of the flow forms (a script
#: filters the list of resources with it).
NOT_STORED = {"q"}
#: Forms that would take the persona's own access away (removing a team member) stay out.
SKIPPED_FORMS = {"team_member_remove"}
SHEETS = ("etablissements", "flux", "synergies")
PERSONAS = ["caux_officer", "caux_contact", "caux_applicant", "committee", "programme"]
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "errorlist", "alert-danger", "text-danger")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _baseline(form) -> dict:
    """The form's own values, with what a required empty field needs to be valid."""
    data = {}
    for field in form.fields:
        if field.kind == "file" or (field.kind == "select" and field.multiple):
            continue
        value = field.value
        if field.kind == "select" and not value:
            value = next((option for option in field.options if option), "")
        elif field.name in VALID and not value:
            value = VALID[field.name]
        elif field.name == "siret" and not value:
            value = factories.siret()
        elif field.kind == "email" and not value:
            value = "personne@example.org"
        elif field.kind in ("text", "textarea", "tel") and not value and field.name not in VALID:
            value = "Valeur"
        elif field.kind == "number" and not value:
            value = "1"
        elif field.kind == "date" and not value:
            value = "2025-01-15"
        data[field.name] = value
    if data.get("commune") and data.get("latitude") == VALID["latitude"]:
        # Coordinates must lie in the commune chosen (the first one offered): take its reference point.
        from tremplin.geo.models import Commune

        commune = Commune.objects.filter(insee_code=data["commune"]).first()
        if commune is None and str(data["commune"]).isdigit():
            commune = Commune.objects.filter(pk=data["commune"]).first()
        if commune is not None and commune.centroid_lat is not None:
            data["latitude"], data["longitude"] = str(commune.centroid_lat), str(commune.centroid_lon)
    return data


def _attackable(form) -> list[str]:
    return [field.name for field in form.fields if field.kind in TEXT_KINDS]


def _field_marked_invalid(html: str, name: str) -> bool:
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        if f'name="{name}"' in tag:
            return "is-invalid" in tag
    return False


class Attack:
    def __init__(self, client, page_url, action, names):
        self.client, self.page_url, self.action, self.names = client, page_url, action, names

    def form(self):
        """The form as the page shows it now (one-time keys and versions change after each post, and
        forms come and go as records are added)."""
        html = self.client.get(self.page_url).content.decode()
        for form in forms_of(html):
            same_action = (form.action or self.page_url) == self.action
            if form.method == "post" and same_action and tuple(_attackable(form)) == self.names:
                return form
        return None

    def post(self, values: dict):
        form = self.form()
        if form is None:
            return None, None
        data = _baseline(form) | values
        return self.client.post(self.action, data), form


def _post_forms(client, visits) -> list[tuple[str, str, str, tuple]]:
    """(page, form action, url name, attacked field names), one per kind of form."""
    found, seen = [], set()
    for url, visit in visits.items():
        if visit.status != 200 or not visit.content_type.startswith("text/html"):
            continue
        html = client.get(url).content.decode()
        for form in forms_of(html):
            names = tuple(_attackable(form))
            action = form.action or url
            url_name = resolve(action.split("?")[0]).url_name
            if form.method != "post" or not names or url_name in SKIPPED_FORMS or (url_name, names) in seen:
                continue
            seen.add((url_name, names))
            found.append((url, action, url_name, names))
    return found


def _text_columns():
    for model in apps.get_models():
        if model._meta.app_label in ("geo", "sessions", "contenttypes", "admin", "auth", "axes"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                yield model, field


def _stored_faults() -> list[str]:
    faults = []
    for model, field in _text_columns():
        # Read in Python: SQLite's LIKE stops at a NUL, so a query would find one everywhere.
        for value in model.objects.values_list(field.name, flat=True):
            if value and "\x00" in value:
                faults.append(f"{model._meta.label}.{field.name} holds a NUL")
                break
            if (
                value
                and isinstance(field, models.CharField)
                and field.max_length
                and len(value) > field.max_length
            ):
                faults.append(f"{model._meta.label}.{field.name} holds {len(value)} > {field.max_length}")
                break
    return faults


def test_hostile_values_in_every_form_are_stored_or_refused_by_field_and_shown_escaped(client):
    world = build_world()
    problems, accepted, refused = [], set(), set()
    for persona in PERSONAS:
        client.force_login(world.people[persona])
        visits = crawl(client, "/", limit=400)
        for page_url, action, url_name, names in _post_forms(client, visits):
            attack = Attack(client, page_url, action, names)
            for field_name in names:
                if field_name in NOT_STORED:
                    continue
                for what, payload in PER_FIELD.items():
                    response, _form = attack.post({field_name: payload})
                    if response is None:
                        continue
                    where = f"{persona} {url_name}.{field_name} ({what})"
                    if response.status_code in (301, 302, 303):
                        if what == "nul":
                            follow = client.get(response["Location"]).content.decode()
                            if "alert-danger" not in follow and "alert-warning" not in follow:
                                problems.append(f"{where}: a NUL accepted without a word")
                        accepted.add((url_name, field_name, what))
                    elif response.status_code == 200 and 'id="new-token"' in response.content.decode():
                        # A token is shown once, on the page that answers its creation (no redirect).
                        accepted.add((url_name, field_name, what))
                    elif response.status_code in (200, 400, 409):
                        html = response.content.decode()
                        if not _field_marked_invalid(html, field_name) and not any(
                            marker in html for marker in ERROR_MARKERS
                        ):
                            status = response.status_code
                            problems.append(f"{where}: refused ({status}) without a visible error")
                        refused.add((url_name, field_name, what))
                    else:
                        problems.append(f"{where}: answered {response.status_code}")
            free_text = [name for name in names if name not in VALID and name != "siret"]
            for what, payload in PER_FORM.items():
                response, _form = attack.post({name: payload for name in free_text if "email" not in name})
                if response is not None and response.status_code >= 500:
                    problems.append(f"{persona} {url_name} ({what}): {response.status_code}")
    assert not problems, "\n".join(problems)
    # The attack reached the forms: markup was accepted somewhere in each family of records.
    families = {url_name for url_name, _field, what in accepted if what == "markup"}
    assert families >= {
        "establishment_create",
        "establishment_edit",
        "establishment_contact_add",
        "flow_create",
        "questionnaire_outputs",
        "synergy_action_add",
        "synergy_transition",
        "coaching_deliverable_item_add",
        "coaching_deliverable_comment",
        "coaching_good_practices",
        "report_freeze",
    }, sorted(families)
    assert ("establishment_create", "name", "long") in refused  # 200 characters at most, said so
    assert not _stored_faults(), _stored_faults()

    # Every page shows the values escaped: the crawler reports any handler or inline script.
    for persona in [*PERSONAS, "havre_officer", "caux_official"]:
        client.force_login(world.people[persona])
        visits = crawl(client, "/", limit=600)
        assert len(visits) < 600
        leaked = [f"{persona} {url}: {p}" for url, visit in visits.items() for p in visit.problems]
        assert not leaked, "\n".join(leaked)
    client.force_login(world.people["caux_officer"])
    page = client.get(f"/etablissements/{world.objects['caux_brewery'].pk}/").content.decode()
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_exports_neutralise_the_formulas_typed_in_forms(client):
    world = build_world()
    officer, territory = world.people["caux_officer"], world.objects["caux"]
    brewery = world.objects["caux_brewery"]
    client.force_login(officer)
    client.post(
        f"/etablissements/{brewery.pk}/contacts/ajouter/",
        {"name": FORMULA, "job_title": "+33 6 00", "email": "", "phone": "-1", "notes": "@SUM(A1)"},
    )
    from tremplin.establishments.models import Establishment
    from tremplin.flows.models import Flow

    Establishment.objects.filter(pk=brewery.pk).update(name=FORMULA, address="+cmd|' /C calc'!A0")
    Flow.objects.filter(establishment=brewery).update(quality_notes=FORMULA, current_route="@route")
    from django.urls import reverse

    dangerous = []
    seen = []
    for kind in SHEETS:
        url = reverse("territory_export_csv", kwargs={"territory_pk": territory.pk, "sheet": kind})
        text = client.get(url).content.decode("utf-8-sig")
        seen.append(text)
        for row in csv.reader(io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","):
            dangerous += [(kind, cell) for cell in row if cell and cell[0] in "=+-@" and not _number(cell)]
    from openpyxl import load_workbook

    response = client.get(reverse("territory_export_xlsx", kwargs={"territory_pk": territory.pk}))
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str) and cell and cell[0] in "=+-@" and not _number(cell):
                    dangerous.append((sheet.title, cell))
    assert not dangerous, dangerous
    # The values are there, as text a spreadsheet shows and never runs.
    assert "'=HYPERLINK(" in seen[0].replace('""', '"') and "'@route" in seen[1]


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def test_search_forms_reflect_hostile_values_escaped(client):
    world = build_world()
    problems = []
    for persona in ("caux_officer", "caux_contact", "programme"):
        client.force_login(world.people[persona])
        for url, visit in crawl(client, "/", limit=400).items():
            if visit.status != 200 or not visit.content_type.startswith("text/html"):
                continue
            for form in forms_of(client.get(url).content.decode()):
                names = _attackable(form)
                if form.method != "get" or not names:
                    continue
                for payload in (MARKUP, TEMPLATE, NUL, LONG):
                    data = {field.name: field.value for field in form.fields if field.kind != "select"}
                    data |= dict.fromkeys(names, payload)
                    response = client.get(form.action or url.split("?")[0], data)
                    if response.status_code >= 500:
                        problems.append(f"{persona} {url}: {response.status_code}")
                    html = response.content.decode()
                    if MARKUP in html or "<img src=x onerror" in html:
                        problems.append(f"{persona} {url}: reflects markup unescaped")
                    if payload == TEMPLATE and "49" in html.replace(TEMPLATE, ""):
                        pass  # a 49 may be any number on the page; escaping is what is checked
    assert not problems, "\n".join(problems)
