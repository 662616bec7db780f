"""An XLSX workbook written as a stream of bytes, row by row, for a download that starts at once.

openpyxl, even in write-only mode, builds each sheet in a temporary file and hands out the workbook only
when the last row is written: a territory's 50,000 flows took seconds before the first byte left. Here
the archive is written with :mod:`zipfile` into a sink that cannot seek (each member then carries its
sizes after its data, as ZIP allows), so the bytes of the first sheet leave while the next rows are
still read from the database, and memory stays flat whatever the number of rows.

The parts are the minimum SpreadsheetML asks for (content types, relationships, workbook, styles, one
part per sheet); text is written inline in its cell. Cell values are those openpyxl accepts in a row:
``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``date``, ``datetime`` (naive) and ``None`` (no cell).
Text must already have gone through :func:`tremplin.spreadsheets.xlsx_row` (formulas neutralised, the
control characters XML cannot hold replaced): this module writes it as it is.

>>> import io, openpyxl
>>> data = b"".join(stream_workbook([("Feuille", iter([["Nom", "Quantité"], ["Scierie", 12.5]]))]))
>>> sheet = openpyxl.load_workbook(io.BytesIO(data))["Feuille"]
>>> [[cell.value for cell in row] for row in sheet.iter_rows()]
[['Nom', 'Quantité'], ['Scierie', 12.5]]
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

__all__ = ["stream_workbook"]

#: Rows written between two chunks handed to the response (a chunk is then some tens of KiB).
ROWS_PER_CHUNK = 500

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Styles: 0 plain, 1 date, 2 date and time (the formats openpyxl gives such cells by default).
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>\
<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ h:mm:ss"/></numFmts>\
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


class _Sink(io.RawIOBase):
    """Where the archive is written: keeps the bytes until :meth:`take` hands them out. It cannot seek,
    so :mod:`zipfile` writes each member's sizes after its data instead of going back."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _serial(value: dt.datetime) -> float:
    if value.tzinfo is not None:
        raise TypeError("Excel does not hold time zones: convert the datetime to local naive time first")
    delta = value - _EXCEL_EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if value == "":  # an empty text cell, as openpyxl writes it (read back as no value)
        return f'<c r="{ref}" t="inlineStr"/>'
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, float):
        if not math.isfinite(value):  # no number in a spreadsheet: say it as text
            return _cell(ref, str(value))
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, (int, Decimal)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        return f'<c r="{ref}" s="2"><v>{_serial(value)!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH.date()).days}</v></c>'
    raise TypeError(f"cannot write a {type(value).__name__} in an XLSX cell")


def _sheet_rows(rows: Iterable[Iterable]) -> Iterator[str]:
    letters: list[str] = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for index, value in enumerate(row):
            if index == len(letters):
                letters.append(get_column_letter(index + 1))
            cells.append(_cell(f"{letters[index]}{number}", value))
        yield f'<row r="{number}">{"".join(cells)}</row>'


def stream_workbook(sheets: Iterable[tuple[str, Iterable[Iterable]]]) -> Iterator[bytes]:
    """The bytes of an XLSX workbook with one sheet per ``(title, rows)``, in chunks as they are made.

    Rows are read lazily: the first chunks leave before the last rows are read. Titles follow Excel's
    rules (at most 31 characters, none of ``[]:*?/\\``): the caller chooses them."""
    sheets = list(sheets)
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_CT}.worksheet+xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, (title, _rows) in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_REL}"><sheets>{entries}</sheets></workbook>',
        )
        links = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_PKG_REL}">'
            f'{links}<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/styles.xml", _STYLES)
        yield sink.take()
        for n, (_title, rows) in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as part:
                part.write(
                    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
                    "<sheetData>".encode()
                )
                batch = []
                for xml in _sheet_rows(rows):
                    batch.append(xml)
                    if len(batch) == ROWS_PER_CHUNK:
                        part.write("".join(batch).encode())
                        batch.clear()
                        chunk = sink.take()
                        if chunk:
                            yield chunk
                part.write(("".join(batch) + "</sheetData></worksheet>").encode())
            yield sink.take()
    yield sink.take()
