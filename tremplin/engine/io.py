"""CSV input and output of the ``tremplin detect`` command, with errors located by file, line and field.

COMPANIES.csv: ``id,name,naf,lat,lon,headcount`` (other columns ignored).  FLOWS.csv:
``company_id,direction,resource,quantity,unit`` (optional ``basis``: declared, workshop, register or
estimated; optional ``operation``: the waste's current treatment code, D1–D15 or R1–R13; optional
``upper_bound``: 1 when the quantity is a ceiling, a register's reporting threshold).
Both may be comma- or semicolon-separated, UTF-8 with or without BOM; a decimal comma is accepted with
semicolons.  Line numbers count the header as line 1.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from pathlib import Path

from . import naf as naf_module
from .exceptions import InputError, UnitError
from .knowledge import KnowledgeBase
from .model import BASES, DetectionResult, Establishment, Flow, operation_kind
from .units import convert

__all__ = [
    "COMPANY_COLUMNS",
    "FLOW_COLUMNS",
    "SYNERGY_COLUMNS",
    "read_companies",
    "read_flows",
    "result_json_text",
    "synergies_csv_text",
    "write_atomically",
]

COMPANY_COLUMNS = ("id", "name", "naf", "lat", "lon", "headcount")
FLOW_COLUMNS = ("company_id", "direction", "resource", "quantity", "unit")
SYNERGY_COLUMNS = (
    "rank",
    "type",
    "source_id",
    "target_id",
    "members",
    "resource",
    "quantity",
    "unit",
    "distance_km",
    "gain_eur_per_year",
    "co2_avoided_t_per_year",
    "confidence",
    "explanation",
)

_DIRECTIONS = {
    "out": "out",
    "in": "in",
    "gisement": "out",
    "besoin": "in",
    "output": "out",
    "input": "in",
    "sortie": "out",
    "entree": "in",
    "entrée": "in",
}


def _rows(path: str | Path, required: tuple[str, ...]):
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise InputError("fichier introuvable", file=name) from None
    except UnicodeDecodeError:
        raise InputError("le fichier doit être encodé en UTF-8", file=name) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("fichier vide (en-tête manquant)", file=name, row=1) from None
    columns = [h.strip().lower() for h in header]
    for column in required:
        if column not in columns:
            raise InputError(
                f"colonne obligatoire manquante (colonnes attendues : {','.join(required)})",
                file=name,
                row=1,
                field=column,
            )
    position = {c: columns.index(c) for c in columns}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {c: (values[i].strip() if i < len(values) else "") for c, i in position.items()}
        yield line, row, delimiter


def _number(raw: str, *, file: str, line: int, field: str, delimiter: str) -> float:
    text = raw.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if delimiter == ";":
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"nombre attendu, trouvé {raw!r}", file=file, row=line, field=field) from None
    if not math.isfinite(value):
        raise InputError(f"nombre fini attendu, trouvé {raw!r}", file=file, row=line, field=field)
    return value


def read_companies(path: str | Path, naf_nomenclature: str | None = None) -> list[Establishment]:
    """Read and validate COMPANIES.csv; raise :class:`InputError` at the first bad row.

    The ``naf`` column takes NAF rév. 2 or NAF 2025 codes; ``naf_nomenclature`` (``"rev2"``, ``"2025"``,
    None or ``"auto"``) says which one it holds, None/``"auto"`` telling from each code."""
    name = str(path)
    result = []
    seen: dict[str, int] = {}
    for line, row, delimiter in _rows(path, COMPANY_COLUMNS):
        ident = row["id"]
        if not ident:
            raise InputError("identifiant vide", file=name, row=line, field="id")
        if ident in seen:
            raise InputError(
                f"identifiant {ident!r} déjà utilisé ligne {seen[ident]}", file=name, row=line, field="id"
            )
        seen[ident] = line
        try:
            naf = naf_module.normalise_naf(row["naf"], naf_nomenclature)
        except naf_module.UnknownNafCode as error:
            which = "NAF 2025" if error.nomenclature == "2025" else "NAF rév. 2"
            raise InputError(
                f"code {which} inconnu {row['naf']!r}", file=name, row=line, field="naf"
            ) from None
        lat = _number(row["lat"], file=name, line=line, field="lat", delimiter=delimiter)
        if not -90 <= lat <= 90:
            raise InputError(
                f"latitude hors de l'intervalle [-90, 90] : {row['lat']}", file=name, row=line, field="lat"
            )
        lon = _number(row["lon"], file=name, line=line, field="lon", delimiter=delimiter)
        if not -180 <= lon <= 180:
            raise InputError(
                f"longitude hors de l'intervalle [-180, 180] : {row['lon']}", file=name, row=line, field="lon"
            )
        headcount = math.nan  # an empty headcount is unknown, not zero
        if row["headcount"]:
            headcount = _number(
                row["headcount"], file=name, line=line, field="headcount", delimiter=delimiter
            )
            if headcount < 0:
                raise InputError(
                    f"effectif négatif : {row['headcount']}", file=name, row=line, field="headcount"
                )
        result.append(Establishment(ident, row["name"], naf, lat, lon, headcount))
    return result


def read_flows(path: str | Path, establishments: list[Establishment], kb: KnowledgeBase) -> list[Flow]:
    """Read and validate FLOWS.csv against the establishments and the catalogue."""
    name = str(path)
    ids = {e.id for e in establishments}
    result = []
    for line, row, delimiter in _rows(path, FLOW_COLUMNS):
        if row["company_id"] not in ids:
            raise InputError(
                f"établissement inconnu {row['company_id']!r} (absent du fichier des entreprises)",
                file=name,
                row=line,
                field="company_id",
            )
        direction = _DIRECTIONS.get(row["direction"].lower())
        if direction is None:
            raise InputError(
                f"direction « out » (gisement) ou « in » (besoin) attendue, trouvé {row['direction']!r}",
                file=name,
                row=line,
                field="direction",
            )
        resource = kb.resources.get(row["resource"])
        if resource is None:
            raise InputError(
                f"ressource inconnue du catalogue {row['resource']!r} (voir « tremplin catalogue »)",
                file=name,
                row=line,
                field="resource",
            )
        quantity = _number(row["quantity"], file=name, line=line, field="quantity", delimiter=delimiter)
        if quantity < 0:
            raise InputError(f"quantité négative : {row['quantity']}", file=name, row=line, field="quantity")
        unit = row["unit"] or resource.unit
        try:
            convert(1.0, unit, resource.unit, density=resource.density, mwh_per_t=resource.mwh_per_t)
        except UnitError as error:
            raise InputError(
                f"{error} (unité de la ressource : {resource.unit})", file=name, row=line, field="unit"
            ) from None
        basis = (row.get("basis") or "declared").lower()
        if basis not in BASES:
            raise InputError(
                f"base inconnue {basis!r} ({', '.join(BASES)})",
                file=name,
                row=line,
                field="basis",
            )
        operation = (row.get("operation") or "").strip().upper()
        if operation and not operation_kind(operation):
            raise InputError(
                f"code d'opération de traitement inconnu {operation!r} (D1 à D15, R1 à R13)",
                file=name,
                row=line,
                field="operation",
            )
        upper_bound = (row.get("upper_bound") or "").strip().lower() in ("1", "true", "oui", "yes")
        result.append(
            Flow(row["company_id"], direction, resource.code, quantity, unit, basis, operation, upper_bound)
        )
    return result


def _num(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return "0" if text.strip("-0.") == "" else text


def synergies_csv_text(result: DetectionResult, *, plan: bool) -> str:
    """SYNERGIES.csv content: one row per opportunity, best first (``in_plan`` added with a plan)."""
    import io as _io

    buffer = _io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*SYNERGY_COLUMNS, "in_plan"] if plan else SYNERGY_COLUMNS)
    for o in result.opportunities:
        row = [
            o.rank,
            o.type,
            o.source_id or "",
            o.target_id or "",
            ";".join(o.members),
            o.resource,
            _num(o.quantity, 3),
            o.unit,
            _num(o.distance_km, 2),
            _num(o.gain_eur_per_year, 0),
            _num(o.co2_avoided_t_per_year, 3),
            o.confidence,
            o.explanation,
        ]
        if plan:
            row.append("true" if o.in_plan else "false")
        writer.writerow(row)
    return buffer.getvalue()


def result_json_text(result: DetectionResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False, indent=1)


def write_atomically(outputs: dict[str | Path, str]) -> None:
    """Write every file to a temporary sibling first, then rename them all: nothing half-written."""
    staged = []
    try:
        for path, text in outputs.items():
            target = Path(path)
            handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            os.chmod(temp, 0o644)
            staged.append((temp, target))
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            if os.path.exists(temp):
                os.unlink(temp)
