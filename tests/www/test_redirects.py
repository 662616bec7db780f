"""Re-audit of the ``next`` parameters (issue 9): no page sends its reader to another site, whatever
form an attacker gives the address (scheme-relative, backslashes, encoded, javascript:)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests import factories
from tests.www.world import build_world

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    " //evil.example",
]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _stays_here(response) -> bool:
    if response.status_code not in (301, 302, 303):
        return "evil.example" not in response.content.decode() or 'value="' in response.content.decode()
    location = response["Location"]
    parts = urlsplit(location)
    # A path of this site (whatever its query says): no scheme, no host, nothing a browser reads as one.
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
    )


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_no_next_parameter_leads_off_the_platform(client, elsewhere):
    world = build_world()
    officer = world.people["caux_officer"]
    flow = world.objects["caux_brewery"].flows.first()
    synergy, run = world.objects["caux_synergy"], world.objects["caux_run"]
    lead = run.leads.filter(status="pending").first()
    # Signing in (Django's own check) and the sign-up page.
    response = client.post(
        reverse("login") + f"?next={elsewhere}", {"username": officer.email, "password": factories.PASSWORD}
    )
    assert _stays_here(response), (elsewhere, response.get("Location"))
    client.logout()
    response = client.post(
        reverse("programme_signup"),
        {"email": "new@example.org", "first_name": "A", "last_name": "B", "next": elsewhere},
    )
    assert _stays_here(response), response.get("Location")
    # The team's pages that go back where they came from.
    client.force_login(officer)
    posts = [
        (reverse("flow_delete", kwargs={"pk": flow.pk}), {"next": elsewhere, "version": "0"}),
        (reverse("synergy_transition", kwargs={"pk": synergy.pk}), {"transition": "x", "next": elsewhere}),
        (reverse("lead_dismiss", kwargs={"pk": lead.pk}), {"reason": "r", "next": elsewhere}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert _stays_here(response), (url, response.get("Location"))
    page = client.get(reverse("flow_update", kwargs={"pk": flow.pk}) + f"?next={elsewhere}")
    assert f'value="{elsewhere}"' not in page.content.decode()
