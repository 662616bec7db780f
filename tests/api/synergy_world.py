"""Helpers of the detection and synergy API tests: a run on the conftest's world, and the persona matrix."""

from __future__ import annotations

from tests.api.conftest import ALL_PERSONAS, ApiClient

#: What a persona gets on a Caux-Seine object that only the territory team reads: the team reads it
#: (owner, read-only colleague), nobody else learns that it exists, a caller without a token is a 401.
TEAM_READ = {
    "owner": 200,
    "colleague": 200,
    "outsider": 404,
    "contact": 404,
    "programme": 404,
    "committee": 404,
    "nobody": 404,
    "anonymous": 401,
}
#: ... and that only its members with edit access change (``ok``: the owner's status).
TEAM_WRITE = {**TEAM_READ, "colleague": 403}
#: On the territory itself (``?territory=``): the programme team and the brewery's contact may open
#: Caux-Seine's workspace, but its detection and its pipeline are the team's: 403.
TERRITORY_READ = {**TEAM_READ, "contact": 403, "programme": 403}
TERRITORY_WRITE = {**TERRITORY_READ, "colleague": 403}

ERROR_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found"}


def check_personas(world, expected: dict, call, *, last="owner") -> dict:
    """Call ``call(client)`` as every persona (``last`` at the end: its call may change the data) and
    assert each status and, for a refusal, the error's code; the answers by persona."""
    assert set(expected) == set(ALL_PERSONAS)
    answers = {}
    for persona in [p for p in ALL_PERSONAS if p != last] + [last]:
        response = call(ApiClient(world.tokens[persona]))
        assert response.status_code == expected[persona], (
            persona,
            response.status_code,
            response.content[:300],
        )
        if response.status_code in ERROR_CODES:
            body = response.json()
            assert body["code"] == ERROR_CODES[response.status_code], (persona, body)
            assert body["message"], persona
        answers[persona] = response
    return answers


def systematic_run(world):
    """A run on declared flows only: the brewery's 300 t of spent grain, the farm's 200 t need."""
    from tremplin.synergies.detection import start_detection

    run = start_detection(world.objects["caux"], mode="systematic", by=world.people["owner"])
    run.refresh_from_db()
    assert run.status == "done"
    return run
