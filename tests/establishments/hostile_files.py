"""Spreadsheets built by hand for the import tests: a zip whose sheet XML we write ourselves, so that a
test can make it as large, as compressible or as broken as an attacker would."""

import io
import struct
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _cell(value, column: int, row: int, numbered: bool) -> str:
    ref = f' r="{chr(64 + column)}{row}"' if numbered else ""
    return f'<c{ref} t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows, *, dimension: str = "", numbered: bool = True) -> bytes:
    """A worksheet of inline strings; ``numbered=False`` leaves out the cell and row references (the
    format allows it, and it makes every row of a repeated value identical: highly compressible)."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">']
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for index, row in enumerate(rows, start=1):
        cells = "".join(_cell(value, column, index, numbered) for column, value in enumerate(row, 1))
        parts.append(f'<row r="{index}">{cells}</row>' if numbered else f"<row>{cells}</row>")
    parts.append("</sheetData></worksheet>")
    return "".join(parts).encode("utf-8")


def workbook(sheet: bytes) -> bytes:
    """An XLSX file made by openpyxl whose first sheet is replaced by ``sheet``."""
    book = Workbook()
    book.active.append(["placeholder"])
    original = io.BytesIO()
    book.save(original)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(original.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = sheet if info.filename == SHEET else source.read(info.filename)
            target.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_understated_sheet_size(data: bytes, declared: int) -> bytes:
    """The same zip, its directory claiming the sheet expands to ``declared`` bytes only."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(SHEET)
    # Local file header: the uncompressed size is at offset 22; central directory entry: offset 24.
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    start = 0
    while True:
        central = bytes(data).find(b"PK\x01\x02", start)
        if central < 0:
            raise AssertionError("sheet not found in the central directory")
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_length]) == SHEET.encode():
            struct.pack_into("<I", data, central + 24, declared)
            return bytes(data)
        start = central + 4
