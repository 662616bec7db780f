"""People and roles in a real browser: a programme team member invites a committee member who has no
account yet; the person follows the link of the e-mail, chooses a password and finds the call's
applications to score."""

import re

import pytest
from django.core import mail

from tests import factories
from tests.browser.conftest import log_in
from tests.conftest import CAUX_SEINE
from tremplin.programme.models import CommitteeSeat

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_programme_member_invites_a_committee_member_who_then_scores(page):
    factories.programme_team_member(email="programme@region.example")
    call = factories.call(title="Tremplin EIT Normandie 2027")
    factories.submitted_application(call, CAUX_SEINE)

    log_in(page, "programme@region.example", factories.PASSWORD)
    page.get_by_role("link", name="Personnes et rôles").click()
    page.get_by_role("link", name="Comité et invitations — Tremplin EIT Normandie 2027").click()
    page.get_by_label("Adresse électronique de la personne à inviter").fill("dreets@example.org")
    page.get_by_label("Organisme").fill("DREETS Normandie")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    assert page.get_by_text("Une invitation part vers dreets@example.org.").is_visible()
    assert page.locator('[data-invitation="dreets@example.org"]').is_visible()
    assert not CommitteeSeat.objects.exists()  # nothing is granted before the link is followed

    # The application's acknowledgement left when it was submitted; the invitation is the other mail.
    (message,) = [sent for sent in mail.outbox if "dreets@example.org" in sent.to]
    assert message.to == ["dreets@example.org"]
    assert "Tremplin EIT Normandie 2027" in message.body
    link = re.search(r"https?://\S+/comptes/invitations/\S+/", message.body).group(0)

    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(link)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("une phrase assez longue pour passer")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("une phrase assez longue pour passer")
    page.get_by_role("button", name="Accepter l'invitation").click()

    page.wait_for_url(f"**/programme/comite/appels/{call.pk}/")
    assert page.get_by_role("heading", name="Tremplin EIT Normandie 2027").is_visible()
    row = page.locator('[data-application="Communauté d\'agglomération Caux Seine Agglo"]')
    assert row.get_by_text("À noter").is_visible()
    seat = CommitteeSeat.objects.get()
    assert (seat.member.email, seat.organisation) == ("dreets@example.org", "DREETS Normandie")

    page.goto(link)  # the link works once
    assert page.locator("[data-invitation-error]").is_visible()
