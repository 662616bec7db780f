"""Look-ups of questionnaire links are rate-limited per client address and per link, with a clear 429."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.questionnaire.models import new_token
from tremplin.www.questionnaire.throttle import client_ip

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.QUESTIONNAIRE_LINK_LOOKUPS_PER_IP = 5
    settings.QUESTIONNAIRE_LINK_LOOKUPS_PER_LINK = 3
    settings.QUESTIONNAIRE_LINK_WINDOW_SECONDS = 600
    # The clock stands still at 1,000,000 s, 400 s into a 600 s window (1,000,000 = 1,666 x 600 + 400):
    # no window ends in the middle of a test.
    with mock.patch("tremplin.www.questionnaire.throttle.time.time", return_value=1_000_000.0):
        yield settings


def link(token):
    return reverse("questionnaire_open", kwargs={"token": token})


def test_guessing_tokens_from_one_address_is_stopped(client, limits):
    statuses = [client.get(link(new_token())).status_code for _ in range(7)]
    response = client.get(link(new_token()))
    assert statuses == [404] * 5 + [429] * 2
    assert response["Retry-After"] == "200"  # the window ends 200 s later: 4 minutes
    html = response.content.decode()
    assert "Trop de tentatives" in html and "Attendez 4 minutes" in html


def test_another_address_is_not_held_by_the_first(client, limits):
    for _ in range(6):
        client.get(link(new_token()), REMOTE_ADDR="203.0.113.7")
    assert client.get(link(new_token()), REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get(link(new_token()), REMOTE_ADDR="198.51.100.2").status_code == 404


def test_one_link_tried_from_many_addresses_is_stopped(client, limits):
    site = factories.establishment(factories.territory(CAUX_SEINE))
    _invitation, token = factories.invitation(site)
    statuses = [client.get(link(token), REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_renewals_are_counted_too(client, limits):
    site = factories.establishment(factories.territory(CAUX_SEINE))
    _invitation, token = factories.invitation(site)
    statuses = [client.post(link(token), {"action": "renew"}).status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert mail.outbox == []


def test_the_limits_hold_within_a_window_and_reset_after_it(client, limits):
    for _ in range(5):
        client.get(link(new_token()))
    assert client.get(link(new_token())).status_code == 429
    with mock.patch("tremplin.www.questionnaire.throttle.time.time", return_value=1_000_000.0 + 600):
        assert client.get(link(new_token())).status_code == 404


def test_the_client_address_behind_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"  # a forged header is ignored without a trusted proxy
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, not what the client claimed
