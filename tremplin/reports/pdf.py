"""A frozen report as a PDF (reportlab, pure Python), rendered from the snapshot's ``data`` alone.

Two audiences: the territory team gets the whole report; the programme team gets the aggregates only
(indicators and progress), without the map and the synergy table, which name or place companies.
Reportlab's standard Helvetica covers the Windows-1252 characters French needs (accents, œ, €).
"""

from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tremplin.indicators.secrecy import minimum_companies
from tremplin.reports.models import ReportKind
from tremplin.reports.snapshots import previous_snapshot, progress_between
from tremplin.reports.styles import STATUS_STYLES, legend
from tremplin.synergies.enums import Basis, ParticipantRole, Status, SynergyKind

__all__ = ["report_pdf"]

GREEN = colors.HexColor("#0b5d4b")
GRID = colors.HexColor("#b9c4bf")
HEADER = colors.HexColor("#e7f0ec")
MAP_WIDTH, MAP_HEIGHT = 16 * cm, 11 * cm


def number(value, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return formats.number_format(
        round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def signed(value, decimals: int = 0) -> str:
    """A change with its sign: +3, -1,5, 0."""
    if value is None:
        return "—"
    if round(value, decimals) == 0:
        return "0"
    return ("+" if value > 0 else "-") + number(abs(value), decimals)


def _decimals(unit: str) -> int:
    return 1 if unit in ("%",) else 0


def _p(text, style):
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


def _table(header, rows, styles, widths=None, numeric_from: int | None = None):
    body, head = styles["BodyText"], styles["Heading6"]
    data = [[_p(h, head) for h in header]] + [[_p(cell, body) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    table.setStyle(TableStyle(commands))
    return table


# --- The map ---------------------------------------------------------------------------------------


def _rings(geometry: dict | None) -> list[list[list[float]]]:
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _lines(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "LineString":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiLineString":
        return geometry["coordinates"]
    return []


def map_drawing(map_input: dict, *, width=MAP_WIDTH, height=MAP_HEIGHT, with_points: bool = True) -> Drawing:
    """The perimeter, the establishments and the synergy links, projected to a local plane
    (equirectangular around the territory's centre: distances true to within a fraction of a percent at
    the scale of an EPCI). No tiles: vector shapes only."""
    drawing = Drawing(width, height)
    rings = _rings(map_input.get("perimeter"))
    points = map_input.get("points", []) if with_points else []
    links = map_input.get("links", [])
    every = [c for ring in rings for c in ring] + points
    every += [c for link in links for line in _lines(link["geometry"]) for c in line]
    if not every:
        drawing.add(String(width / 2, height / 2, _("No geography to draw."), textAnchor="middle"))
        return drawing
    lons, lats = [c[0] for c in every], [c[1] for c in every]
    lat0 = (min(lats) + max(lats)) / 2
    shrink = math.cos(math.radians(lat0))
    xmin, xmax = min(lons) * shrink, max(lons) * shrink
    ymin, ymax = min(lats), max(lats)
    margin = 0.4 * cm
    scale = min((width - 2 * margin) / max(xmax - xmin, 1e-6), (height - 2 * margin) / max(ymax - ymin, 1e-6))
    ox = margin + ((width - 2 * margin) - (xmax - xmin) * scale) / 2
    oy = margin + ((height - 2 * margin) - (ymax - ymin) * scale) / 2

    def xy(c):
        return ox + (c[0] * shrink - xmin) * scale, oy + (c[1] - ymin) * scale

    for ring in rings:
        flat = [v for c in ring for v in xy(c)]
        drawing.add(Polygon(flat, fillColor=colors.HexColor("#e4efe9"), strokeColor=GREEN, strokeWidth=1.2))
    for c in points:
        x, y = xy(c)
        drawing.add(Circle(x, y, 1.1, fillColor=colors.HexColor("#5b6b73"), strokeColor=None))
    for link in links:
        style = STATUS_STYLES.get(link["status"], STATUS_STYLES[Status.DETECTED])
        for line in _lines(link["geometry"]):
            flat = [v for c in line for v in xy(c)]
            drawing.add(
                PolyLine(
                    flat,
                    strokeColor=colors.HexColor(style.colour),
                    strokeWidth=style.width * 0.7,
                    strokeDashArray=list(style.dash) or None,
                )
            )
            for x, y in (xy(line[0]), xy(line[-1])):
                drawing.add(
                    Circle(x, y, 2.2, fillColor=colors.HexColor(style.colour), strokeColor=colors.white)
                )
    # Scale bar: a round number of kilometres near a fifth of the width.
    km_per_point = 111.2 / scale
    target = km_per_point * width / 5
    bar_km = next((k for k in (1, 2, 5, 10, 20, 50, 100) if k >= target * 0.6), 100)
    bar = bar_km / km_per_point
    drawing.add(Line(margin, margin / 2, margin + bar, margin / 2, strokeColor=colors.black, strokeWidth=1.5))
    drawing.add(String(margin + bar + 4, margin / 2 - 3, f"{bar_km} km", fontSize=8))
    return drawing


def _legend_table(styles, statuses: set[str]):
    cells = []
    for entry in legend():
        if entry["status"] not in statuses:
            continue
        sample = Drawing(1.4 * cm, 0.4 * cm)
        sample.add(
            Line(
                0,
                0.2 * cm,
                1.4 * cm,
                0.2 * cm,
                strokeColor=colors.HexColor(entry["colour"]),
                strokeWidth=entry["width"] * 0.7,
                strokeDashArray=list(entry["dash"]) or None,
            )
        )
        cells.append([sample, _p(entry["label"], styles["BodyText"])])
    if not cells:
        return None
    table = Table(cells, colWidths=[1.8 * cm, 6 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


# --- The document ----------------------------------------------------------------------------------

_KIND_LABELS = {
    "substitution": SynergyKind.SUBSTITUTION.label,
    "mutualisation": SynergyKind.MUTUALISATION.label,
}
_FAMILIES = ("mobilisation", "flows", "pipeline", "environment", "economy", "social")


def _family_title(family: str) -> str:
    titles = {
        "mobilisation": _("Mobilisation"),
        "flows": _("Flows"),
        "pipeline": _("Pipeline"),
        "environment": _("Environment"),
        "economy": _("Economy"),
        "social": _("Social"),
    }
    return titles[family]


def _status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def _participants(row: dict) -> str:
    roles = dict(ParticipantRole.choices)
    return "\n".join(f"{p['name']} ({roles.get(p['role'], p['role'])})" for p in row["participants"])


def _measured(row: dict) -> str:
    m = row.get("measured")
    if not m:
        return _("not measured yet")
    return _("%(year)s: %(tonnes)s t, %(eur)s € saved, %(co2)s t CO2e") % {
        "year": m["year"],
        "tonnes": number(m["tonnes_diverted"], 1),
        "eur": number(m["eur_saved"]),
        "co2": number(m["co2_avoided_t"], 1),
    }


def report_pdf(snapshot, *, audience: str = "team") -> bytes:
    """The report as PDF bytes. ``audience="programme"``: aggregates only (see the module docstring)."""
    data = snapshot.data
    aggregates = data.get("aggregates", {})
    confidential = data.get("confidential", {}) if audience == "team" else {}
    styles = getSampleStyleSheet()
    for name in ("Title", "Heading1", "Heading2"):
        styles[name].textColor = GREEN
    frozen_at = parse_date(data.get("frozen_at", "")) or snapshot.frozen_at
    computed_at = parse_datetime(data.get("computed_at", "")) if data.get("computed_at") else None
    territory = data.get("territory", {})
    counts = aggregates.get("counts", {})

    story = [
        Spacer(1, 4 * cm),
        _p(snapshot.title, styles["Title"]),
        _p(territory.get("name", str(snapshot.territory)), styles["Heading2"]),
        _p(f"SIREN {territory.get('siren', '')}", styles["BodyText"]),
        Spacer(1, 0.5 * cm),
        _p(_("Kind of report: %(kind)s") % {"kind": ReportKind(snapshot.kind).label}, styles["BodyText"]),
        _p(_("Figures as of %(date)s.") % {"date": formats.date_format(frozen_at)}, styles["BodyText"]),
        _p(
            _("Frozen on %(date)s by %(who)s. Later changes do not alter this report.")
            % {
                "date": formats.date_format(
                    computed_at.date() if computed_at else snapshot.created_at.date()
                ),
                "who": snapshot.created_by or "—",
            },
            styles["BodyText"],
        ),
    ]
    if counts.get("demo_establishments"):
        story.append(
            _p(
                _(
                    "Includes demonstration data: %(n)s establishments are generated from a seed, "
                    "not real companies."
                )
                % {"n": counts["demo_establishments"]},
                styles["Italic"],
            )
        )
    if audience != "team":
        story.append(
            _p(
                _(
                    "Version for the programme team: aggregates only. The map and the synergy table, "
                    "which name companies, stay with the territory team."
                ),
                styles["Italic"],
            )
        )
    story.append(PageBreak())

    # Indicators, family by family, with the basis of each figure.
    previous = previous_snapshot(snapshot)
    rows = progress_between(snapshot, previous, withhold=audience != "team")
    story.append(_p(_("Indicators"), styles["Heading1"]))
    story.append(
        _p(
            _(
                "Per year. Potential: estimates of every synergy not abandoned. Operational: synergies "
                "operational or monitored. Estimated figures come from the detection engine; measured "
                "ones are entered after implementation. The two are never added together."
            ),
            styles["BodyText"],
        )
    )
    secret = _("secret (fewer than %(n)s companies)") % {"n": minimum_companies()}
    for family in _FAMILIES:
        family_rows = [r for r in rows if r.line.family == family]
        if not family_rows:
            continue
        story.append(_p(_family_title(family), styles["Heading3"]))
        story.append(
            _table(
                [_("Indicator"), _("Basis"), _("Value"), _("Unit")],
                [
                    (
                        r.line.label,
                        r.line.basis,
                        secret if r.current_secret else number(r.current, _decimals(r.line.unit)),
                        r.line.unit,
                    )
                    for r in family_rows
                ],
                styles,
                widths=[7.5 * cm, 4.5 * cm, 2.5 * cm, 2.5 * cm],
            )
        )

    # The map.
    if confidential.get("map"):
        story.append(PageBreak())
        story.append(_p(_("Map of the territory"), styles["Heading1"]))
        story.append(map_drawing(confidential["map"]))
        statuses = {link["status"] for link in confidential["map"].get("links", [])}
        story.append(
            _p(
                _(
                    "Perimeter of the territory, its %(n)s establishments (grey dots) and its synergies: "
                    "substitutions as a line from supplier to receiver, mutualisations as a star from "
                    "the group's centre. Line style by status:"
                )
                % {"n": number(len(confidential["map"].get("points", [])))},
                styles["BodyText"],
            )
        )
        legend_table = _legend_table(styles, statuses)
        if legend_table is not None:
            story.append(legend_table)

    # The synergy table.
    if audience == "team":
        story.append(PageBreak())
        story.append(_p(_("Synergies"), styles["Heading1"]))
        synergies = confidential.get("synergies", [])
        if synergies:
            bases = dict(Basis.choices)
            story.append(
                _table(
                    [
                        _("Synergy"),
                        _("Participants"),
                        _("Status"),
                        _("Estimated per year"),
                        _("Measured"),
                    ],
                    [
                        (
                            f"{r['resource_label']}\n{_KIND_LABELS.get(r['kind'], r['kind'])}"
                            f" · {bases.get(r['basis'], r['basis'])}",
                            _participants(r),
                            _status_label(r["status"]),
                            _("%(eur)s €, %(t)s t diverted, %(co2)s t CO2e, %(q)s %(unit)s, %(km)s km")
                            % {
                                "eur": number(r["gain_eur_per_year"]),
                                "t": number(r["tonnes_diverted_per_year"], 1),
                                "co2": number(r["co2_avoided_t_per_year"], 1),
                                "q": number(r["quantity"], 1),
                                "unit": r["unit"],
                                "km": number(r["distance_km"], 1),
                            },
                            _measured(r),
                        )
                        for r in synergies
                    ],
                    styles,
                    widths=[3.8 * cm, 3.8 * cm, 2.9 * cm, 3.6 * cm, 2.9 * cm],
                )
            )
        else:
            story.append(_p(_("No synergy in the pipeline at this date."), styles["BodyText"]))

    # Progress since the previous report.
    story.append(PageBreak())
    story.append(_p(_("Progress since the previous report"), styles["Heading1"]))
    if previous is None:
        story.append(
            _p(_("This is the territory's first report: nothing to compare with."), styles["BodyText"])
        )
    else:
        story.append(
            _p(
                _("Compared with the report “%(title)s”, figures as of %(date)s.")
                % {"title": previous.title, "date": formats.date_format(previous.frozen_at)},
                styles["BodyText"],
            )
        )
    story.append(
        _table(
            [_("Indicator"), _("Basis"), _("Previous"), _("Now"), _("Change")],
            [
                (
                    f"{r.line.label}" + (f" ({r.line.unit})" if r.line.unit else ""),
                    r.line.basis,
                    number(r.previous, _decimals(r.line.unit)),
                    number(r.current, _decimals(r.line.unit)),
                    signed(r.delta, _decimals(r.line.unit)),
                )
                for r in rows
            ],
            styles,
            widths=[6.5 * cm, 3.5 * cm, 2.3 * cm, 2.3 * cm, 2.4 * cm],
        )
    )

    story.append(_p(_("Sources and methods"), styles["Heading2"]))
    story.extend(_p(f"– {note}", styles["BodyText"]) for note in data.get("sources", []))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{snapshot.title} — {territory.get('name', '')}",
        author="Tremplin",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    document.build(story)
    return buffer.getvalue()
