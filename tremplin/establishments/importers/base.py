"""What every establishment importer shares: row errors, the parsed record, the report, CSV reading
and the geographic checks.

Importers only *read and validate*; writing is :func:`tremplin.establishments.services.import_establishments`,
which refuses the whole file as soon as one row is in error. Reasons are written in French: they are
shown as they are to the people who prepared the file, on the page and on the command line.
"""

from __future__ import annotations

import codecs
import csv
import heapq
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tremplin.establishments.cells import (  # noqa: F401 (re-exported: the importers' vocabulary)
    COMMUNE_CODE,
    CONTROL_CHARACTER,
    FRANCE_LAT,
    FRANCE_LON,
    NOT_DISCLOSED,
    RowError,
    check_band,
    check_naf,
    check_siret,
    check_text,
    clean,
    in_france,
    lambert93_to_wgs84,
    parse_decimal,
)
from tremplin.establishments.importers.limits import ImportLimits

# A CSV line longer than this is not a row of establishments (SIRENE's longest are under 2,000
# characters); reading it whole would put an arbitrary amount of the file in memory at once.
MAX_LINE_CHARS = 128 * 1024
PROGRESS_EVERY_LINES = 1_000

XLSX_SIGNATURE = b"PK\x03\x04"  # a zip archive: an XLSX (or ODS) workbook
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"  # an OLE2 compound file: the old Excel 97–2003 format
UTF8, CP1252 = "utf-8", "cp1252"
ENCODING_NAMES = {UTF8: "UTF-8", CP1252: "Windows-1252"}
_DETECTION_CHUNK = 1024 * 1024

Progress = Callable[[float], None]


@dataclass
class ParsedEstablishment:
    """A valid row, ready to be written in the territory."""

    line: int
    siret: str
    name: str
    naf_code: str
    headcount_band: str
    commune_code: str
    latitude: float | None  # None: place it at a point inside the commune
    longitude: float | None
    address: str = ""


class ErrorLog:
    """Every error of a file counted, the first ``limit`` of them (in line order) kept.

    A file whose million rows are all wrong costs a counter, not a million messages: the person who
    prepared it reads the first ones and how many others there are.

    >>> log = ErrorLog(limit=2)
    >>> for line in (9, 3, 5, 4):
    ...     log.add(RowError(line, "nom", "nom manquant"))
    >>> [error.line for error in log.listed], log.count, log.omitted
    ([3, 4], 4, 2)
    """

    def __init__(self, limit: int = ImportLimits.max_errors_listed):
        self.limit = max(1, limit)
        self.count = 0
        # A heap of the kept errors whose top is the one to drop first: the last line, then the last
        # error found on it (keys are negated; the sequence number also keeps equal lines in order).
        self._kept: list[tuple[tuple[int, int], RowError]] = []
        self._sequence = itertools.count()

    def add(self, error: RowError) -> None:
        self.count += 1
        item = ((-error.line, -next(self._sequence)), error)
        if len(self._kept) < self.limit:
            heapq.heappush(self._kept, item)
        elif item[0] > self._kept[0][0]:
            heapq.heapreplace(self._kept, item)

    append = add

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    @property
    def listed(self) -> list[RowError]:
        return [error for _key, error in sorted(self._kept, key=lambda item: item[0], reverse=True)]

    @property
    def omitted(self) -> int:
        return self.count - len(self._kept)

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self) -> Iterator[RowError]:
        return iter(self.listed)


@dataclass
class ParseResult:
    """What an importer read: valid rows of the territory, rows it left aside, and the errors."""

    records: list[ParsedEstablishment] = field(default_factory=list)
    errors: ErrorLog = field(default_factory=ErrorLog)
    skipped_inactive: int = 0
    skipped_outside: int = 0
    rows: int = 0
    encoding: str = ""  # how a CSV file was decoded (see :func:`detect_encoding`); empty for XLSX
    #: Latest date a register processed any of its rows (SIRENE: ``dateDernierTraitementEtablissement``),
    #: ISO ``YYYY-MM-DD``; empty when the file does not say. An extract is as recent as its latest row.
    latest_processing: str = ""

    @classmethod
    def within(cls, limits: ImportLimits) -> ParseResult:
        return cls(errors=ErrorLog(limits.max_errors_listed))


