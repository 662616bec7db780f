"""The account page of personal API tokens: create (shown once), list, revoke; only one's own tokens;
what happens to tokens when a person loses roles or is erased."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.api.conftest import ApiClient
from tremplin.api.models import ApiToken
from tremplin.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"tpl_[A-Za-z0-9_-]{40}")


def _client(user, lang="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def _create(client, **data):
    return client.post(reverse("api_tokens"), {"name": "Observatoire", "lifetime": "90", **data})


def test_a_person_creates_a_token_that_is_shown_once_and_works(api_world):
    owner = api_world.people["owner"]
    client = _client(owner)
    before = timezone.now()
    response = _create(client)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    raw = TOKEN.findall(response.content.decode())
    assert len(set(raw)) == 1
    raw = raw[0]
    token = ApiToken.objects.get(user=owner, name="Observatoire")
    assert raw.startswith(token.prefix)
    assert before + dt.timedelta(days=90) <= token.expires_at <= timezone.now() + dt.timedelta(days=90)
    assert ApiClient(raw).get("/me").json()["token"] == "Observatoire"
    # Afterwards only its beginning is shown.
    page = client.get(reverse("api_tokens")).content.decode()
    assert raw not in page
    assert f"{token.prefix}…" in page
    assert AuditEntry.objects.filter(
        action="api.token.created", actor=owner, target_id=str(token.pk)
    ).exists()


def test_the_same_form_posted_twice_creates_one_token_shown_once(api_world):
    owner = api_world.people["owner"]
    client = _client(owner)
    page = client.get(reverse("api_tokens")).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    first = _create(client, submission_key=key)
    assert TOKEN.search(first.content.decode())
    again = _create(client, submission_key=key)
    assert again.status_code == 302
    followed = client.get(again["Location"]).content.decode()
    assert "already been sent" in followed and not TOKEN.search(followed)
    assert ApiToken.objects.filter(user=owner, name="Observatoire").count() == 1
    assert AuditEntry.objects.filter(action="api.token.created", actor=owner).count() == 2  # with "tests"


def test_a_token_until_a_chosen_date_works_until_the_end_of_that_day(api_world):
    owner = api_world.people["owner"]
    day = timezone.localdate() + dt.timedelta(days=10)
    response = _create(_client(owner), lifetime="date", expires_on=day.isoformat())
    assert response.status_code == 200
    expires = timezone.localtime(ApiToken.objects.get(user=owner, name="Observatoire").expires_at)
    assert (expires.date(), expires.hour, expires.minute) == (day, 23, 59)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"name": "   "}, "This field is required"),
        ({"lifetime": "date"}, "Give the expiry date"),
        ({"lifetime": "date", "expires_on": "2000-01-01"}, "after today"),
        ({"lifetime": "date", "expires_on": "+366"}, "at most one year"),
        ({"lifetime": "3650"}, "not one of the available choices"),
    ],
)
def test_a_refused_form_says_why_and_keeps_what_was_typed(api_world, data, field_error):
    owner = api_world.people["owner"]
    if data.get("expires_on") == "+366":
        data["expires_on"] = (timezone.localdate() + dt.timedelta(days=366)).isoformat()
    data = {"name": "Mon SIG à moi", **data}
    response = _client(owner).post(reverse("api_tokens"), {"lifetime": "90", **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error in html
    assert not TOKEN.search(html)
    if data["name"].strip():
        assert 'value="Mon SIG à moi"' in html
    if data.get("expires_on"):
        assert f'value="{data["expires_on"]}"' in html
    assert not ApiToken.objects.filter(user=owner).exclude(name="tests").exists()


def test_the_list_shows_name_prefix_dates_and_state_of_ones_own_tokens_only(api_world):
    from tremplin.api.tokens import create_token, revoke_token

    owner = api_world.people["owner"]
    now = timezone.now()
    expired, _raw = create_token(owner, by=owner, name="Ancien SIG", expires_at=now + dt.timedelta(days=1))
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=now - dt.timedelta(days=1))
    revoked, _raw = create_token(owner, by=owner, name="Tableur", expires_at=now + dt.timedelta(days=5))
    revoke_token(revoked, by=owner)
    ApiClient(api_world.tokens["owner"]).get("/me")  # "tests" is used once
    page = _client(owner).get(reverse("api_tokens"))
    html = page.content.decode()
    rows = {
        name: re.search(rf'<tr data-token="\d+">\s*<td>{name}</td>(.*?)</tr>', html, re.S).group(1)
        for name in ("Ancien SIG", "Tableur", "tests")
    }
    assert "expired" in rows["Ancien SIG"] and "Revoke" in rows["Ancien SIG"]
    assert "revoked on" in rows["Tableur"] and "Revoke" not in rows["Tableur"]
    assert "active" in rows["tests"] and "never" not in rows["tests"]
    assert "never" in rows["Ancien SIG"]
    outsider_token = ApiToken.objects.get(user=api_world.people["outsider"])
    assert outsider_token.prefix not in html


def test_a_person_revokes_a_token_after_confirming(api_world):
    owner = api_world.people["owner"]
    token = ApiToken.objects.get(user=owner)
    client = _client(owner)
    url = reverse("api_token_revoke", args=[token.pk])
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert token.prefix in confirmation.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # GET only asks
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiClient(api_world.tokens["owner"]).get("/me").status_code == 401
    assert AuditEntry.objects.filter(
        action="api.token.revoked", actor=owner, target_id=str(token.pk)
    ).exists()


def test_the_token_pages_need_a_signed_in_person():
    for url in (reverse("api_tokens"), reverse("api_token_revoke", args=[1])):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Client().post(reverse("api_tokens"), {"name": "x", "lifetime": "30"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_the_account_menu_and_the_footer_link_to_tokens_and_documentation(api_world):
    html = _client(api_world.people["contact"]).get(reverse("api_tokens")).content.decode()
    assert f'href="{reverse("api_tokens")}"' in html
    assert html.count(f'href="{reverse("api-v1:openapi-view")}"') == 2  # the page's own link, the footer's


def test_losing_a_role_narrows_the_token_losing_the_last_role_revokes_it(api_world):
    from tremplin.accounts.models import Membership, Role
    from tremplin.accounts.services import revoke_membership

    caux = api_world.objects["caux"]
    owner = api_world.people["owner"]
    # A second role for the owner: company contact of the farm.
    contact_role = Membership.objects.create(
        user=owner, role=Role.COMPANY_CONTACT, establishment=api_world.objects["farm"]
    )
    client = ApiClient(api_world.tokens["owner"])
    team_role = Membership.objects.get(user=owner, role=Role.TERRITORY_TEAM, territory=caux)
    another_editor = factories.territory_officer(caux)
    revoke_membership(team_role, by=another_editor)
    me = client.get("/me").json()
    assert me["team_territories"] == [] and me["contact_establishments"] == [api_world.objects["farm"].pk]
    revoke_membership(contact_role, by=another_editor)
    assert client.get("/me").status_code == 401
    entry = AuditEntry.objects.get(action="api.token.revoked")
    assert entry.actor == another_editor and entry.data["reason"] == "no role left"


def test_erasing_an_account_deletes_its_tokens(api_world):
    from tremplin.privacy.holders import Person
    from tremplin.privacy.services import erase_person_data, export_person_data

    contact = api_world.people["contact"]
    exported = export_person_data(Person(email=contact.email), by=None)
    assert "tests" in str(exported) and "key_hash" not in str(exported)
    erase_person_data(Person(email=contact.email), by=None)
    assert not ApiToken.objects.filter(user=contact).exists()
    assert ApiClient(api_world.tokens["contact"]).get("/me").status_code == 401
    assert ApiToken.objects.filter(user=api_world.people["owner"]).exists()
