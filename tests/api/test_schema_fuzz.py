"""Property-based fuzzing of the whole OpenAPI description (schemathesis): no call makes a server error,
and every answer conforms to the description (status code listed, body matching its schema).

The description is read from the application at run time, so every operation a router adds is fuzzed
without changing this file. Calls go to the WSGI application in this process, on the test's database,
with the token of a territory officer whose world has establishments, flows, a synergy and a detection
run; path parameters are drawn half of the time among the identifiers of that world, so that the calls
reach the objects and not only 404s. Bounded: ``FUZZ_EXAMPLES`` examples per operation (environment
variable ``API_FUZZ_EXAMPLES``, default 25), no shrinking beyond a few seconds, no stored database of
examples (CI must be repeatable and must not depend on a previous run).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_world(api_world, settings):
    """The api_world, plus a synergy and a detection run of Caux-Seine; no rate limit (the fuzzer makes
    thousands of calls with one token)."""
    from tremplin.synergies.detection import start_detection

    settings.API_RATE_PER_TOKEN = settings.API_RATE_PER_USER = settings.API_RATE_ANONYMOUS = ""
    world = api_world
    caux = world.objects["caux"]
    world.objects["synergy"] = factories.synergy(
        caux, participants=(world.objects["brewery"], world.objects["farm"]), by=world.people["owner"]
    )
    world.objects["run"] = start_detection(caux, mode="deductive", by=world.people["owner"])
    return world


def _load_schema():
    """The OpenAPI description, as the application serves it (read once, when the tests are collected:
    producing it reads no database)."""
    from django.test import Client

    return schemathesis.openapi.from_dict(Client(HTTP_HOST="localhost").get("/api/v1/openapi.json").json())


SCHEMA = _load_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def wsgi_app():
    """The WSGI application, with the request signals that would close the connection holding the
    test's transaction disconnected (as Django's test client does)."""
    from tremplin.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _known_ids(world) -> list[int]:
    """Identifiers of the objects of the world (every model's: a path parameter's name says little)."""
    from tremplin.synergies.models import Lead

    ids = {obj.pk for obj in world.objects.values()}
    ids |= set(Lead.objects.values_list("pk", flat=True)[:20])
    return sorted(ids)


def _strategy(operation):
    """Valid requests, and invalid ones (wrong types, missing fields) where the operation has inputs."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    has_inputs = any(True for _ in operation.iter_parameters()) or operation.body
    if has_inputs:
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


def test_the_fuzzer_sees_the_operations_of_the_description():
    labels = {operation.label for operation in OPERATIONS}
    assert "GET /api/v1/me" in labels
    assert len(OPERATIONS) == sum(
        1 for methods in SCHEMA.raw_schema["paths"].values() for method in methods if method != "parameters"
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_every_operation_answers_without_server_error_and_as_described(operation, fuzz_world, wsgi_app):
    known = _known_ids(fuzz_world)
    headers = {"Authorization": f"Bearer {fuzz_world.tokens['owner']}", "Accept-Language": "en"}

    @given(case=_strategy(operation), data=st.data())
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case, data):
        for name in list(case.path_parameters or {}):
            if data.draw(st.booleans(), label=f"known {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
        case.call_and_validate(headers=headers, checks=CHECKS, app=wsgi_app)

    call()
