"""A workspace for a démarche outside any programme: ``tremplin create-territory --epci SIREN`` and the
programme team's form; idempotent, an unknown SIREN refused by name, nobody else may open one."""

import re

import pytest
from django.urls import resolve, reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.display import describe_entries
from tremplin.audit.models import AuditEntry
from tremplin.cli import main
from tremplin.geo.models import Epci
from tremplin.territories.models import Territory, TerritoryOrigin
from tremplin.territories.services import TerritoryNotAllowed, create_territory

pytestmark = pytest.mark.django_db


def test_the_command_opens_a_workspace_with_nobody_on_its_team(capsys):
    assert main(["create-territory", "--epci", CAUX_SEINE, "--name", "Mission EIT zone portuaire"]) == 0
    territory = Territory.objects.get(epci__siren=CAUX_SEINE)
    out = capsys.readouterr().out
    assert f"Espace de travail créé : Communauté d'agglomération Caux Seine Agglo (SIREN {CAUX_SEINE})" in out
    assert f"territoire n° {territory.pk}" in out
    assert territory.origin == TerritoryOrigin.STANDALONE
    assert territory.label == "Mission EIT zone portuaire"
    assert not territory.memberships.exists()
    entry = AuditEntry.objects.get(action="territory.created")
    assert (entry.territory, entry.actor, entry.data["siren"]) == (territory, None, CAUX_SEINE)
    [shown] = describe_entries([entry])
    assert shown.sentence == "A ouvert l'espace de travail de Communauté d'agglomération Caux Seine Agglo"


def test_the_command_is_idempotent_and_says_the_workspace_exists(capsys):
    existing = factories.territory(LE_HAVRE)
    assert main(["create-territory", "--epci", LE_HAVRE, "--name", "Autre nom"]) == 0
    out = capsys.readouterr().out
    assert f"existe déjà : territoire n° {existing.pk}, rien n'a été modifié" in out
    existing.refresh_from_db()
    assert existing.label == "" and existing.origin == TerritoryOrigin.PROGRAMME
    assert Territory.objects.filter(epci__siren=LE_HAVRE).count() == 1
    assert not AuditEntry.objects.filter(action="territory.created").exists()


def test_the_command_refuses_an_unknown_siren_naming_it(capsys):
    assert main(["create-territory", "--epci", "123456789"]) != 0
    assert "« 123456789 »" in capsys.readouterr().err
    assert not Territory.objects.exists()


@pytest.mark.parametrize("persona", ["committee", "territory", "contact"])
def test_only_the_programme_team_opens_a_workspace(client, persona):
    caux = factories.territory(CAUX_SEINE)
    person = {
        "committee": factories.committee_member,
        "territory": lambda: factories.territory_officer(caux),
        "contact": lambda: factories.company_contact(factories.establishment(caux)),
    }[persona]()
    epci = Epci.objects.get(siren=LE_HAVRE)
    with pytest.raises(TerritoryNotAllowed):
        create_territory(epci, by=person)
    client.force_login(person)
    assert client.get(reverse("territory_create")).status_code == 403
    assert client.post(reverse("territory_create"), {"epci": LE_HAVRE}).status_code == 403
    assert not Territory.objects.filter(epci=epci).exists()


def test_the_programme_team_opens_one_from_the_form_by_name_or_siren(client):
    team = factories.programme_team_member()
    client.force_login(team)
    page = client.get(reverse("territory_create")).content.decode()
    assert f'<option value="Communauté urbaine Le Havre Seine Métropole ({LE_HAVRE})">' in page
    response = client.post(
        reverse("territory_create"), {"epci": "le havre seine", "email": "elue@havre.example"}
    )
    territory = Territory.objects.get(epci__siren=LE_HAVRE)
    assert response.status_code == 302 and response.url == reverse("territory_detail", args=[territory.pk])
    assert (territory.origin, territory.created_by) == (TerritoryOrigin.STANDALONE, team)
    detail = client.get(response.url).content.decode()
    assert 'data-territory-origin="standalone"' in detail and "Démarche hors de tout programme" in detail
    # The same EPCI again, by its SIREN: nothing new, told so.
    response = client.post(reverse("territory_create"), {"epci": LE_HAVRE}, follow=True)
    assert "existe déjà : rien n&#x27;a été modifié" in response.content.decode()
    assert Territory.objects.filter(epci__siren=LE_HAVRE).count() == 1


def test_the_form_names_the_candidates_when_a_name_is_ambiguous_and_refuses_an_unknown_siren(client):
    client.force_login(factories.programme_team_member())
    page = client.post(reverse("territory_create"), {"epci": "Communauté"}).content.decode()
    assert "Plusieurs EPCI correspondent à « Communauté »" in page
    page = client.post(reverse("territory_create"), {"epci": "123456789"}).content.decode()
    assert "Aucun EPCI n&#x27;a le SIREN « 123456789 »" in page
    assert not Territory.objects.exists()


def test_the_form_invites_the_first_member_with_edit_access_after_commit(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    from tremplin.accounts.invitations import invitation_for_token, may_invite
    from tremplin.accounts.models import Invitation, InvitationStatus, MemberAccess, Role

    team = factories.programme_team_member()
    client.force_login(team)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("territory_create"), {"epci": LE_HAVRE, "email": "Agent@Havre.example"}
        )
    territory = Territory.objects.get(epci__siren=LE_HAVRE)
    assert response.status_code == 302
    invitation = Invitation.objects.get(territory=territory)
    assert (invitation.email, invitation.role, invitation.access, invitation.status) == (
        "agent@havre.example",
        Role.TERRITORY_TEAM,
        MemberAccess.EDIT,
        InvitationStatus.PENDING,
    )
    assert [message.to for message in mailoutbox] == [["agent@havre.example"]]
    # The link in the mail opens this invitation (the signed token carries a timestamp: read it back).
    [link] = re.findall(r"http://testserver(/\S+)", mailoutbox[0].body)
    token = resolve(link).kwargs["token"]
    assert invitation_for_token(token) == invitation
    # Once the workspace has an editor, its own team invites, not the programme team.
    factories.territory_officer(territory, email="officer@havre.example")
    assert not may_invite(team, Role.TERRITORY_TEAM, territory=territory)


def test_an_invitation_refused_keeps_the_workspace_closed_and_the_form_as_typed(client):
    from tremplin.accounts.models import Invitation

    client.force_login(factories.programme_team_member())
    client.post(reverse("territory_create"), {"epci": LE_HAVRE, "email": "agent@havre.example"})
    # The same address again for the same workspace: refused, the form kept, nothing else opened.
    page = client.post(
        reverse("territory_create"), {"epci": LE_HAVRE, "email": "agent@havre.example"}
    ).content.decode()
    assert 'value="agent@havre.example"' in page
    assert "a déjà été invité·e à ce rôle et n&#x27;a pas encore répondu" in page
    assert Invitation.objects.filter(email="agent@havre.example").count() == 1
