"""Text types of request schemas: lengths bounded, and no character that the database refuses.

PostgreSQL refuses a NUL in a text parameter (a 500 if it reached the query), and no name or code holds
a control character: a one-line text refuses them all, a multi-line text (notes) keeps line breaks and
tabs only. A search box's text is cleaned instead of refused, as in the interface
(:mod:`tremplin.www.search_terms`).

>>> from pydantic import TypeAdapter
>>> TypeAdapter(SearchText).validate_python("bra\\x00sserie")
'bra sserie'
"""

from __future__ import annotations

import re
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

from tremplin.www.search_terms import search_term

__all__ = ["MultiLineText", "SearchText", "SingleLineText", "multi_line", "single_line"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(_("This text holds a control character (such as a line break or NUL)."))
    return value


def _no_control_but_lines(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise ValueError(_("This text holds a control character (such as NUL)."))
    return value


def single_line(max_length: int, *, min_length: int = 0):
    """A one-line text of at most ``max_length`` characters, without control characters."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_control)]


def multi_line(max_length: int, *, min_length: int = 0):
    """A text of at most ``max_length`` characters; line breaks and tabs allowed, no other control."""
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_no_control_but_lines)
    ]


SingleLineText = single_line(200)
MultiLineText = multi_line(10_000)
#: What a search box sends: at most 100 characters, control characters turned into spaces.
SearchText = Annotated[str, Field(max_length=100), AfterValidator(search_term)]
