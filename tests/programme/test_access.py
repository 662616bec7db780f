"""Who reaches what in the programme: programme-team pages answer 403 to every other role, committee
pages to non-members, and an application is seen by its applicant, the programme team and the
committee of its call only (404 for anyone else)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.programme.models import Application, Call, CommitteeSeat

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_URLS = {
    "programme_call_detail",
    "programme_apply",
    "programme_application_detail",
    "programme_application_edit",
    "programme_application_deliberation",
    "programme_application_document",
    "programme_committee_call",
    "programme_score",
    "programme_call_edit",
    "programme_call_committee",
    "programme_seat_remove",
    "programme_seat_remind",
    "programme_call_applications",
    "programme_override",
    "programme_potential",
    "programme_call_ranking",
    "programme_call_audit",
}
ACCESS_CHECKED_MODELS = {Application, Call, CommitteeSeat}


@pytest.fixture
def world():
    caux = factories.territory(CAUX_SEINE)
    site = factories.establishment(caux)
    call = factories.call()
    member = factories.seated_committee_member(call)
    application = factories.submitted_application(call, CAUX_SEINE)
    return {
        "call": call,
        "application": application,
        "draft": factories.draft_application(call, LE_HAVRE),
        "seat": CommitteeSeat.objects.get(member=member),
        "programme": factories.programme_team_member(),
        "member": member,
        "other_member": factories.seated_committee_member(factories.call()),
        "officer": factories.territory_officer(caux),
        "contact": factories.company_contact(site),
        "stranger": factories.user(),
    }


def _programme_pages(world):
    call, application, seat = world["call"], world["application"], world["seat"]
    return [
        reverse("programme_manage"),
        reverse("programme_call_create"),
        reverse("programme_call_edit", kwargs={"pk": call.pk}),
        reverse("programme_call_committee", kwargs={"pk": call.pk}),
        reverse("programme_seat_remove", kwargs={"pk": seat.pk}),
        reverse("programme_seat_remind", kwargs={"pk": seat.pk}),
        reverse("programme_call_applications", kwargs={"pk": call.pk}),
        reverse("programme_override", kwargs={"pk": application.pk}),
        reverse("programme_potential", kwargs={"pk": application.pk}),
        reverse("programme_call_ranking", kwargs={"pk": call.pk}),
        reverse("programme_call_audit", kwargs={"pk": call.pk}),
    ]


@pytest.mark.parametrize("persona", ["officer", "contact", "member", "stranger"])
def test_programme_team_pages_refuse_every_other_role(client, world, persona):
    client.force_login(world[persona])
    for url in _programme_pages(world):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"justification": "x", "eligible": "true"}).status_code == 403, url
    assert CommitteeSeat.objects.filter(pk=world["seat"].pk).exists()
    world["application"].refresh_from_db()
    assert world["application"].status == "eligible"
    assert not world["call"].audit_entries.filter(actor=world[persona]).exists()


def test_programme_team_pages_send_visitors_to_the_login_page(client, world):
    for url in _programme_pages(world):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_the_programme_team_reaches_its_pages(client, world):
    client.force_login(world["programme"])
    for url in _programme_pages(world):
        if "retirer" in url or "relancer" in url or "potentiel" in url:
            continue  # POST-only actions
        assert client.get(url).status_code == 200, url


def _committee_pages(world, call=None):
    call = call or world["call"]
    return [
        reverse("programme_committee"),
        reverse("programme_committee_call", kwargs={"pk": call.pk}),
        reverse("programme_score", kwargs={"pk": world["application"].pk}),
    ]


@pytest.mark.parametrize("persona", ["officer", "contact", "programme", "stranger"])
def test_committee_pages_refuse_non_members(client, world, persona):
    client.force_login(world[persona])
    for url in _committee_pages(world):
        assert client.get(url).status_code == 403, url


def test_a_member_of_another_call_does_not_reach_this_calls_applications(client, world):
    client.force_login(world["other_member"])
    assert client.get(reverse("programme_committee")).status_code == 200
    for url in _committee_pages(world)[1:]:
        assert client.get(url).status_code == 404, url
    detail = reverse("programme_application_detail", kwargs={"pk": world["application"].pk})
    assert client.get(detail).status_code == 404


def _applicant_pages(application):
    return [
        reverse("programme_application_detail", kwargs={"pk": application.pk}),
        reverse("programme_application_edit", kwargs={"pk": application.pk}),
        reverse("programme_application_deliberation", kwargs={"pk": application.pk}),
        reverse("programme_application_document", kwargs={"pk": application.pk, "kind": "courrier"}),
    ]


@pytest.mark.parametrize("persona", ["officer", "contact", "other_member", "stranger"])
def test_an_application_is_hidden_from_outsiders(client, world, persona):
    """Even the officer of the applicant EPCI's territory: the application belongs to its applicant."""
    client.force_login(world[persona])
    for application in (world["application"], world["draft"]):
        for url in _applicant_pages(application):
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url, {"expected_on": "2019-05-01", "ambitions": "x"}).status_code == 404, url
    world["application"].refresh_from_db()
    assert world["application"].deliberation_status == "expected"
    assert str(world["application"].deliberation_expected_on) == "2019-04-15"


def test_drafts_are_seen_by_their_applicant_only(client, world):
    draft = world["draft"]
    for persona in ("programme", "member"):
        client.force_login(world[persona])
        assert client.get(reverse("programme_application_detail", kwargs={"pk": draft.pk})).status_code == 404
    client.force_login(draft.applicant)
    assert client.get(reverse("programme_application_edit", kwargs={"pk": draft.pk})).status_code == 200


def test_the_committee_and_the_programme_team_read_a_submitted_application_and_its_letter(client, world):
    application = world["application"]
    for persona in ("member", "programme"):
        client.force_login(world[persona])
        assert (
            client.get(reverse("programme_application_detail", kwargs={"pk": application.pk})).status_code
            == 200
        )
        letter = reverse("programme_application_document", kwargs={"pk": application.pk, "kind": "courrier"})
        response = client.get(letter)
        assert response.status_code == 200
        # Reading the stream to its end closes the file (an explicit close() would also close the
        # test's database connection through the request_finished signal).
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # Nobody but the applicant edits it.
    assert client.get(reverse("programme_application_edit", kwargs={"pk": application.pk})).status_code == 404


def test_the_letter_is_a_download_never_shown_inline(client, world):
    application = world["application"]
    client.force_login(application.applicant)
    response = client.get(
        reverse("programme_application_document", kwargs={"pk": application.pk, "kind": "courrier"})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="courrier-signe.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    missing = reverse("programme_application_document", kwargs={"pk": application.pk, "kind": "deliberation"})
    assert client.get(missing).status_code == 404


def test_the_calls_are_public_and_applying_needs_an_account(client, world):
    call = world["call"]
    assert client.get(reverse("programme_call_detail", kwargs={"pk": call.pk})).status_code == 200
    response = client.get(reverse("programme_apply", kwargs={"pk": call.pk}))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("programme_call_detail", kwargs={"pk": 999_999})).status_code == 404
