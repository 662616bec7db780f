"""The side-by-side comparison of a call's territories (and the closing review) as PDF and XLSX, with
the very figures the page shows (``tremplin.coaching.services.followup``).

The PDF is landscape A4 with at most :data:`TERRITORIES_PER_TABLE` territories per table (more are
continued in another table with the same rows), numbers in the active language's format
(:mod:`tremplin.reports.numbers`). The XLSX keeps numbers as numbers (a spreadsheet computes with them);
its headers name each territory, the unit, the basis and the source in the active language.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tremplin.coaching.services.figures import BASIS_LABELS
from tremplin.indicators.secrecy import minimum_companies
from tremplin.reports.numbers import quantity, signed
from tremplin.spreadsheets import xlsx_row
from tremplin.xlsx_stream import stream_workbook

__all__ = ["TERRITORIES_PER_TABLE", "table_pdf", "table_xlsx"]

TERRITORIES_PER_TABLE = 6
GREEN = colors.HexColor("#0b5d4b")
GRID = colors.HexColor("#b9c4bf")
HEADER = colors.HexColor("#e7f0ec")
SECTION = colors.HexColor("#f3f6f4")


def _secret() -> str:
    return _("secret (fewer than %(n)s companies)") % {"n": minimum_companies()}


def _cell_text(cell, unit: str) -> str:
    if cell is None or not cell.reported:
        return "—"
    if cell.secret:
        return _secret()
    if cell.value is None:
        return _("not yet available")
    text = quantity(cell.value, unit)
    if cell.delta is not None:
        text += f" ({signed(cell.delta)})"
    return text


def _p(text, style):
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def table_pdf(title: str, subtitle: str, territories: list[str], rows, *, with_total: bool = True) -> bytes:
    """``rows``: the service's rows (label, source, basis, unit, section title, cells, total)."""
    styles = getSampleStyleSheet()
    styles["Title"].textColor = GREEN
    small, head = styles["BodyText"].clone("small", fontSize=8, leading=10), styles["Heading6"]
    story = [_p(title, styles["Title"]), _p(subtitle, styles["BodyText"]), Spacer(1, 0.3 * cm)]
    width = landscape(A4)[0] - 3 * cm
    count = len(territories)
    starts = list(range(0, count, TERRITORIES_PER_TABLE)) or [0]
    for start in starts:
        stop = min(start + TERRITORIES_PER_TABLE, count)
        total = with_total and stop >= count
        columns = stop - start + (1 if total else 0)
        label_width = 7.5 * cm
        value_width = (width - label_width) / max(columns, 1)
        header = [_p(_("Figure"), head)] + [_p(name, head) for name in territories[start:stop]]
        if total:
            header.append(_p(_("Programme total"), head))
        data, commands = [header], []
        current = None
        for section, row in rows:
            if section != current:
                current = section
                data.append([_p(section, head)] + [""] * columns)
                commands += [
                    ("SPAN", (0, len(data) - 1), (-1, len(data) - 1)),
                    ("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), SECTION),
                ]
            label = f"{row.label}\n{row.source} · {BASIS_LABELS.get(row.basis, row.basis)}"
            line = [_p(label, small)] + [_p(_cell_text(c, row.unit), small) for c in row.cells[start:stop]]
            if total:
                line.append(_p("—" if row.total is None else _cell_text(row.total, row.unit), small))
            data.append(line)
        table = Table(data, colWidths=[label_width] + [value_width] * columns, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    *commands,
                ]
            )
        )
        story += [table, Spacer(1, 0.5 * cm)]
    story.append(
        _p(
            _(
                "Results count only the synergies operational with every participant's consent and "
                "their measured gains; estimates are shown apart and never added to them."
            ),
            small,
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="Tremplin",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    ).build(story)
    return buffer.getvalue()


def _xlsx_value(cell):
    if cell is None or not cell.reported:
        return None
    if cell.secret:
        return _secret()
    value = cell.value
    return float(value) if value is not None and not isinstance(value, bool) else value


def table_xlsx(title: str, subtitle: str, territories: list[str], rows, *, with_total: bool = True) -> bytes:
    """One sheet: a title line, then one line per figure with its section, unit, basis and source."""

    def lines():
        yield xlsx_row([title])
        yield xlsx_row([subtitle])
        header = [_("Section"), _("Figure"), _("Unit"), _("Basis"), _("Source"), *territories]
        if with_total:
            header.append(_("Programme total"))
        yield xlsx_row(header)
        for section, row in rows:
            values = [str(section), row.label, row.unit, BASIS_LABELS.get(row.basis, row.basis), row.source]
            values += [_xlsx_value(c) for c in row.cells[: len(territories)]]
            if with_total:
                values.append(_xlsx_value(row.total))
            yield xlsx_row(str(v) if isinstance(v, Promise) else v for v in values)

    return b"".join(stream_workbook([(_("Comparison")[:31], lines())]))


def dated(text: str, day) -> str:
    return f"{text} — {formats.date_format(day)}"
