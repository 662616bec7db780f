"""Reading the files ``tremplin potential`` writes: ``potentials.csv`` / ``potentials.parquet`` (one row
per EPCI) and ``potentials_by_family.csv`` / ``.parquet``.

The columns are the contract between the national run and the platform (see tremplin/national); other
columns are ignored. Every row is checked before anything is written: a missing column, a value that is
not a number, an EPCI SIREN the platform's geography does not know, a run's sentence that changes from
row to row… each error names its line (CSV: the header is line 1) or row (Parquet: the first data row is
row 1) and its field. The caller writes nothing unless the list of errors is empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tremplin.synergies.enums import Basis

__all__ = [
    "FAMILY_COLUMNS",
    "MAIN_COLUMNS",
    "FamilyRow",
    "MainRow",
    "ParsedFiles",
    "PotentialFileRejected",
    "RowError",
    "parse_files",
]

MAIN_COLUMNS = (
    "epci",
    "name",
    "departement",
    "region",
    "establishments",
    "employees",
    "leads",
    "substitution_leads",
    "mutualisation_leads",
    "tonnes_per_year",
    "co2e_t_per_year",
    "gain_eur_per_year",
    "score",
    "basis",
    "source",
    "computed_at",
    "kb_version",
)
FAMILY_COLUMNS = ("epci", "family", "leads", "tonnes_per_year", "co2e_t_per_year", "gain_eur_per_year")
_MAIN_INTEGERS = ("establishments", "leads", "substitution_leads", "mutualisation_leads")
_MAIN_FLOATS = ("employees", "tonnes_per_year", "co2e_t_per_year", "gain_eur_per_year", "score")
_FAMILY_INTEGERS = ("leads",)
_FAMILY_FLOATS = ("tonnes_per_year", "co2e_t_per_year", "gain_eur_per_year")
#: Fields that describe the run, the same on every row of one file. The source sentence is each row's
#: own (``tremplin potential`` says there how many establishments of the EPCI it rests on).
_RUN_FIELDS = ("computed_at", "kb_version")

#: Some 1,250 EPCIs in France: a file of many more rows is not a potentials file.
MAX_MAIN_ROWS = 5_000
MAX_FAMILY_ROWS = 500_000
MAX_ERRORS_LISTED = 100

_SIREN = re.compile(r"\d{9}")
_CODE = re.compile(r"[0-9A-Za-z]{1,3}")
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class RowError:
    """One reason the files are refused. ``where`` names the file's line or row ("" for the file)."""

    file: str
    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        place = f"{self.file}, {self.where}" if self.where else self.file
        if self.field:
            return _("%(place)s, %(field)s: %(reason)s") % {
                "place": place,
                "field": self.field,
                "reason": self.reason,
            }
        return _("%(place)s: %(reason)s") % {"place": place, "reason": self.reason}


