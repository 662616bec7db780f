"""Helpers of the places tests (territories, establishments, catalogue, indicators, GeoJSON layers)."""

from tests.api.conftest import ALL_PERSONAS


def statuses(as_persona, method: str, path: str, body=None, **query) -> dict[str, int]:
    """The status each persona of the conftest gets for one request (one world for all of them)."""
    answers = {}
    for persona in ALL_PERSONAS:
        client = as_persona(persona)
        if method == "get":
            response = client.get(path, **query)
        else:
            response = client.request(method, path, body() if callable(body) else body)
        answers[persona] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"code", "message", "field", "errors"}, (persona, response.json())
    return answers
