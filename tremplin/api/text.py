"""Text the API accepts: a bounded length and no NUL character (PostgreSQL refuses it in a text column,
which would otherwise be a server error instead of a 422 naming the field).

``Text(200)`` is the type of a field (body or query) of at most 200 characters; its OpenAPI description
says both rules (``maxLength`` and a ``pattern`` without NUL), so that a client, and the fuzzer, know them.
"""

from __future__ import annotations

from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field, StringConstraints

#: The pattern the OpenAPI description gives for every text: any character but NUL.
NO_NUL_PATTERN = r"^[^\x00]*$"


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("This text contains a NUL character, which is not allowed."))
    return value


def Text(max_length: int, *, min_length: int = 0):
    """A text of ``min_length`` to ``max_length`` characters, without NUL."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(refuse_nul),
        Field(json_schema_extra={"pattern": NO_NUL_PATTERN}),
    ]
