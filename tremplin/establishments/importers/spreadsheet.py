"""Rows of an XLSX workbook, read without letting a small file become a large amount of work.

An XLSX file is a zip of XML documents: 300 KB on disk can declare two million rows. Before openpyxl
parses anything, :func:`inspect_xlsx` reads the zip's directory and refuses a workbook whose members
declare too much once uncompressed, or one compressed beyond what a spreadsheet ever is. The declared
sizes can be trusted: Python's ``zipfile`` stops a member at its declared size and then fails on its
checksum, so a member cannot expand beyond what the directory says.

Only worksheets are streamed by openpyxl: the other parts (shared strings, styles) are loaded whole,
so each of them has a smaller cap of its own. Rows are then streamed (openpyxl's read-only mode),
every line counted against the row limit, and
each row cut at the header's width: the sheet's declared dimensions are ignored, so a sheet claiming
16,384 columns or a million rows costs nothing by itself. Entity expansion in the XML ("billion
laughs") is refused by the expat parser itself (expat ≥ 2.4).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from tremplin.establishments.importers.base import (
    FileFormatError,
    Progress,
    ProgressTicker,
    RowError,
    clean,
    too_many_rows,
)
from tremplin.establishments.importers.limits import MB, ImportLimits

XLSX_MAGIC = b"PK\x03\x04"
MAX_HEADER_COLUMNS = 200
# Below this size a member cannot cost much whatever its compression ratio (styles, themes).
RATIO_CHECKED_FROM_BYTES = 1 * MB
# What a broken or hostile workbook makes openpyxl, zipfile or the XML parser raise.
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    ParseError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    EOFError,
    OSError,
    NotImplementedError,
)


def _size(count: int) -> str:
    return f"{count // MB} Mo" if count >= MB else f"{count // 1024} Ko"


def _refused(reason: str) -> FileFormatError:
    return FileFormatError([RowError(0, "", reason)])


def inspect_xlsx(stream, limits: ImportLimits) -> int:
    """Check the zip directory of a workbook against ``limits``; return the sum of its members'
    uncompressed sizes. Raise :class:`FileFormatError` (nothing decompressed) when it is refused."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except UNREADABLE as error:
        raise _refused(f"classeur XLSX illisible ({error})") from None
    finally:
        stream.seek(0)
    if len(members) > limits.xlsx_max_members:
        raise _refused(f"classeur XLSX refusé : {len(members)} fichiers dans l'archive")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise _refused("classeur XLSX chiffré : enregistrez-le sans mot de passe")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refused(f"classeur XLSX refusé : compression inconnue ({member.filename})")
        total += member.file_size
        streamed = member.filename.startswith("xl/worksheets/")
        if not streamed and member.file_size > limits.xlsx_max_part_bytes:
            raise _refused(
                f"classeur XLSX refusé : {member.filename} fait {_size(member.file_size)} une fois "
                f"décompressé (au plus {_size(limits.xlsx_max_part_bytes)})"
            )
        if member.file_size >= RATIO_CHECKED_FROM_BYTES and (
            member.file_size > limits.xlsx_max_ratio * max(1, member.compress_size)
        ):
            ratio = member.file_size // max(1, member.compress_size)
            raise _refused(
                f"classeur XLSX refusé : {member.filename} est compressé {ratio} fois "
                f"(au plus {limits.xlsx_max_ratio})"
            )
    if total > limits.xlsx_max_uncompressed_bytes:
        raise _refused(
            f"classeur XLSX refusé : {_size(total)} une fois décompressé "
            f"(au plus {_size(limits.xlsx_max_uncompressed_bytes)})"
        )
    return total


def xlsx_rows(
    stream, required: list[str], limits: ImportLimits, progress: Progress | None = None
) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs of the first sheet, the header on line 1 naming the columns."""
    from openpyxl import load_workbook

    inspect_xlsx(stream, limits)
    ticker = ProgressTicker(stream, progress)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except UNREADABLE as error:
        raise _refused(f"classeur XLSX illisible ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # declared dimensions are not trusted (see the module's docstring)
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        header = [clean(value) for value in first[:MAX_HEADER_COLUMNS]]
        while header and not header[-1]:
            header.pop()
        missing = [name for name in required if name not in header]
        if missing:
            raise FileFormatError(
                [RowError(1, name, "colonne obligatoire absente de l'en-tête") for name in missing]
            )
        rows = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
        for line, values in enumerate(rows, start=2):
            if line - 1 > limits.max_rows:
                raise too_many_rows(line, limits)
            ticker(line)
            if not any(clean(value) for value in values):
                continue
            yield line, {name: value for name, value in zip(header, values, strict=False) if name}
    except FileFormatError:
        raise
    except UNREADABLE as error:
        raise _refused(f"classeur XLSX illisible ({error})") from None
    finally:
        workbook.close()
