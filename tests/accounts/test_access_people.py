"""Who reaches the pages of people and roles: each persona tries to invite, remove, change an access
level or withdraw an invitation outside its reach (another territory, another region, a committee
member, a company contact), and removals end the sessions of the person removed."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.invitations import (
    invitation_token,
    invite_committee_member,
    invite_territory_colleague,
)
from tremplin.accounts.models import Invitation, Membership, Role
from tremplin.geo.models import Region
from tremplin.programme.models import CommitteeSeat

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {
    "people_call",
    "people_committee_invite",
    "people_invitation_accept",
    "people_invitation_revoke",
    "people_programme_remove",
    "people_seat_remove",
    "team_member_access",
    "territory_invite",
}
ACCESS_CHECKED_MODELS = set()


def _programme_member(region=None, **fields):
    person = factories.user(**fields)
    Membership.objects.create(user=person, role=Role.PROGRAMME_TEAM, region=region)
    return person


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    brittany = Region.objects.get_or_create(code="53", defaults={"name": "Bretagne"})[0]
    owner = factories.territory_officer(caux, email="owner@caux.example")
    colleague = factories.territory_officer(caux, email="colleague@caux.example")
    reader = factories.territory_officer(caux, email="reader@caux.example")
    reader.memberships.update(access="read")
    programme = _programme_member(email="programme@region.example")
    call = factories.call()
    member = factories.committee_member(email="dreal@example.org")
    seat = CommitteeSeat.objects.create(call=call, member=member, organisation="DREAL")
    return {
        "caux": caux,
        "call": call,
        "owner": owner,
        "colleague": colleague,
        "reader": reader,
        "outsider": factories.territory_officer(havre),
        "contact": factories.company_contact(factories.establishment(caux)),
        "committee": member,
        "stranger": factories.user(),
        "programme": programme,
        "breton": _programme_member(region=brittany, email="breton@region.example"),
        "seat": seat,
        "colleague_membership": colleague.memberships.get(),
        "programme_membership": _programme_member(email="second@region.example").memberships.get(),
        "team_invitation": invite_territory_colleague(
            "new@caux.example", caux, by=owner, function="officer", access="edit"
        ),
        "committee_invitation": invite_committee_member("ademe@example.org", call, by=programme),
    }


def _programme_writes(world):
    return [
        (
            reverse("people_committee_invite", kwargs={"call_pk": world["call"].pk}),
            {"email": "x@example.org"},
        ),
        (reverse("people_seat_remove", kwargs={"pk": world["seat"].pk}), {}),
        (reverse("people_programme_remove", kwargs={"pk": world["programme_membership"].pk}), {}),
        (reverse("people_invitation_revoke", kwargs={"pk": world["committee_invitation"].pk}), {}),
        (reverse("people_programme_invite"), {"email": "x@example.org"}),
    ]


def _territory_writes(world):
    return [
        (
            reverse("territory_invite", kwargs={"territory_pk": world["caux"].pk}),
            {"email": "y@caux.example", "function": "officer", "access": "edit"},
        ),
        (reverse("team_member_access", kwargs={"pk": world["colleague_membership"].pk}), {"access": "read"}),
        (reverse("team_member_remove", kwargs={"pk": world["colleague_membership"].pk}), {"reason": ""}),
        (reverse("people_invitation_revoke", kwargs={"pk": world["team_invitation"].pk}), {}),
    ]


def _nothing_changed(world):
    assert Invitation.objects.count() == 2
    assert Invitation.objects.pending().count() == 2
    assert CommitteeSeat.objects.filter(pk=world["seat"].pk).exists()
    assert Membership.objects.filter(pk=world["programme_membership"].pk).exists()
    colleague = Membership.objects.get(pk=world["colleague_membership"].pk)
    assert colleague.access == "edit"


@pytest.mark.parametrize("persona", ["owner", "reader", "outsider", "contact", "committee", "stranger"])
def test_nobody_but_the_programme_team_reaches_its_people_pages(client, world, persona):
    client.force_login(world[persona])
    assert client.get(reverse("people_programme")).status_code == 403
    assert client.get(reverse("people_call", kwargs={"call_pk": world["call"].pk})).status_code == 403
    for url, data in _programme_writes(world):
        assert client.post(url, data).status_code in (403, 404), url
    _nothing_changed(world)


def test_a_programme_member_of_another_region_does_not_reach_the_calls_committee(client, world):
    client.force_login(world["breton"])
    assert client.get(reverse("people_call", kwargs={"call_pk": world["call"].pk})).status_code == 404
    for url, data in _programme_writes(world)[:2]:
        assert client.post(url, data).status_code == 404, url
    client.post(_programme_writes(world)[2][0])  # an unbound colleague: out of a regional member's reach
    client.post(_programme_writes(world)[3][0])
    _nothing_changed(world)
    page = client.get(reverse("people_programme")).content.decode()
    assert world["call"].title not in page


@pytest.mark.parametrize("persona", ["reader", "outsider", "contact", "committee", "stranger", "programme"])
def test_only_editors_of_the_territory_invite_remove_or_change_access(client, world, persona):
    client.force_login(world[persona])
    writes = _territory_writes(world)
    if persona == "programme":  # removes a team's members explicitly (see accounts.services), nothing else
        del writes[2]
    for url, data in writes:
        # A read-only member reaches the team's page; the operations refuse (a message says why).
        assert client.post(url, data).status_code in ((302, 404) if persona == "reader" else (403, 404)), url
    _nothing_changed(world)
    assert not Invitation.objects.filter(email="y@caux.example").exists()


def test_the_programme_team_sees_who_holds_which_role(client, world):
    client.force_login(world["programme"])
    page = client.get(reverse("people_programme")).content.decode()
    assert "second@region.example" in page and "breton@region.example" in page
    assert "Bretagne" in page and "Toutes les régions" in page
    assert world["call"].title in page and "DREAL" in page
    call_page = client.get(reverse("people_call", kwargs={"call_pk": world["call"].pk})).content.decode()
    assert 'data-seat="dreal@example.org"' in call_page
    assert 'data-invitation="ademe@example.org"' in call_page


def test_the_team_page_shows_function_access_invitations_and_journal(client, world):
    client.force_login(world["owner"])
    page = client.get(reverse("territory_team", kwargs={"territory_pk": world["caux"].pk})).content.decode()
    assert 'data-member="reader@caux.example" data-access="read"' in page
    assert 'data-invitation="new@caux.example"' in page
    assert 'data-grant="people.invitation.sent"' in page
    assert 'action="' + reverse("territory_invite", kwargs={"territory_pk": world["caux"].pk}) in page


def test_a_read_only_member_sees_the_team_without_its_buttons(client, world):
    client.force_login(world["reader"])
    page = client.get(reverse("territory_team", kwargs={"territory_pk": world["caux"].pk})).content.decode()
    assert "colleague@caux.example" in page
    assert reverse("territory_invite", kwargs={"territory_pk": world["caux"].pk}) not in page
    assert reverse("team_member_remove", kwargs={"pk": world["colleague_membership"].pk}) not in page


def test_an_editor_changes_access_and_removes_a_colleague_whose_sessions_end(client, world):
    client.force_login(world["owner"])
    colleague = world["colleague"]
    before = colleague.session_version
    client.post(
        reverse("team_member_access", kwargs={"pk": world["colleague_membership"].pk}), {"access": "read"}
    )
    assert Membership.objects.get(pk=world["colleague_membership"].pk).access == "read"
    client.post(
        reverse("team_member_remove", kwargs={"pk": world["colleague_membership"].pk}), {"reason": "départ"}
    )
    assert not Membership.objects.filter(pk=world["colleague_membership"].pk).exists()
    colleague.refresh_from_db()
    assert colleague.session_version == before + 1


def test_nobody_removes_or_demotes_the_last_editor_of_a_territory(client, world):
    from tremplin.accounts.services import RoleGrantNotAllowed, set_member_access

    world["colleague"].memberships.all().delete()  # the owner is now the only editor
    owner_membership = world["owner"].memberships.get()
    client.force_login(world["programme"])  # the programme team may remove team members, not the last editor
    client.post(reverse("team_member_remove", kwargs={"pk": owner_membership.pk}), {"reason": ""})
    assert Membership.objects.filter(pk=owner_membership.pk).exists()
    with pytest.raises(RoleGrantNotAllowed, match="dernier membre"):
        set_member_access(owner_membership, "read", by=world["owner"])
    with pytest.raises(RoleGrantNotAllowed):
        set_member_access(owner_membership, "read", by=world["reader"])  # read-only: changes no access
    reader_membership = world["reader"].memberships.get()
    client.force_login(world["owner"])
    client.post(reverse("team_member_access", kwargs={"pk": reader_membership.pk}), {"access": "edit"})
    assert Membership.objects.get(pk=reader_membership.pk).access == "edit"
    set_member_access(owner_membership, "read", by=world["owner"])  # another editor remains now
    assert Membership.objects.get(pk=owner_membership.pk).access == "read"


def test_nobody_removes_the_last_programme_team_member(client, world):
    from tremplin.accounts.services import RoleGrantNotAllowed, revoke_membership

    Membership.objects.filter(role=Role.PROGRAMME_TEAM).exclude(user=world["programme"]).delete()
    last = world["programme"].memberships.get()
    stranger_on_team = _programme_member()
    revoke_membership(stranger_on_team.memberships.get(), by=world["programme"])
    with pytest.raises(RoleGrantNotAllowed):
        revoke_membership(last, by=world["programme"])
    assert Membership.objects.filter(pk=last.pk).exists()


def test_the_programme_team_removes_a_colleague_and_a_committee_seat(client, world):
    client.force_login(world["programme"])
    second = world["programme_membership"].user
    before = second.session_version
    client.post(reverse("people_programme_remove", kwargs={"pk": world["programme_membership"].pk}))
    assert not Membership.objects.filter(pk=world["programme_membership"].pk).exists()
    second.refresh_from_db()
    assert second.session_version == before + 1
    client.post(reverse("people_seat_remove", kwargs={"pk": world["seat"].pk}))
    assert not CommitteeSeat.objects.filter(pk=world["seat"].pk).exists()
    assert not world["committee"].memberships.exists()


def test_following_an_invitation_link_sets_a_password_and_grants_the_role(client, world):
    url = reverse(
        "people_invitation_accept", kwargs={"token": invitation_token(world["committee_invitation"])}
    )
    page = client.get(url)
    assert page.status_code == 200
    assert (
        "Accepter l’invitation" in page.content.decode() or "Accepter l'invitation" in page.content.decode()
    )
    assert not Invitation.objects.get(pk=world["committee_invitation"].pk).decided_at  # GET changes nothing
    password = "une phrase assez longue pour passer"
    response = client.post(url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("programme_committee_call", kwargs={"pk": world["call"].pk})
    assert CommitteeSeat.objects.filter(call=world["call"], member__email="ademe@example.org").exists()
    assert client.get(url).status_code == 400  # used


def test_a_signed_in_stranger_cannot_take_an_invitation(client, world):
    client.force_login(world["stranger"])
    url = reverse("people_invitation_accept", kwargs={"token": invitation_token(world["team_invitation"])})
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not world["stranger"].memberships.exists()
    assert Invitation.objects.get(pk=world["team_invitation"].pk).is_pending


def test_the_django_admin_is_for_superusers_only(client):
    staff = factories.user(is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302  # sent to the admin's login
    operator = factories.user(is_staff=True, is_superuser=True)
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200
