"""Importers of establishments: one module per file layout, all registered here.

An importer reads a binary stream and the INSEE codes of the territory's communes (and optionally
:class:`~tremplin.establishments.importers.limits.ImportLimits` and a progress callback taking the
fraction of the file read), and returns a :class:`~tremplin.establishments.importers.base.ParseResult`;
it never writes. Adding a layout is adding a module and a line to :data:`IMPORTERS`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tremplin.establishments.importers.base import (
    ErrorLog,
    FileFormatError,
    ImportReport,
    ParsedEstablishment,
    ParseResult,
    RowError,
    lambert93_to_wgs84,
)
from tremplin.establishments.importers.limits import ImportLimits
from tremplin.establishments.importers.sirene import read_sirene
from tremplin.establishments.importers.template import read_template
from tremplin.establishments.models import DataOrigin

__all__ = [
    "IMPORTERS",
    "ErrorLog",
    "FileFormatError",
    "ImportLimits",
    "ImportReport",
    "Importer",
    "ParseResult",
    "ParsedEstablishment",
    "RowError",
    "get_importer",
    "lambert93_to_wgs84",
]


@dataclass(frozen=True)
class Importer:
    key: str
    label: str
    read: Callable[..., ParseResult]
    origin: str  # DataOrigin of the establishments it writes


IMPORTERS: dict[str, Importer] = {
    "sirene": Importer(
        "sirene", _("SIRENE establishment file (INSEE CSV layout)"), read_sirene, DataOrigin.SIRENE
    ),
    "template": Importer("template", _("Platform template (CSV or XLSX)"), read_template, DataOrigin.IMPORT),
}


def get_importer(key: str) -> Importer:
    try:
        return IMPORTERS[key]
    except KeyError:
        raise ValueError(f"unknown importer {key!r} (known: {', '.join(IMPORTERS)})") from None
