"""Reads the JSON that Géorisques' public API v1 returns for the installations classées of a commune
(``GET /api/v1/installations_classees?code_insee=76351``), saved to a file by the user.

Accepted layouts: one response (``{"results", "page", "total_pages", "data": [...], "next", ...}``), a
list of responses (the pages of one commune, or several communes), a mapping of INSEE codes to responses,
or a bare list of installations. Each installation of ``data``: ``codeAIOT``, ``raisonSociale``,
``siret``, ``adresse1``-``adresse3``, ``codePostal``, ``codeInsee``, ``commune``, ``longitude``,
``latitude`` (WGS 84), ``regime``, ``statutSeveso``, ``etatActivite``, ``codeNaf``, ``ied``, ``date_maj``
and ``rubriques``: ``numeroRubrique``, ``alinea``, ``regimeAutoriseAlinea``, ``nature``, ``quantiteTotale``,
``unite``.

>>> parsed = parse_installations(b'{"data": [{"codeAIOT": "0005801234", "raisonSociale": "Valo",'
...     b' "rubriques": [{"numeroRubrique": "2791", "alinea": "1",'
...     b' "regimeAutoriseAlinea": "Autorisation"}]}]}')
>>> parsed.installations[0].rubriques[0].regime
'A'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tremplin.engine.authorisation import normalise_regime
from tremplin.establishments.siret import siret_error

__all__ = ["IcpeError", "ParsedFile", "ParsedInstallation", "ParsedRubrique", "parse_installations"]

_RUBRIQUE = re.compile(r"^(\d{4})(?:[-\s.]+(.+))?$")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@dataclass(frozen=True)
class IcpeError:
    """What is wrong, and where: the installation (position and AIOT code), the rubrique, the field."""

    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field} : {self.reason}"


@dataclass(frozen=True)
class ParsedRubrique:
    code: str
    alinea: str
    regime: str
    regime_label: str
    nature: str
    quantity: str
    unit: str


@dataclass
class ParsedInstallation:
    aiot_code: str
    name: str
    siret: str
    address: str
    postal_code: str
    commune_insee: str
    commune_name: str
    latitude: float | None
    longitude: float | None
    regime: str
    seveso: str
    activity_state: str
    naf_code: str
    ied: bool | None
    updated_in_source: str
    rubriques: list[ParsedRubrique] = field(default_factory=list)


@dataclass
class ParsedFile:
    installations: list[ParsedInstallation]
    errors: list[IcpeError]
    responses: int = 0
    duplicates: int = 0


def _text(value, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError("une valeur simple est attendue")
    text = " ".join(str(value).split())
    if any(ord(c) < 32 for c in text):
        raise ValueError("caractère de contrôle")
    if len(text) > limit:
        raise ValueError(f"plus de {limit} caractères")
    return text


def _number(value, low: float, high: float) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("un nombre est attendu")
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        raise ValueError(f"un nombre est attendu, pas {str(value)[:30]!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{number} hors de [{low}, {high}]")
    return number


def _installation_lists(document) -> tuple[list, int]:
    """The installations of every response in the document, and the number of responses."""
    if isinstance(document, dict) and "data" in document:
        if not isinstance(document["data"], list):
            raise ValueError("« data » doit être une liste d'installations")
        return list(document["data"]), 1
    if isinstance(document, dict) and document and all(_INSEE.match(str(k)) for k in document):
        found, count = [], 0
        for response in document.values():
            items, n = _installation_lists(response)
            found += items
            count += n
        return found, count
    if isinstance(document, list):
        if all(isinstance(item, dict) and "data" in item for item in document) and document:
            found, count = [], 0
            for response in document:
                items, n = _installation_lists(response)
                found += items
                count += n
            return found, count
        if all(isinstance(item, dict) and "codeAIOT" in item for item in document):
            return list(document), 1
    raise ValueError(
        "ce n'est pas une réponse de l'API Géorisques installations_classees (objet avec « data », liste de "
        "réponses, ou réponses par code INSEE)"
    )


def _rubrique(raw, where: str, errors: list[IcpeError]) -> ParsedRubrique | None:
    if not isinstance(raw, dict):
        errors.append(IcpeError(where, "rubriques", "un objet est attendu"))
        return None
    try:
        number = _text(raw.get("numeroRubrique"), 20)
    except ValueError as error:
        errors.append(IcpeError(where, "numeroRubrique", str(error)))
        return None
    match = _RUBRIQUE.match(number)
    if not match:
        reason = "manquant" if not number else f"{number!r} n'est pas un numéro de rubrique (4 chiffres)"
        errors.append(IcpeError(where, "numeroRubrique", reason))
        return None
    values = {}
    for key, name, limit in (
        ("alinea", "alinea", 40),
        ("regimeAutoriseAlinea", "regime_label", 100),
        ("nature", "nature", 2000),
        ("quantiteTotale", "quantity", 100),
        ("unite", "unit", 50),
    ):
        try:
            values[name] = _text(raw.get(key), limit)
        except ValueError as error:
            errors.append(IcpeError(where, key, str(error)))
            return None
    alinea = values["alinea"] or (match.group(2) or "").strip()
    return ParsedRubrique(
        code=match.group(1),
        alinea=alinea,
        regime=normalise_regime(values["regime_label"]),
        regime_label=values["regime_label"],
        nature=values["nature"],
        quantity=values["quantity"],
        unit=values["unit"],
    )


def _installation(raw, position: int, errors: list[IcpeError]) -> ParsedInstallation | None:
    where = f"installation {position}"
    if not isinstance(raw, dict):
        errors.append(IcpeError(where, "data", "un objet est attendu"))
        return None
    before = len(errors)
    aiot = ""
    try:
        aiot = _text(raw.get("codeAIOT"), 20)
    except ValueError as error:
        errors.append(IcpeError(where, "codeAIOT", str(error)))
    if not aiot and len(errors) == before:
        errors.append(IcpeError(where, "codeAIOT", "manquant"))
    if aiot:
        where = f"installation {position} (AIOT {aiot})"
    values = {}
    for key, name, limit in (
        ("raisonSociale", "name", 300),
        ("codePostal", "postal_code", 10),
        ("codeInsee", "commune_insee", 5),
        ("commune", "commune_name", 200),
        ("regime", "regime", 100),
        ("statutSeveso", "seveso", 100),
        ("etatActivite", "activity_state", 100),
        ("codeNaf", "naf_code", 10),
        ("date_maj", "updated_in_source", 40),
        ("siret", "siret", 20),
    ):
        try:
            values[name] = _text(raw.get(key), limit)
        except ValueError as error:
            errors.append(IcpeError(where, key, str(error)))
    if "name" in values and not values["name"]:
        errors.append(IcpeError(where, "raisonSociale", "manquant"))
    siret = values.get("siret", "").replace(" ", "")
    if siret and siret_error(siret):
        errors.append(IcpeError(where, "siret", f"{siret!r} : {siret_error(siret)}"))
    insee = values.get("commune_insee", "")
    if insee and not _INSEE.match(insee):
        errors.append(IcpeError(where, "codeInsee", f"{insee!r} n'est pas un code INSEE de commune"))
    coordinates = {}
    for key, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        try:
            coordinates[key] = _number(raw.get(key), low, high)
        except ValueError as error:
            errors.append(IcpeError(where, key, str(error)))
    address = []
    for key in ("adresse1", "adresse2", "adresse3"):
        try:
            address.append(_text(raw.get(key), 200))
        except ValueError as error:
            errors.append(IcpeError(where, key, str(error)))
    ied = raw.get("ied")
    if ied is not None and not isinstance(ied, bool):
        errors.append(IcpeError(where, "ied", "vrai ou faux attendu"))
    rubriques_raw = raw.get("rubriques") or []
    rubriques = []
    if not isinstance(rubriques_raw, list):
        errors.append(IcpeError(where, "rubriques", "une liste est attendue"))
    else:
        for index, item in enumerate(rubriques_raw, start=1):
            rubrique = _rubrique(item, f"{where}, rubrique {index}", errors)
            if rubrique is not None:
                rubriques.append(rubrique)
    if len(errors) > before:
        return None
    return ParsedInstallation(
        aiot_code=aiot,
        name=values["name"],
        siret=siret,
        address=" ".join(part for part in address if part),
        postal_code=values["postal_code"],
        commune_insee=insee,
        commune_name=values["commune_name"],
        latitude=coordinates["latitude"],
        longitude=coordinates["longitude"],
        regime=values["regime"],
        seveso=values["seveso"],
        activity_state=values["activity_state"],
        naf_code=values["naf_code"],
        ied=ied,
        updated_in_source=values["updated_in_source"],
        rubriques=rubriques,
    )


def parse_installations(content: bytes | str) -> ParsedFile:
    """Every installation of the file, or the errors that refuse it (naming installation, rubrique, field).

    An installation found twice (two pages, or two files of neighbouring communes) is kept once.
    """
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        return ParsedFile([], [IcpeError("fichier", "JSON", f"illisible ({error})")])
    try:
        raws, responses = _installation_lists(document)
    except ValueError as error:
        return ParsedFile([], [IcpeError("fichier", "structure", str(error))])
    errors: list[IcpeError] = []
    by_aiot: dict[str, ParsedInstallation] = {}
    duplicates = 0
    for position, raw in enumerate(raws, start=1):
        installation = _installation(raw, position, errors)
        if installation is None:
            continue
        if installation.aiot_code in by_aiot:
            duplicates += 1
        by_aiot[installation.aiot_code] = installation
    return ParsedFile(list(by_aiot.values()), errors, responses, duplicates)