@dataclass
class ImportReport:
    kind: str
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped_inactive: int = 0
    skipped_outside: int = 0
    located_in_commune: int = 0  # rows without usable coordinates, placed at a point of their commune
    changed: int = 0  # establishments already recorded whose imported fields the file changed
    errors: list[RowError] = field(default_factory=list)  # the first ones (see ``error_count``)
    error_count: int = 0
    encoding: str = ""  # of a CSV file: "utf-8" or "cp1252" (see :func:`detect_encoding`)
    moved_to_commune: int = 0  # points outside their commune placed at the commune (import option)
    not_checked: int = 0  # points whose commune (and territory) has no boundary loaded
    kept_by_hand: int = 0  # fields corrected by hand that the import left as they were
    awaiting_confirmation: bool = False  # a preview was recorded on the job: nothing written yet
    job_id: int | None = None  # the import's record (tremplin.imports.models.ImportJob)

    @property
    def skipped(self) -> int:
        return self.skipped_inactive + self.skipped_outside

    @property
    def accepted(self) -> bool:
        return not self.error_count

    @property
    def errors_omitted(self) -> int:
        return max(0, self.error_count - len(self.errors))

    def set_errors(self, errors: ErrorLog | list[RowError]) -> None:
        if isinstance(errors, ErrorLog):
            self.errors, self.error_count = errors.listed, errors.count
        else:
            self.errors, self.error_count = list(errors), len(errors)

    def summary(self) -> str:
        return (
            f"{self.created} créés, {self.updated} mis à jour, {self.skipped} ignorés "
            f"({self.skipped_inactive} fermés, {self.skipped_outside} hors territoire)"
        )


