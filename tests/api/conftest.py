"""Personas of the API's access tests, each with a personal token, and a client that sends it.

``api_world`` builds two territories (Caux-Seine, Le Havre), each with a brewery and a farm with flows,
and these people (``world.people[persona]``, ``world.tokens[persona]``):

* ``owner``: officer of Caux-Seine's team, edit access;
* ``colleague``: read-only member of Caux-Seine's team;
* ``outsider``: officer of Le Havre's team (another territory);
* ``contact``: company contact of Caux-Seine's brewery;
* ``programme``: programme team member (all regions);
* ``committee``: committee member;
* ``nobody``: an account with no role.

Every router's tests try each persona on each endpoint (``ALL_PERSONAS``) and assert the expected status.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE

ALL_PERSONAS = ("owner", "colleague", "outsider", "contact", "programme", "committee", "nobody", "anonymous")


@dataclass
class ApiWorld:
    people: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def token_for(user, name="tests") -> str:
    from tremplin.api.tokens import create_token

    _token, raw = create_token(user, by=user, name=name, expires_at=timezone.now() + dt.timedelta(days=30))
    return raw


class ApiClient:
    """Calls the API with a bearer token (or none), JSON in and out; ``lang`` sets Accept-Language."""

    def __init__(self, token: str | None = None, lang: str | None = None):
        self.client = Client()
        self.token = token
        self.lang = lang

    def _headers(self, lang=None):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if lang or self.lang:
            headers["Accept-Language"] = lang or self.lang
        return headers

    def request(self, method: str, path: str, body=None, *, lang=None, **query):
        path = path if path.startswith("/api/") else "/api/v1" + path
        kwargs = {"headers": self._headers(lang)}
        if method in ("get", "delete"):
            response = getattr(self.client, method)(path, query or None, **kwargs)
        else:
            response = getattr(self.client, method)(
                path, json.dumps(body if body is not None else {}), content_type="application/json", **kwargs
            )
        return response

    def get(self, path, **query):
        return self.request("get", path, **query)

    def post(self, path, body=None, **kwargs):
        return self.request("post", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("patch", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("put", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("delete", path, **kwargs)


@pytest.fixture
def api_world(db) -> ApiWorld:
    from tremplin.accounts.models import MemberAccess, Membership, Role, TerritoryFunction

    world = ApiWorld()
    caux = factories.territory(CAUX_SEINE)
    havre = factories.territory(LE_HAVRE)
    owner = factories.territory_officer(caux, first_name="Owner", last_name="Caux")
    colleague = factories.user(first_name="Colleague", last_name="Caux")
    Membership.objects.create(
        user=colleague,
        role=Role.TERRITORY_TEAM,
        territory=caux,
        function=TerritoryFunction.OFFICER,
        access=MemberAccess.READ,
    )
    outsider = factories.territory_officer(havre, first_name="Outsider", last_name="Havre")
    brewery, farm = factories.brewery_and_farm(caux)
    other_brewery, other_farm = factories.brewery_and_farm(havre)
    contact = factories.company_contact(brewery, first_name="Contact", last_name="Brasserie")
    programme = factories.programme_team_member(first_name="Programme", last_name="Région")
    committee = factories.committee_member(first_name="Committee", last_name="DREAL")
    nobody = factories.user(first_name="No", last_name="Role")
    world.objects.update(
        caux=caux,
        havre=havre,
        brewery=brewery,
        farm=farm,
        other_brewery=other_brewery,
        other_farm=other_farm,
        brewery_flow=factories.flow(brewery, by=owner, resource="bio_spent_grain", quantity=300, unit="t"),
        farm_flow=factories.flow(
            farm, by=owner, direction="in", resource="bio_spent_grain", quantity=200, unit="t"
        ),
        other_flow=factories.flow(
            other_brewery, by=outsider, resource="bio_spent_grain", quantity=50, unit="t"
        ),
    )
    for name, person in {
        "owner": owner,
        "colleague": colleague,
        "outsider": outsider,
        "contact": contact,
        "programme": programme,
        "committee": committee,
        "nobody": nobody,
    }.items():
        world.people[name] = person
        world.tokens[name] = token_for(person)
    world.people["anonymous"] = None
    world.tokens["anonymous"] = None
    return world


@pytest.fixture
def as_persona(api_world):
    """``as_persona("owner")`` is an ApiClient with that persona's token."""

    def make(persona: str, lang: str | None = None) -> ApiClient:
        return ApiClient(api_world.tokens[persona], lang=lang)

    return make
