"""Audit entries read as plain French sentences on every page that shows them: never a raw action code
or a Python structure, names looked up when shown (an erased person reads as such)."""

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.services import grant_membership, revoke_membership
from tremplin.audit.display import describe, describe_entries, registered_codes
from tremplin.audit.log import log_action
from tremplin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2] / "tremplin"
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
#: Functions that write an audit entry with the action code among their first positional arguments:
#: ``log_action`` and the small wrappers operations define around it (``_log``, ``_audit``, ``log_change``…).
WRITERS = re.compile(r"(^|_)(log|audit)(_|$)")


def _strings(node, assignments) -> list[str | re.Pattern]:
    """The action codes an argument can take: literals, both branches of ``a if c else b``, f-strings
    (as patterns), and names assigned a literal in the same function."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, assignments) + _strings(node.orelse, assignments)
    if isinstance(node, ast.JoinedStr):
        literal = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        if "." not in literal or not re.fullmatch(r"[a-z_.]+", literal):
            return []  # a message, not an action code
        pattern = "".join(
            re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+" for part in node.values
        )
        return [re.compile(f"^{pattern}$")]
    if isinstance(node, ast.Name):
        return list(assignments.get(node.id, []))
    return []


def written_codes() -> dict[str, str]:
    """Every action code the code base writes, with where it is written."""
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The prefixing helper's own f"coaching.{action}" is skipped: its callers' codes are read instead.
        helper_lines = {
            line
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.name == "log_coaching"
            for line in range(n.lineno, n.end_lineno + 1)
        }
        for function in [tree, *[n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]]:
            assignments = {}
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                ):
                    values = _strings(node.value, {})
                    assignments.setdefault(node.targets[0].id, []).extend(
                        value for value in values if isinstance(value, str)
                    )
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None) or ""
                if not WRITERS.match(name) or node.lineno in helper_lines:
                    continue
                # The coaching helper prefixes its codes (coaching.services.audit.log_coaching).
                prefix = "coaching." if name == "log_coaching" else ""
                for argument in node.args[:3]:
                    for value in _strings(argument, assignments):
                        if prefix:
                            value = (
                                re.compile("^" + re.escape(prefix) + value.pattern[1:])
                                if isinstance(value, re.Pattern)
                                else prefix + value
                            )
                        where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
                        if isinstance(value, re.Pattern):
                            found[value.pattern] = where
                        elif CODE.match(value):
                            found[value] = where
    return found


def test_the_scan_finds_the_codes_written_directly_through_helpers_and_as_patterns():
    codes = written_codes()
    assert "role.granted" in codes  # log_action(by, "role.granted", …)
    assert "flow.updated" in codes  # _log(by, "flow.updated", …) in flows.services
    assert "application.deliberation.attached" in codes  # action = "…"; log_action(by, action, …)
    assert "synergy.action.reopened" in codes  # "…done" if done else "…reopened"
    assert r"^application\.[a-z_]+$" in codes  # f"application.{application.status}"


def test_every_action_code_written_has_a_french_sentence():
    known = registered_codes()
    missing = []
    for code, where in sorted(written_codes().items()):
        if code.startswith("^"):
            if not any(re.match(code, registered) for registered in known):
                missing.append(f"{code} (a pattern, at {where})")
        elif code not in known:
            missing.append(f"{code} (at {where})")
    assert not missing, (
        "These audit action codes have no sentence in tremplin/audit/display.py (add a register(...) line "
        "and its French translation): " + ", ".join(missing)
    )


def test_every_sentence_is_translated_and_formats_with_its_data():
    from django.utils import translation

    with translation.override("fr"):
        for code in sorted(registered_codes()):
            entry = AuditEntry(action=code, data={})
            shown = describe(entry).sentence
            assert shown and code not in shown, code


def test_the_programme_journal_shows_sentences_never_codes_or_structures(client):
    call = factories.call()
    team = factories.programme_team_member(first_name="Claire", last_name="Lemarchand")
    log_action(team, "call.changed", call, call=call, fields={"title": "Nouveau titre", "places": "6"})
    application = factories.submitted_application(call, CAUX_SEINE)
    log_action(
        team,
        "application.eligibility.overridden",
        application,
        call=call,
        before=False,
        after=True,
        justification="PLPDMA adopté depuis",
    )
    client.force_login(team)
    html = client.get(reverse("programme_call_audit", kwargs={"pk": call.pk})).content.decode()
    assert "Claire Lemarchand" in html
    assert "A modifié l&#x27;appel" in html and "titre : Nouveau titre" in html
    assert "A passé outre l&#x27;éligibilité de" in html
    assert 'Avant :</dt> <dd class="d-inline mb-0">non éligible' in html
    assert "A déposé la candidature de" in html
    for raw in ("call.changed", "<code>", "{&#x27;", "[&#x27;", "True", "False", "None"):
        assert raw not in re.sub(r'data-action="[^"]*"', "", html), raw


def test_a_role_grant_names_the_person_and_an_erased_person_reads_as_such():
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, first_name="Sophie", last_name="Anquetil")
    colleague = factories.user(first_name="Paul", last_name="Technicien")
    membership = grant_membership(colleague, "territory_team", by=officer, territory=caux, function="officer")
    from django.utils import translation

    with translation.override("fr"):
        granted = describe(AuditEntry.objects.get(action="role.granted"))
        assert granted.actor == "Sophie Anquetil"
        assert granted.sentence == "A donné le rôle « Équipe du territoire » à Paul Technicien"
        assert ("Fonction", "Chargé de mission EIT") in granted.details
        revoke_membership(membership, by=officer, reason="Départ")
        colleague.delete()
        officer.delete()
        entries = describe_entries(AuditEntry.objects.filter(action__startswith="role.").order_by("at", "id"))
    assert [entry.sentence for entry in entries] == [
        "A donné le rôle « Équipe du territoire » à une personne effacée",
        "A retiré le rôle « Équipe du territoire » à une personne effacée",
    ]
    assert {entry.actor for entry in entries} == {"Une personne effacée"}


def test_an_action_of_the_platform_itself_says_so():
    from django.utils import translation

    caux = factories.territory(CAUX_SEINE)
    with translation.override("fr"):
        shown = describe(
            log_action(None, "role.granted", None, territory=caux, role="territory_team", user_id=0)
        )
    assert shown.actor == "La plateforme"


def test_the_territory_team_reads_its_own_journal_only(client):
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    officer = factories.territory_officer(caux)
    site = factories.establishment(caux, name="Papeterie de Caux")
    log_action(
        officer,
        "establishment.updated",
        site,
        territory=caux,
        changes={"name": ["Papeterie", "Papeterie de Caux"]},
    )
    log_action(
        None,
        "establishment.created",
        factories.establishment(havre, name="Chantier du Havre"),
        territory=havre,
    )
    client.force_login(officer)
    html = client.get(reverse("territory_journal", kwargs={"territory_pk": caux.pk})).content.decode()
    assert "A modifié l&#x27;établissement Papeterie de Caux" in html
    assert "Papeterie → Papeterie de Caux" in html
    assert "Chantier du Havre" not in html
    assert client.get(reverse("territory_journal", kwargs={"territory_pk": havre.pk})).status_code == 404


def test_the_workspace_shows_the_team_and_journal_tabs_to_its_team_only(client):
    caux = factories.territory(CAUX_SEINE)
    client.force_login(factories.territory_officer(caux))
    html = client.get(reverse("territory_detail", kwargs={"pk": caux.pk})).content.decode()
    assert reverse("territory_team", kwargs={"territory_pk": caux.pk}) in html
    assert reverse("territory_journal", kwargs={"territory_pk": caux.pk}) in html
    client.force_login(factories.programme_team_member())
    html = client.get(reverse("territory_detail", kwargs={"pk": caux.pk})).content.decode()
    assert reverse("territory_journal", kwargs={"territory_pk": caux.pk}) not in html


def test_a_flow_change_reads_field_by_field_with_labels_and_units():
    from django.utils import translation

    from tremplin.flows import catalogue
    from tremplin.flows.services import update_flow

    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux)
    site = factories.establishment(caux, name="Menuiserie du Port")
    flow = factories.flow(site, by=officer)
    update_flow(flow, by=officer, quantity=15)
    wood = str(catalogue.resource_label("wood_clean"))
    with translation.override("fr"):
        declared, changed = describe_entries(
            AuditEntry.objects.filter(action__startswith="flow.").order_by("id")
        )
    assert declared.sentence == f"A déclaré un flux de Menuiserie du Port : {wood}"
    assert declared.details == [("Le flux", "12 t · par an")]
    assert changed.sentence == f"A modifié un flux de Menuiserie du Port : {wood}"
    assert changed.details == [("Modifications", "quantité : 12 → 15")]


# One vocabulary: the establishment's page, its flows panel and the synergy's history read the journal's
# sentences, never labels of their own.


def _labels_of_action_codes(tree) -> list[int]:
    """Lines of dictionary literals keyed by two or more audit action codes (a vocabulary of its own)."""
    known = registered_codes()
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [key.value for key in node.keys if isinstance(key, ast.Constant)]
            if sum(1 for key in keys if key in known) >= 2:
                lines.append(node.lineno)
    return lines


def test_no_module_but_the_journal_gives_audit_codes_labels_of_its_own():
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or path == SOURCE / "audit" / "display.py":
            continue
        for line in _labels_of_action_codes(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(SOURCE.parent)}:{line}")
    assert not found, "Labels of audit codes outside tremplin/audit/display.py: " + ", ".join(found)


def test_the_establishment_page_reads_its_history_in_the_journal_s_sentences(client):
    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, first_name="Sophie", last_name="Anquetil")
    site = factories.establishment(caux, name="Papeterie de Caux")
    log_action(
        officer, "establishment.updated", site, territory=caux, changes={"notes": ["", "Rencontrée au salon"]}
    )
    contact = factories.company_contact(site, first_name="Paul", last_name="Papetier")
    factories.flow(site, by=contact)
    client.force_login(officer)
    html = client.get(reverse("establishment_detail", kwargs={"pk": site.pk})).content.decode()
    own = html[html.index('id="history"') :]
    assert "A modifié l&#x27;établissement Papeterie de Caux" in own
    assert "notes de l&#x27;équipe du territoire : — → Rencontrée au salon" in own
    assert "Sophie Anquetil" in own
    flows = html[html.index('id="flow-history"') : html.index('id="history"')]
    assert "A déclaré un flux de Papeterie de Caux" in flows and "Paul Papetier" in flows
    assert "12 t · par an" in flows
    for page in (own, flows):
        visible = re.sub(r'data-action="[^"]*"', "", page)
        assert "establishment." not in visible and "flow." not in visible
        assert "{&#x27;" not in visible and "[&#x27;" not in visible


def test_the_synergy_history_reads_an_erased_person_as_such():
    from django.utils import translation

    from tremplin.synergies.history import synergy_history
    from tremplin.synergies.pipeline import add_action

    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux, first_name="Alice", last_name="Martin")
    synergy = factories.synergy(caux, status="qualified")
    add_action(synergy, by=officer, title="Appeler la ferme")
    officer.delete()
    with translation.override("fr"):
        action = [item for item in synergy_history(synergy) if item.kind == "action"]
    assert [(item.by, item.text) for item in action] == [
        ("Une personne effacée", f"A ajouté l'action « Appeler la ferme » à {synergy}")
    ]


# Personal data in the journal: identifiers stored, names and addresses read when shown.


def test_invitation_entries_store_no_address_and_show_it_while_the_invitation_exists():
    from django.utils import translation

    from tremplin.questionnaire.models import Invitation
    from tremplin.questionnaire.services import invite_contact

    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux)
    site = factories.establishment(caux, name="Fonderie de Caux")
    invite_contact(site, email="hse@fonderie.example", by=officer, link_for=lambda token: f"/l/{token}/")
    entry = AuditEntry.objects.get(action="invitation.created")
    assert "hse@fonderie.example" not in str(entry.data)
    with translation.override("fr"):
        assert describe(entry).sentence == (
            "A invité hse@fonderie.example au questionnaire de Fonderie de Caux"
        )
        Invitation.objects.all().delete()  # purged, or the person's data erased
        assert describe(AuditEntry.objects.get(pk=entry.pk)).sentence == (
            "A invité une personne effacée au questionnaire de Fonderie de Caux"
        )


def test_committee_seat_entries_store_the_member_by_identifier():
    from django.utils import translation

    from tremplin.programme.services.calls import add_committee_member, remove_committee_member

    call = factories.call()
    team = factories.programme_team_member()
    member = factories.committee_member(first_name="Marc", last_name="Dreal", email="marc@dreal.example")
    seat = add_committee_member(call, by=team, member=member, organisation="DREAL")
    remove_committee_member(seat, by=team)
    entries = AuditEntry.objects.filter(action__startswith="committee.seat.").order_by("id")
    assert all("marc@dreal.example" not in str(entry.data) for entry in entries)
    assert [entry.data["member_id"] for entry in entries] == [member.pk, member.pk]
    with translation.override("fr"):
        assert [shown.sentence for shown in describe_entries(entries)] == [
            "A fait siéger Marc Dreal au comité",
            "A retiré Marc Dreal du comité",
        ]
        member.delete()
        assert describe_entries(entries)[0].sentence == "A fait siéger une personne effacée au comité"


def test_contact_and_action_owner_entries_name_them_when_shown_never_in_the_data():
    from django.utils import translation

    from tremplin.establishments.services import add_contact, remove_contact
    from tremplin.synergies.pipeline import add_action

    caux = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(caux)
    site = factories.establishment(caux, name="Papeterie de Caux")
    contact = add_contact(site, by=officer, name="Claire Martin")
    add_action(
        factories.synergy(caux, status="qualified"), by=officer, title="Appeler", owner_name="Paul Owner"
    )
    for entry in AuditEntry.objects.filter(
        action__in=["establishment.contact.added", "synergy.action.added"]
    ):
        assert "Claire Martin" not in str(entry.data) and "Paul Owner" not in str(entry.data)
    with translation.override("fr"):
        added = describe(AuditEntry.objects.get(action="establishment.contact.added"))
        assert added.sentence == "A ajouté le contact Claire Martin à Papeterie de Caux"
        planned = describe(AuditEntry.objects.get(action="synergy.action.added"))
        assert ("Responsable", "Paul Owner") in planned.details
        remove_contact(contact, by=officer)
        removed = describe(AuditEntry.objects.get(action="establishment.contact.removed"))
        assert removed.sentence == "A retiré le contact (retiré depuis) de Papeterie de Caux"
