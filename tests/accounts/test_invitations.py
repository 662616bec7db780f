"""Invitations by e-mail: who may invite whom, the link's lifecycle (expired, revoked, reused, wrong
person), the role granted only on acceptance, the audit rows and the mail sent after commit."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.invitations import (
    INVITATION_DAYS,
    InvitationError,
    accept_invitation,
    invitation_for_token,
    invitation_token,
    invite_committee_member,
    invite_programme_colleague,
    invite_territory_colleague,
    remove_committee_seat,
    revoke_invitation,
)
from tremplin.accounts.models import Invitation, MemberAccess, Membership, Role, User
from tremplin.accounts.scoping import forget_scope, scope_for
from tremplin.audit.display import describe
from tremplin.audit.models import AuditEntry
from tremplin.geo.models import Region
from tremplin.programme.models import CommitteeSeat

pytestmark = pytest.mark.django_db

PASSWORD = "une phrase assez longue pour passer"


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def normandy():
    return Region.objects.get(code="28")


@pytest.fixture
def brittany():
    return Region.objects.get_or_create(code="53", defaults={"name": "Bretagne"})[0]


def _programme_member(region=None, **fields):
    person = factories.user(**fields)
    Membership.objects.create(user=person, role=Role.PROGRAMME_TEAM, region=region, organisation="Région")
    return person


def _token_of(invitation):
    return invitation_token(Invitation.objects.get(pk=invitation.pk))


# The territory's team ----------------------------------------------------------------------------------


def test_an_officer_invites_a_read_only_elected_official_who_does_not_exist_yet(
    caux, django_capture_on_commit_callbacks
):
    officer = factories.territory_officer(caux)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invite_territory_colleague(
            "Elue@Caux.example",
            caux,
            by=officer,
            function="elected_official",
            access=MemberAccess.READ,
            link_for=lambda path: f"https://tremplin.example{path}",
        )
    assert mail.outbox == []  # nothing leaves before the commit
    assert not User.objects.filter(email__iexact="elue@caux.example").exists()  # nothing granted yet
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["elue@caux.example"]
    (link,) = re.findall(r"https://tremplin\.example/comptes/invitations/[^/\s]+/", message.body)
    assert "Caux Seine Agglo" in message.body
    assert "14 jours" in message.body

    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation_for_token(token) == invitation
    user = accept_invitation(token, password=PASSWORD)
    membership = user.memberships.get()
    assert (membership.role, membership.territory, membership.function, membership.access) == (
        Role.TERRITORY_TEAM,
        caux,
        "elected_official",
        "read",
    )
    assert user.is_active and user.check_password(PASSWORD)
    scope = scope_for(user)
    assert caux.pk in scope.team_territory_ids and caux.pk not in scope.editor_territory_ids
    codes = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert codes == [
        "people.invitation.sent",
        "account.created.by_invitation",
        "role.granted",
        "people.invitation.accepted",
    ]
    sent = describe(AuditEntry.objects.get(action="people.invitation.sent"))
    assert sent.sentence == "A invité elue@caux.example au rôle « Équipe du territoire » (Consultation seule)"


def test_the_link_works_once(caux):
    officer = factories.territory_officer(caux)
    invitation = invite_territory_colleague(
        "new@caux.example", caux, by=officer, function="officer", access="edit"
    )
    token = invitation_token(invitation)
    accept_invitation(token, password=PASSWORD)
    with pytest.raises(InvitationError, match="déjà été acceptée"):
        accept_invitation(token, password="another long password here")
    assert Membership.objects.filter(user__email="new@caux.example").count() == 1


def test_an_expired_link_grants_nothing(caux):
    officer = factories.territory_officer(caux)
    sent = timezone.now() - dt.timedelta(days=INVITATION_DAYS, minutes=1)
    invitation = invite_territory_colleague(
        "late@caux.example", caux, by=officer, function="officer", access="edit", now=sent
    )
    with pytest.raises(InvitationError, match="a expiré"):
        accept_invitation(invitation_token(invitation), password=PASSWORD)
    assert not User.objects.filter(email="late@caux.example").exists()


def test_a_revoked_invitation_grants_nothing_and_is_audited(caux):
    officer = factories.territory_officer(caux)
    invitation = invite_territory_colleague(
        "gone@caux.example", caux, by=officer, function="other", access="read"
    )
    revoke_invitation(invitation, by=officer)
    with pytest.raises(InvitationError, match="a été retirée"):
        accept_invitation(invitation_token(invitation), password=PASSWORD)
    assert not User.objects.filter(email="gone@caux.example").exists()
    entry = AuditEntry.objects.get(action="people.invitation.revoked")
    assert (entry.actor, entry.territory) == (officer, caux)


def test_a_tampered_link_is_refused(caux):
    officer = factories.territory_officer(caux)
    invitation = invite_territory_colleague(
        "x@caux.example", caux, by=officer, function="other", access="read"
    )
    with pytest.raises(InvitationError, match="pas valide"):
        invitation_for_token(invitation_token(invitation)[:-2] + "xx")
    other_secret = Invitation.objects.get(pk=invitation.pk)
    other_secret.secret = "another"
    with pytest.raises(InvitationError, match="pas valide"):
        invitation_for_token(invitation_token(other_secret))


def test_a_signed_in_person_cannot_accept_an_invitation_meant_for_another_address(caux):
    officer = factories.territory_officer(caux)
    intruder = factories.user(email="intruder@example.org")
    invitation = invite_territory_colleague(
        "right@caux.example", caux, by=officer, function="other", access="edit"
    )
    with pytest.raises(InvitationError, match="une autre adresse"):
        accept_invitation(invitation_token(invitation), user=intruder)
    assert not intruder.memberships.exists()
    assert Invitation.objects.get(pk=invitation.pk).is_pending


def test_an_existing_account_must_sign_in_to_accept(caux):
    officer = factories.territory_officer(caux)
    existing = factories.user(email="known@caux.example")
    invitation = invite_territory_colleague(
        "known@caux.example", caux, by=officer, function="other", access="edit"
    )
    with pytest.raises(InvitationError, match="connectez-vous pour accepter"):
        accept_invitation(invitation_token(invitation), password=PASSWORD)  # nobody takes over an account
    existing.refresh_from_db()
    assert existing.check_password(factories.PASSWORD)
    accept_invitation(invitation_token(invitation), user=existing)
    assert existing.memberships.get().territory == caux


def test_inviting_the_same_address_to_the_same_role_twice_is_refused(caux):
    officer = factories.territory_officer(caux, email="officer@caux.example")
    invite_territory_colleague("twice@caux.example", caux, by=officer, function="other", access="read")
    with pytest.raises(InvitationError, match="déjà été invité"):
        invite_territory_colleague("TWICE@caux.example", caux, by=officer, function="officer", access="edit")
    with pytest.raises(InvitationError, match="a déjà ce rôle"):
        invite_territory_colleague(
            "officer@caux.example", caux, by=officer, function="officer", access="edit"
        )
    assert Invitation.objects.count() == 1


def test_a_read_only_member_and_other_territories_cannot_invite(caux):
    havre = factories.territory(LE_HAVRE)
    reader = factories.territory_officer(caux)
    reader.memberships.update(access="read")
    forget_scope(reader)
    factories.territory_officer(caux, email="editor@caux.example")  # the team has an editor: it invites
    outsider = factories.territory_officer(havre)
    programme = _programme_member()
    committee = factories.committee_member()
    contact = factories.company_contact(factories.establishment(caux))
    for person in (reader, outsider, programme, committee, contact):
        with pytest.raises(InvitationError, match="ne pouvez pas inviter"):
            invite_territory_colleague("x@caux.example", caux, by=person, function="other", access="edit")
    assert not Invitation.objects.exists()


def test_the_programme_team_invites_the_first_editor_of_a_workspace_nobody_edits(caux):
    """A workspace opened by the programme team or by a register extract, or whose members only read,
    gets its first editor from the programme team; once it has one, its own team invites."""
    reader = factories.territory_officer(caux)
    reader.memberships.update(access="read")
    programme = _programme_member()
    invitation = invite_territory_colleague(
        "first@caux.example", caux, by=programme, function="officer", access="edit"
    )
    assert (invitation.territory, invitation.access) == (caux, "edit")
    factories.territory_officer(caux, email="editor@caux.example")
    with pytest.raises(InvitationError, match="ne pouvez pas inviter"):
        invite_territory_colleague("second@caux.example", caux, by=programme, function="other", access="read")


def test_the_inviter_who_lost_the_role_no_longer_grants(caux):
    officer = factories.territory_officer(caux)
    factories.territory_officer(caux)  # a colleague, so that the officer is not the last editor
    invitation = invite_territory_colleague(
        "late@caux.example", caux, by=officer, function="other", access="edit"
    )
    officer.memberships.all().delete()
    with pytest.raises(InvitationError, match="plus le rôle"):
        accept_invitation(invitation_token(invitation), password=PASSWORD)
    assert not Membership.objects.filter(user__email="late@caux.example").exists()


# The programme team and the committees ------------------------------------------------------------------


def test_a_programme_member_bound_to_a_region_invites_colleagues_of_that_region_only(normandy, brittany):
    bound = _programme_member(region=normandy)
    invitation = invite_programme_colleague("collegue@region.example", by=bound, region=normandy)
    with pytest.raises(InvitationError, match="ne pouvez pas inviter"):
        invite_programme_colleague("autre@region.example", by=bound, region=brittany)
    with pytest.raises(InvitationError, match="ne pouvez pas inviter"):
        invite_programme_colleague("partout@region.example", by=bound, region=None)
    user = accept_invitation(invitation_token(invitation), password=PASSWORD)
    scope = scope_for(user)
    assert scope.is_programme_team and not scope.programme_all_regions
    assert scope.runs_region(normandy.pk) and not scope.runs_region(brittany.pk)


def test_a_regional_programme_member_only_runs_that_regions_calls(normandy, brittany):
    from tremplin.programme.exceptions import NotAllowed
    from tremplin.programme.services.calls import update_call

    breton = _programme_member(region=brittany)
    call = factories.call()  # Normandy
    with pytest.raises(NotAllowed):
        update_call(call, by=breton, fields={"title": "Détourné"})
    with pytest.raises(InvitationError, match="ne pouvez pas inviter"):
        invite_committee_member("dreal@example.org", call, by=breton)
    unbound = _programme_member()
    update_call(
        call, by=unbound, fields={"title": "Renommé", "opens_at": call.opens_at, "deadline": call.deadline}
    )
    call.refresh_from_db()
    assert call.title == "Renommé"


def test_a_committee_member_invited_for_a_call_gets_a_seat_on_acceptance(normandy):
    programme = _programme_member()
    call = factories.call()
    invitation = invite_committee_member("dreal@example.org", call, by=programme, organisation="DREAL")
    assert not CommitteeSeat.objects.exists()
    user = accept_invitation(invitation_token(invitation), password=PASSWORD)
    seat = CommitteeSeat.objects.get()
    assert (seat.call, seat.member, seat.organisation) == (call, user, "DREAL")
    assert user.memberships.get().role == Role.COMMITTEE_MEMBER
    with pytest.raises(InvitationError, match="a déjà ce rôle"):
        invite_committee_member("dreal@example.org", call, by=programme)


@pytest.mark.parametrize("persona", ["officer", "committee", "contact"])
def test_only_the_programme_team_invites_to_the_programme(caux, persona):
    people = {
        "officer": lambda: factories.territory_officer(caux),
        "committee": factories.committee_member,
        "contact": lambda: factories.company_contact(factories.establishment(caux)),
    }
    person = people[persona]()
    call = factories.call()
    with pytest.raises(InvitationError):
        invite_programme_colleague("x@example.org", by=person)
    with pytest.raises(InvitationError):
        invite_committee_member("x@example.org", call, by=person)
    assert not Invitation.objects.exists()


def test_removing_a_committee_members_last_seat_removes_the_role_and_ends_their_sessions():
    programme = _programme_member()
    call = factories.call()
    member = factories.committee_member()
    CommitteeSeat.objects.create(call=call, member=member)
    before = member.session_version
    remove_committee_seat(call.committee_seats.get(), by=programme)
    member.refresh_from_db()
    assert not member.memberships.exists()
    assert member.session_version == before + 1
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {
        "committee.seat.removed",
        "role.revoked",
    }


def test_a_committee_seat_of_another_region_cannot_be_removed(brittany):
    breton = _programme_member(region=brittany)
    member = factories.committee_member()
    seat = CommitteeSeat.objects.create(call=factories.call(), member=member)
    with pytest.raises(InvitationError):
        remove_committee_seat(seat, by=breton)
    assert CommitteeSeat.objects.filter(pk=seat.pk).exists()