class FileFormatError(Exception):
    """The file cannot be read at all (encoding, missing columns, not a spreadsheet)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def too_many_rows(line: int, limits: ImportLimits) -> FileFormatError:
    return FileFormatError(
        [
            RowError(
                line,
                "",
                f"le fichier dépasse {limits.max_rows:_} lignes de données".replace("_", " ")
                + " : découpez-le, ou importez-le en ligne de commande avec --max-rows",
            )
        ]
    )


class ProgressTicker:
    """Reports how far into the file a reader is (bytes read / size), every few hundred lines."""

    def __init__(self, stream, progress: Progress | None):
        self.stream, self.progress = stream, progress
        self.size = 0
        if progress is not None:
            position = stream.tell()
            self.size = stream.seek(0, io.SEEK_END)
            stream.seek(position)

    def __call__(self, line: int) -> None:
        if self.progress is not None and self.size and line % PROGRESS_EVERY_LINES == 0:
            self.progress(min(1.0, self.stream.tell() / self.size))


def normalise_commune_code(value: str) -> str:
    value = value.strip().upper()
    if value.isdigit() and len(value) == 4:  # a spreadsheet ate the leading zero of 01…09
        value = "0" + value
    return value


def _bounded_lines(text, first_line: int) -> Iterator[str]:
    """The physical lines of ``text``, each read with a bounded buffer (see :data:`MAX_LINE_CHARS`)."""
    line = first_line
    while True:
        chunk = text.readline(MAX_LINE_CHARS + 1)
        if not chunk:
            return
        if len(chunk) > MAX_LINE_CHARS:
            raise FileFormatError(
                [RowError(line, "", f"ligne trop longue (plus de {MAX_LINE_CHARS} caractères)")]
            )
        line += 1
        yield chunk


def detect_encoding(stream) -> str:
    """How to decode a CSV file: ``"utf-8"`` or ``"cp1252"`` (the stream is left at its start).

    The rule is deliberately simple, because the files given are either exported as "CSV UTF-8" (with
    or without a byte-order mark) or saved by Excel on Windows as plain "CSV", which is Windows-1252:
    a file whose bytes are all valid UTF-8 is UTF-8 (a Windows-1252 text with accents is practically
    never valid UTF-8, since its accented letters are lone bytes above 0x7F); any other file is read as
    Windows-1252, unless it holds one of the five bytes Windows-1252 leaves undefined, in which case it
    is neither and is refused. A statistical detector (charset-normalizer) would also propose encodings
    nobody sends us and can hesitate on short files; this rule never guesses.

    >>> import io
    >>> detect_encoding(io.BytesIO("nom;ville\\nCafé;Fécamp\\n".encode("utf-8")))
    'utf-8'
    >>> detect_encoding(io.BytesIO("nom;ville\\nCafé;Fécamp\\n".encode("cp1252")))
    'cp1252'
    """
    start = stream.tell()
    try:
        for encoding in (UTF8, CP1252):
            stream.seek(start)
            if _decodes(stream, encoding):
                return encoding
    finally:
        stream.seek(start)
    raise FileFormatError(
        [
            RowError(
                0,
                "",
                "le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 »",
            )
        ]
    )


def _decodes(stream, encoding: str) -> bool:
    """Whether the rest of ``stream`` decodes in ``encoding``, read by chunks (a file may be large)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(_DETECTION_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def refuse_workbook_as_csv(stream) -> None:
    """A workbook given where a CSV file is expected: say what it is and what to do."""
    start = stream.tell()
    head = stream.read(len(XLSX_SIGNATURE))
    stream.seek(start)
    if head == XLSX_SIGNATURE:
        raise FileFormatError(
            [
                RowError(
                    0,
                    "",
                    "ce fichier est un classeur Excel (XLSX), pas un fichier CSV : choisissez l'import "
                    "du modèle de la plateforme (qui lit les classeurs) ou enregistrez-le en CSV",
                )
            ]
        )
    if head == XLS_SIGNATURE:
        raise FileFormatError(
            [
                RowError(
                    0,
                    "",
                    "ce fichier est un classeur Excel 97–2003 (XLS), pas un fichier CSV : "
                    "enregistrez-le en CSV (ou en XLSX pour l'import du modèle de la plateforme)",
                )
            ]
        )


def csv_encoding(stream) -> str:
    """The encoding of a file given as CSV, after refusing a workbook with the message that helps."""
    refuse_workbook_as_csv(stream)
    return detect_encoding(stream)


def read_csv(
    stream,
    required: list[str],
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file (UTF-8 with or without BOM, or Windows-1252: ``encoding``, else detected by
    :func:`detect_encoding`; ``;`` or ``,`` separated, detected from the header) as (line number, row)
    pairs. Raise :class:`FileFormatError` when the file is a workbook, when the header lacks a required
    column, the file is not text or it has more lines than ``limits.max_rows``."""
    limits = limits or ImportLimits()
    encoding = encoding or csv_encoding(stream)
    ticker = ProgressTicker(stream, progress)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig" if encoding == UTF8 else encoding, newline="")
    start = 1
    try:
        header_line = next(_bounded_lines(text, 1), "")
        if not header_line.strip():
            raise FileFormatError([RowError(1, "", "le fichier est vide")])
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        header = next(csv.reader([header_line], delimiter=delimiter))
        header = [name.strip() for name in header]
        missing = [name for name in required if name not in header]
        if missing:
            raise FileFormatError(
                [RowError(1, name, "colonne obligatoire absente de l'en-tête") for name in missing]
            )
        reader = csv.reader(_bounded_lines(text, 2), delimiter=delimiter)
        start = 2
        for values in reader:
            line, start = start, reader.line_num + 2
            if line - 1 > limits.max_rows:
                raise too_many_rows(line, limits)
            ticker(line)
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                yield line, {"__width__": f"{len(values)} champs au lieu de {len(header)}"}
                continue
            yield line, dict(zip(header, values, strict=True))
    except UnicodeDecodeError:
        raise FileFormatError(
            [
                RowError(
                    start,
                    "",
                    f"le fichier n'est pas lisible en {ENCODING_NAMES.get(encoding, encoding)} "
                    "(enregistrez-le en « CSV UTF-8 »)",
                )
            ]
        ) from None
    except csv.Error as error:
        raise FileFormatError([RowError(start, "", f"CSV illisible ({error})")]) from None
    finally:
        text.detach()
