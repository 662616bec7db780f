"""Joining a territory's team: a request that the territory's team (or, explicitly, the programme team)
decides; every decision and grant is audited and the person is told by e-mail after commit."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.accounts.access_requests import (
    AccessRequestError,
    JustificationRequired,
    accept_access_request,
    refuse_access_request,
    request_territory_access,
)
from tremplin.accounts.models import AccessRequest, Membership, Role
from tremplin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _request(territory, **kwargs):
    person = kwargs.pop("user", None) or factories.user(
        email="candidat@caux.example", first_name="Paul", last_name="Candidat"
    )
    return request_territory_access(person, territory, by=None, function="officer", via="selection", **kwargs)


def test_a_request_is_audited_and_grants_nothing(caux):
    request = _request(caux)
    assert request.status == "pending"
    assert not Membership.objects.filter(user=request.user).exists()
    entry = AuditEntry.objects.get(action="access.requested")
    assert (entry.territory, entry.data["user_id"], entry.data["via"]) == (caux, request.user.pk, "selection")


def test_the_territorys_team_is_asked_by_mail_after_commit(caux, django_capture_on_commit_callbacks):
    factories.territory_officer(caux, email="officer@caux.example")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _request(caux, link_for=lambda path: f"https://tremplin.example{path}")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == ["officer@caux.example"]
    assert (
        message.subject
        == "Communauté d'agglomération Caux Seine Agglo : une personne demande à rejoindre l'équipe"
    )
    assert f"https://tremplin.example/comptes/territoires/{caux.pk}/equipe/" in message.body


def test_without_a_team_the_programme_team_is_asked(caux, django_capture_on_commit_callbacks):
    factories.programme_team_member(email="programme@region.example")
    with django_capture_on_commit_callbacks(execute=True):
        _request(caux)
    (message,) = mail.outbox
    assert message.to == ["programme@region.example"]
    assert "/comptes/demandes-d-acces/" in message.body


def test_asking_twice_gives_the_same_request_and_a_member_needs_none(caux):
    first = _request(caux)
    assert _request(caux, user=first.user) == first
    officer = factories.territory_officer(caux)
    assert request_territory_access(officer, caux, by=None) is None
    assert AccessRequest.objects.count() == 1


def test_the_territorys_team_accepts_and_the_grant_is_audited(caux, django_capture_on_commit_callbacks):
    officer = factories.territory_officer(caux)
    request = _request(caux)
    with django_capture_on_commit_callbacks(execute=True):
        membership = accept_access_request(request, by=officer)
    assert (membership.user, membership.role, membership.territory) == (
        request.user,
        Role.TERRITORY_TEAM,
        caux,
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", officer)
    granted = AuditEntry.objects.get(action="role.granted")
    assert (granted.actor, granted.territory, granted.data["via"]) == (officer, caux, "access_request")
    accepted = AuditEntry.objects.get(action="access.accepted")
    assert accepted.data["decided_as"] == "territory_team"
    assert [message.to for message in mail.outbox] == [["candidat@caux.example"]]
    assert "est acceptée" in mail.outbox[0].body


def test_the_territorys_team_refuses_and_nothing_is_granted(caux, django_capture_on_commit_callbacks):
    officer = factories.territory_officer(caux)
    request = _request(caux)
    with django_capture_on_commit_callbacks(execute=True):
        refuse_access_request(request, by=officer, note="Personne inconnue de nos services")
    assert not Membership.objects.filter(user=request.user).exists()
    assert AuditEntry.objects.get(action="access.refused").data["note"] == "Personne inconnue de nos services"
    assert "est refusée" in mail.outbox[0].body and "Personne inconnue de nos services" in mail.outbox[0].body


def test_a_request_is_decided_once(caux):
    officer = factories.territory_officer(caux)
    request = _request(caux)
    refuse_access_request(request, by=officer)
    with pytest.raises(AccessRequestError):
        accept_access_request(request, by=officer)
    assert not Membership.objects.filter(user=request.user).exists()


def test_another_territorys_officer_the_applicant_and_a_committee_member_cannot_decide(caux):
    request = _request(caux)
    outsider = factories.territory_officer(factories.territory(LE_HAVRE))
    for person in (outsider, request.user, factories.committee_member(), factories.user()):
        with pytest.raises(AccessRequestError):
            accept_access_request(request, by=person)
    assert not Membership.objects.filter(user=request.user).exists()


def test_the_programme_team_decides_alone_when_the_workspace_has_no_team(caux):
    programme = factories.programme_team_member()
    request = _request(caux)
    accept_access_request(request, by=programme)
    assert Membership.objects.filter(user=request.user, territory=caux).exists()
    assert AuditEntry.objects.get(action="access.accepted").data["decided_as"] == "programme_team"


def test_the_programme_team_must_justify_deciding_for_a_territory_that_has_a_team(caux):
    factories.territory_officer(caux)
    programme = factories.programme_team_member()
    request = _request(caux)
    with pytest.raises(JustificationRequired):
        accept_access_request(request, by=programme)
    accept_access_request(request, by=programme, note="L'agent remplace la chargée de mission, en congé.")
    entry = AuditEntry.objects.get(action="access.accepted")
    assert (entry.actor, entry.data["decided_as"]) == (programme, "programme_team")
    assert entry.data["note"] == "L'agent remplace la chargée de mission, en congé."


def test_the_team_page_lists_a_pending_request_with_the_people_named_in_the_application(client, caux):
    officer = factories.territory_officer(caux)
    call = factories.call()
    application = factories.submitted_application(
        call,
        CAUX_SEINE,
        factories.user(email="candidat@caux.example", first_name="Paul", last_name="Candidat"),
    )
    request = request_territory_access(application.applicant, caux, by=None, application=application)
    client.force_login(officer)
    html = client.get(reverse("territory_team", kwargs={"territory_pk": caux.pk})).content.decode()
    assert f'data-access-request="{request.pk}"' in html
    assert "candidat@caux.example" in html
    assert "Jeanne Élue (elue@epci.example)" in html  # from the fiche: whom the EPCI named
    assert "ne prouve rien" in html


def test_accepting_from_the_team_page(client, caux):
    officer = factories.territory_officer(caux)
    request = _request(caux)
    client.force_login(officer)
    response = client.post(reverse("access_request_accept", kwargs={"pk": request.pk}), follow=True)
    assert (
        "Paul Candidat rejoint l&#x27;équipe de Communauté d&#x27;agglomération Caux Seine Agglo."
        in response.content.decode()
    )
    assert Membership.objects.filter(user=request.user, territory=caux).exists()


def test_the_programme_team_page_asks_for_the_note_when_the_territory_has_a_team(client, caux):
    factories.territory_officer(caux)
    request = _request(caux)
    client.force_login(factories.programme_team_member())
    url = reverse("access_request_accept", kwargs={"pk": request.pk})
    refused = client.post(url, follow=True).content.decode()
    assert "Le territoire a une équipe" in refused
    assert not Membership.objects.filter(user=request.user).exists()
    client.post(url, {f"r{request.pk}-note": "Validé avec le président de l'EPCI"})
    assert Membership.objects.filter(user=request.user, territory=caux).exists()


def test_the_team_removes_a_member_whose_sessions_end(client, caux):
    officer = factories.territory_officer(caux)
    leaving = factories.territory_officer(caux)
    other = client.__class__()
    other.force_login(leaving)
    client.force_login(officer)
    membership = Membership.objects.get(user=leaving)
    client.post(reverse("team_member_remove", kwargs={"pk": membership.pk}), {"reason": "A quitté l'EPCI"})
    assert not Membership.objects.filter(user=leaving).exists()
    assert not other.get(reverse("home")).context["user"].is_authenticated
    assert AuditEntry.objects.get(action="role.revoked").data["reason"] == "A quitté l'EPCI"


def test_nobody_removes_themselves_by_mistake(client, caux):
    officer = factories.territory_officer(caux)
    client.force_login(officer)
    client.post(reverse("team_member_remove", kwargs={"pk": Membership.objects.get(user=officer).pk}))
    assert Membership.objects.filter(user=officer).exists()


def test_a_removal_whose_reason_is_refused_removes_nobody_and_says_why(client, caux):
    """An invalid reason (too long, a NUL) was dropped and the member removed without it."""
    officer = factories.territory_officer(caux)
    leaving = factories.territory_officer(caux)
    client.force_login(officer)
    membership = Membership.objects.get(user=leaving)
    response = client.post(
        reverse("team_member_remove", kwargs={"pk": membership.pk}), {"reason": "x" * 501}, follow=True
    )
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "Motif : " in response.content.decode()
