"""Re-audit of writes without the pages (issue 9): every form a territory's team can post, found by
crawling its workspace, is posted with the same data by every other persona (a company contact of the
territory, the programme team, the committee, another territory's team, someone with no role, an
anonymous visitor). None of them changes anything, except what their own role lets them do (listed
here, each with the reason)."""

import hashlib
import json

import pytest
from django.apps import apps
from django.urls import resolve

from tests.www.crawler import crawl, forms_of
from tests.www.world import build_world

pytestmark = pytest.mark.django_db

UNWATCHED = {"sessions.session", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}
#: Forms that end the poster's own session or change only its language.
NOT_WRITES = {"logout", "set_language"}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _fingerprint() -> dict[str, str]:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in UNWATCHED or model._meta.app_label in ("geo", "contenttypes", "auth", "admin"):
            continue
        rows = model.objects.order_by("pk").values()
        if label == "audit.auditentry":
            rows = rows.exclude(action__startswith="account.login.")
        state[label] = hashlib.sha256(json.dumps(list(rows), default=str).encode()).hexdigest()
    return state


def _team_forms(client, officer) -> list[tuple[str, str, dict]]:
    """(url name, action, data) of every POST form the team's pages carry, with the values shown."""
    client.force_login(officer)
    found, seen = [], set()
    for url, visit in crawl(client, "/", limit=400).items():
        if visit.status != 200 or not visit.content_type.startswith("text/html"):
            continue
        for form in forms_of(client.get(url).content.decode()):
            if form.method != "post":
                continue
            action = form.action or url
            match = resolve(action.split("?")[0])
            if match.url_name in NOT_WRITES or action in seen:
                continue
            seen.add(action)
            data = {}
            for field in form.fields:
                if field.kind == "select":
                    data[field.name] = field.value or next((o for o in field.options if o), "")
                elif field.kind != "file":
                    data[field.name] = field.value or "Valeur"
            found.append((match.url_name, action, data))
    return found


def _may(persona, url_name, action, world) -> bool:
    """What another persona may post of the team's forms, by its own role."""
    if persona != "anonymous" and url_name in ("calendar_feed_renew", "calendar_feed_revoke"):
        # Everyone signed in makes or revokes the address of their own calendar feed (never another's).
        return True
    if url_name in ("workshop_join", "workshop_declare", "workshop_withdraw"):
        # Whoever holds a workshop's link joins it without an account and declares, while it is open
        # (tests/workshops/test_access.py: its token is the secret, a closed workshop refuses).
        return True
    if persona == "programme":
        # The programme team (the consultancy) follows the coaching: it comments, validates or sends
        # back deliverables, logs support days and registers people to the call's events.
        return url_name in {
            "coaching_deliverable_comment",
            "coaching_deliverable_transition",
            "coaching_support_days",
            "coaching_support_day_edit",
            "coaching_registration_create",
            "coaching_registration_delete",
            # It manages the programme's people: it may remove a member of a territory's team
            # (tremplin/www/accounts/views.py, audited and sessions ended).
            "team_member_remove",
            "coaching_report",
        }
    if persona == "caux_contact":
        # The establishment's contact declares and changes its own flows, and answers for its own
        # establishment whether it accepts to be introduced to a synergy's other participants.
        from tremplin.synergies.models import SynergyParticipant

        brewery = world.objects["caux_brewery"]
        own = {f"/flux/{pk}/" for pk in brewery.flows.values_list("pk", flat=True)}
        answers = {
            f"/synergies/participations/{pk}/"
            for pk in SynergyParticipant.objects.filter(establishment=brewery).values_list("pk", flat=True)
        }
        return (
            (url_name == "flow_create" and f"/etablissements/{brewery.pk}/" in action)
            or (url_name in ("flow_update", "flow_delete") and any(action.startswith(p) for p in own))
            or (url_name == "participant_consent" and any(action.startswith(p) for p in answers))
        )
    return False


@pytest.mark.parametrize(
    "persona", ["caux_contact", "programme", "committee", "havre_officer", "stranger", "anonymous"]
)
def test_no_other_persona_writes_through_the_teams_forms(client, persona):
    world = build_world()
    forms = _team_forms(client, world.people["caux_officer"])
    assert len(forms) > 40
    client.logout()
    person = world.people[persona]
    if person is not None:
        client.force_login(person)
    written = []
    for url_name, action, data in forms:
        if _may(persona, url_name, action, world):
            continue
        before = _fingerprint()
        response = client.post(action, data)
        changed = [label for label, digest in _fingerprint().items() if before.get(label) != digest]
        if changed:
            written.append(f"{url_name} {action} ({response.status_code}) wrote {changed}")
        elif persona == "anonymous":
            assert response.status_code in (302, 403, 404, 405), (action, response.status_code)
    assert not written, "\n".join(written)