class PotentialFileRejected(Exception):
    """The files were refused; nothing was written. ``errors`` lists the first of them."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__("; ".join(str(error) for error in errors))

    @property
    def omitted(self) -> int:
        return self.total - len(self.errors)


@dataclass
class MainRow:
    where: str
    siren: str
    name: str
    department_code: str
    region_code: str
    establishments: int
    employees: float
    leads: int
    substitution_leads: int
    mutualisation_leads: int
    tonnes_per_year: float
    co2e_t_per_year: float
    gain_eur_per_year: float
    score: float
    basis: str
    source: str

    @property
    def leads_per_100(self) -> float | None:
        return self.leads * 100 / self.establishments if self.establishments else None


@dataclass
class FamilyRow:
    where: str
    siren: str
    family: str
    leads: int
    tonnes_per_year: float
    co2e_t_per_year: float
    gain_eur_per_year: float


@dataclass
class ParsedFiles:
    #: The sentence of every row when they all have the same, else "" (each row keeps its own).
    source: str
    computed_at: dt.datetime
    kb_version: str
    basis: str
    rows: list[MainRow] = field(default_factory=list)
    families: list[FamilyRow] = field(default_factory=list)
    #: SIRENs of the file left aside because the platform's geography does not hold them (on request).
    skipped: list[str] = field(default_factory=list)


class _Errors:
    def __init__(self):
        self.kept: list[RowError] = []
        self.total = 0

    def add(self, file, where, field_name, reason):
        self.total += 1
        if len(self.kept) < MAX_ERRORS_LISTED:
            self.kept.append(RowError(file, where, field_name, str(reason)))

    def __bool__(self):
        return self.total > 0


# --- Tables -----------------------------------------------------------------------------------------


def _read_table(name: str, content: bytes, errors: _Errors, max_rows: int):
    """``(columns, [(where, {column: value})])`` of a CSV or Parquet file, or None when unreadable."""
    if content.startswith(PARQUET_MAGIC) or name.lower().endswith(".parquet"):
        return _read_parquet(name, content, errors, max_rows)
    return _read_csv(name, content, errors, max_rows)


def _read_parquet(name, content, errors, max_rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(content))
    except (pa.ArrowException, OSError, ValueError):
        errors.add(name, "", "", _("the file is not a readable Parquet file"))
        return None
    if table.num_rows > max_rows:
        errors.add(
            name,
            "",
            "",
            _("%(n)s rows: more than the %(max)s allowed") % {"n": table.num_rows, "max": max_rows},
        )
        return None
    records = table.to_pylist()
    return table.column_names, [(_("row %(n)s") % {"n": i}, record) for i, record in enumerate(records, 1)]


def _read_csv(name, content, errors, max_rows):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.add(name, "", "", _("the file is not UTF-8 text (CSV) nor a Parquet file"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        errors.add(name, "", "", _("the file is empty"))
        return None
    columns = [column.strip() for column in header]
    rows = []
    try:
        for line, values in enumerate(reader, 2):
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= max_rows:
                errors.add(name, "", "", _("more than the %(max)s rows allowed") % {"max": max_rows})
                return None
            where = _("line %(n)s") % {"n": line}
            if len(values) != len(columns):
                errors.add(
                    name,
                    where,
                    "",
                    _("%(n)s values for %(columns)s columns") % {"n": len(values), "columns": len(columns)},
                )
                continue
            rows.append((where, dict(zip(columns, values, strict=True))))
    except csv.Error as error:
        errors.add(name, "", "", _("the CSV file cannot be read: %(error)s") % {"error": error})
        return None
    return columns, rows


def _missing_columns(name, columns, expected, errors) -> bool:
    missing = [column for column in expected if column not in columns]
    for column in missing:
        errors.add(name, "", column, _("missing column"))
    return bool(missing)


# --- Values ------------------------------------------------------------------------------------------


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _text(value) -> str:
    return "" if _blank(value) else str(value).strip()


#: Figures that may be below zero: a net CO2e balance is negative where the transport of a resource emits
#: more than its use avoids (crop residues hauled far, say); counts, tonnes and euros never are.
_SIGNED = frozenset({"co2e_t_per_year"})


def _number(value, *, signed: bool = False):
    """A finite float (not negative unless ``signed``), or raises ValueError with the reason."""
    if _blank(value):
        raise ValueError(_("missing value"))
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number") % {"value": value})
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(_("“%(value)s” is not a number") % {"value": value}) from None
    if not math.isfinite(number):
        raise ValueError(_("“%(value)s” is not a number") % {"value": value})
    if number < 0 and not signed:
        raise ValueError(_("%(value)s is negative") % {"value": value})
    return number


def _integer(value) -> int:
    number = _number(value)
    if not number.is_integer():
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": value})
    return int(number)


def _timestamp(value) -> dt.datetime:
    if _blank(value):
        raise ValueError(_("missing value"))
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not an ISO 8601 date and time") % {"value": value}) from None
    # The run writes UTC; a time without its offset is read as UTC too.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _numbers(name, where, record, integers, floats, errors) -> dict | None:
    values, ok = {}, True
    for column in integers:
        try:
            values[column] = _integer(record.get(column))
        except ValueError as reason:
            errors.add(name, where, column, reason)
            ok = False
    for column in floats:
        try:
            values[column] = _number(record.get(column), signed=column in _SIGNED)
        except ValueError as reason:
            errors.add(name, where, column, reason)
            ok = False
    return values if ok else None


def _siren(name, where, record, errors) -> str | None:
    value = _text(record.get("epci"))
    if isinstance(record.get("epci"), int) and not isinstance(record.get("epci"), bool):
        value = f"{record['epci']:09d}"  # a Parquet writer may have stored the SIREN as a number
    if not _SIREN.fullmatch(value):
        errors.add(name, where, "epci", _("“%(value)s” is not a SIREN (9 digits)") % {"value": value})
        return None
    return value


# --- Files --------------------------------------------------------------------------------------------


def _parse_main(name, content, known_sirens, errors, skip_unknown) -> ParsedFiles | None:
    table = _read_table(name, content, errors, MAX_MAIN_ROWS)
    if table is None:
        return None
    columns, records = table
    if _missing_columns(name, columns, MAIN_COLUMNS, errors):
        return None
    if not records:
        errors.add(name, "", "", _("no EPCI row in the file"))
        return None
    run: dict = {}
    parsed = ParsedFiles(source="", computed_at=dt.datetime.now(dt.UTC), kb_version="", basis=Basis.ESTIMATED)
    seen: dict[str, str] = {}
    for where, record in records:
        siren = _siren(name, where, record, errors)
        if siren is not None:
            if siren in seen:
                errors.add(
                    name,
                    where,
                    "epci",
                    _("%(siren)s is already on %(where)s") % {"siren": siren, "where": seen[siren]},
                )
                siren = None
            elif siren not in known_sirens and skip_unknown:
                parsed.skipped.append(siren)
                seen[siren] = where
                siren = None
                continue
            elif siren not in known_sirens:
                errors.add(
                    name,
                    where,
                    "epci",
                    _(
                        "unknown EPCI SIREN %(siren)s: load the geography of its region first "
                        "(tremplin load-geo --region CODE, or --all)"
                    )
                    % {"siren": siren},
                )
                seen[siren] = where
                siren = None
            else:
                seen[siren] = where
        epci_name = _text(record.get("name"))
        if not epci_name:
            errors.add(name, where, "name", _("missing value"))
        codes = {}
        for column in ("departement", "region"):
            codes[column] = _text(record.get(column))
            if codes[column] and not _CODE.fullmatch(codes[column]):
                errors.add(
                    name, where, column, _("“%(value)s” is not an INSEE code") % {"value": codes[column]}
                )
        source = _text(record.get("source"))
        if not source:
            errors.add(name, where, "source", _("missing value"))
        basis = _text(record.get("basis"))
        if basis not in Basis.values:
            errors.add(
                name,
                where,
                "basis",
                _("“%(value)s” is not a basis (%(known)s)")
                % {"value": basis, "known": ", ".join(Basis.values)},
            )
        for column in _RUN_FIELDS:
            value = _text(record.get(column)) if column != "computed_at" else record.get(column)
            if column == "computed_at":
                try:
                    value = _timestamp(value)
                except ValueError as reason:
                    errors.add(name, where, column, reason)
                    continue
            elif not value:
                errors.add(name, where, column, _("missing value"))
                continue
            if column not in run:
                run[column] = (value, where)
            elif run[column][0] != value:
                errors.add(
                    name,
                    where,
                    column,
                    _("differs from %(where)s: one file holds one run") % {"where": run[column][1]},
                )
        figures = _numbers(name, where, record, _MAIN_INTEGERS, _MAIN_FLOATS, errors)
        if (
            figures is not None
            and figures["leads"] != figures["substitution_leads"] + figures["mutualisation_leads"]
        ):
            errors.add(
                name,
                where,
                "leads",
                _("%(leads)s is not substitution_leads + mutualisation_leads (%(s)s + %(m)s)")
                % {
                    "leads": figures["leads"],
                    "s": figures["substitution_leads"],
                    "m": figures["mutualisation_leads"],
                },
            )
            figures = None
        if siren is None or figures is None or not epci_name or not source or basis not in Basis.values:
            continue
        parsed.rows.append(
            MainRow(
                where=where,
                siren=siren,
                name=epci_name[:200],
                department_code=codes["departement"],
                region_code=codes["region"],
                basis=basis,
                source=source,
                **figures,
            )
        )
    if errors:
        return None
    sources = {row.source for row in parsed.rows}
    parsed.source = sources.pop() if len(sources) == 1 else ""
    parsed.computed_at = run["computed_at"][0]
    parsed.kb_version = run["kb_version"][0][:100]
    bases = {row.basis for row in parsed.rows}
    parsed.basis = bases.pop() if len(bases) == 1 else Basis.ESTIMATED
    return parsed


def _parse_families(name, content, main_sirens, errors, skipped=frozenset()) -> list[FamilyRow]:
    table = _read_table(name, content, errors, MAX_FAMILY_ROWS)
    if table is None:
        return []
    columns, records = table
    if _missing_columns(name, columns, FAMILY_COLUMNS, errors):
        return []
    rows, seen = [], {}
    for where, record in records:
        siren = _siren(name, where, record, errors)
        if siren in skipped:
            continue
        if siren is not None and siren not in main_sirens:
            errors.add(
                name, where, "epci", _("%(siren)s has no row in the potentials file") % {"siren": siren}
            )
            siren = None
        family = _text(record.get("family"))
        if not family:
            errors.add(name, where, "family", _("missing value"))
        elif siren is not None and (siren, family) in seen:
            errors.add(
                name,
                where,
                "family",
                _("%(family)s of %(siren)s is already on %(where)s")
                % {"family": family, "siren": siren, "where": seen[(siren, family)]},
            )
            family = ""
        else:
            seen[(siren, family)] = where
        figures = _numbers(name, where, record, _FAMILY_INTEGERS, _FAMILY_FLOATS, errors)
        if siren is None or not family or figures is None:
            continue
        rows.append(FamilyRow(where=where, siren=siren, family=family[:100], **figures))
    return rows


def parse_files(
    main_name: str,
    main_content: bytes,
    known_sirens,
    *,
    family_name: str = "",
    family_content: bytes | None = None,
    skip_unknown: bool = False,
) -> ParsedFiles:
    """Both files checked in full; raises :class:`PotentialFileRejected` listing the first errors.

    ``known_sirens``: the SIRENs of the EPCIs the platform's geography holds (a set). An EPCI outside it
    is an error, unless ``skip_unknown`` (a national file on a platform holding one region's geography):
    its rows are then left aside and listed in ``skipped``, the other rows of the file still checked.
    """
    errors = _Errors()
    parsed = _parse_main(main_name, main_content, known_sirens, errors, skip_unknown)
    # The families are checked against the EPCIs of a valid potentials file only (otherwise each of
    # their rows would repeat the main file's errors).
    if family_content is not None and parsed is not None:
        main_sirens = {row.siren for row in parsed.rows}
        parsed.families = _parse_families(
            family_name, family_content, main_sirens, errors, frozenset(parsed.skipped)
        )
    if errors or parsed is None:
        raise PotentialFileRejected(errors.kept, errors.total)
    return parsed
