import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.questionnaire.links import LINK


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The link rate limits count in the cache, which outlives a test: every test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """``invite(officer, site, email)``: the officer sends an invitation from the establishment page (the
    e-mail leaves when the transaction commits); returns the link and its token, and signs out."""

    def invite(officer, site, email="hse@fonderie.example"):
        client.force_login(officer)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("invitation_create", kwargs={"establishment_pk": site.pk}), {"email": email}
            )
        assert response.status_code == 302
        client.logout()
        match = LINK.search(mail.outbox[-1].body)
        return match.group(0), match.group(1)

    return invite
