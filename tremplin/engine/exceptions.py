"""Typed errors of the synergy engine.

Every error the engine raises on purpose derives from :class:`EngineError`, so that a caller (the CLI, a
web view, a background job) can turn it into a message without catching unrelated bugs.

>>> try:
...     raise InputError("Quantité négative", file="flows.csv", row=3, field="quantity")
... except EngineError as error:
...     print(error)
flows.csv, ligne 3, champ « quantity » : Quantité négative
"""

from __future__ import annotations

__all__ = [
    "EngineError",
    "InputError",
    "KnowledgeBaseError",
    "UnitError",
    "UnknownResource",
]


class EngineError(Exception):
    """Base class of every error raised on purpose by :mod:`tremplin.engine`."""


class KnowledgeBaseError(EngineError):
    """A reference-data file is missing, malformed or inconsistent.

    ``path`` names the file and ``where`` the entry (``resources[12].density`` for instance).
    """

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None) -> None:
        self.message = message
        self.path = path
        self.where = where
        location = ": ".join(part for part in (path, where) if part)
        super().__init__(f"{location}: {message}" if location else message)


class UnitError(EngineError, ValueError):
    """A unit is unknown, or cannot be converted into the unit asked for."""


class UnknownResource(EngineError, KeyError):
    """A resource code is not in the catalogue."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)

    def __str__(self) -> str:
        return f"ressource inconnue du catalogue : {self.code!r}"


class InputError(EngineError, ValueError):
    """Bad caller input, located as precisely as possible.

    ``row`` is the line number in the file (the header is line 1), ``field`` the column name.
    """

    def __init__(
        self, message: str, *, file: str | None = None, row: int | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        parts = []
        if file:
            parts.append(file)
        if row is not None:
            parts.append(f"ligne {row}")
        if field:
            parts.append(f"champ « {field} »")
        prefix = ", ".join(parts)
        super().__init__(f"{prefix} : {message}" if prefix else message)
