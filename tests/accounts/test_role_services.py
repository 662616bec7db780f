"""Grants and removals of roles go through accounts.services: actor checked, audited, sessions ended."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.models import Membership, Role
from tremplin.accounts.services import RoleGrantNotAllowed, grant_membership, revoke_membership
from tremplin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_territory_officer_may_add_a_colleague_and_the_grant_is_audited():
    territory = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(territory)
    colleague = factories.user()
    membership = grant_membership(colleague, Role.TERRITORY_TEAM, by=officer, territory=territory, via="team")
    entry = AuditEntry.objects.get(action="role.granted")
    assert entry.actor == officer
    assert entry.territory == territory
    assert entry.data["user_id"] == colleague.pk
    assert entry.data["role"] == "territory_team"
    assert membership.territory == territory


def test_an_officer_of_another_territory_may_not_join_someone_to_this_team():
    territory = factories.territory(CAUX_SEINE)
    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    with pytest.raises(RoleGrantNotAllowed):
        grant_membership(factories.user(), Role.TERRITORY_TEAM, by=outsider, territory=territory)
    assert not AuditEntry.objects.filter(action="role.granted").exists()


def test_only_the_programme_team_grants_programme_roles():
    officer = factories.territory_officer(factories.territory(CAUX_SEINE))
    with pytest.raises(RoleGrantNotAllowed):
        grant_membership(factories.user(), Role.COMMITTEE_MEMBER, by=officer)
    programme = factories.programme_team_member()
    grant_membership(factories.user(), Role.COMMITTEE_MEMBER, by=programme)
    assert Membership.objects.filter(role=Role.COMMITTEE_MEMBER).count() == 1


def test_revoking_a_role_ends_the_persons_open_sessions(client):
    territory = factories.territory(CAUX_SEINE)
    officer = factories.territory_officer(territory)
    colleague = factories.territory_officer(territory)
    client.force_login(colleague)
    assert client.get(reverse("home")).context["user"].is_authenticated
    revoke_membership(colleague.memberships.get(), by=officer, reason="left the EPCI")
    assert not client.get(reverse("home")).context["user"].is_authenticated
    entry = AuditEntry.objects.get(action="role.revoked")
    assert entry.data["reason"] == "left the EPCI"
