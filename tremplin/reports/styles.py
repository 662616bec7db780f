"""How a synergy's status is drawn, on the web map and in the PDF: a colour *and* a dash pattern (and a
label in the legend), so that no information is given by colour alone."""

from dataclasses import asdict, dataclass

from tremplin.synergies.enums import EXITS, PIPELINE, Status


@dataclass(frozen=True)
class LineStyle:
    colour: str
    dash: tuple[int, ...]  # empty: a solid line
    width: float


# Okabe–Ito colours, told apart by most colour-blind readers; the dashes tell them apart for everyone.
STATUS_STYLES: dict[str, LineStyle] = {
    Status.DETECTED: LineStyle("#6b6b6b", (2, 4), 2),
    Status.QUALIFIED: LineStyle("#0072b2", (6, 3), 2.5),
    Status.UNDER_STUDY: LineStyle("#3b8fc2", (8, 3, 2, 3), 2.5),
    Status.BEING_IMPLEMENTED: LineStyle("#b07400", (12, 4), 3),
    Status.OPERATIONAL: LineStyle("#007a5a", (), 3.5),
    Status.MONITORED: LineStyle("#00402f", (), 4.5),
    Status.PAUSED: LineStyle("#a1467e", (1, 4), 2),
    Status.ABANDONED: LineStyle("#c0392b", (1, 7), 1.5),
}


def legend() -> list[dict]:
    """Statuses in pipeline order with their label and style (for templates and scripts)."""
    return [
        {
            "status": str(status),
            "label": str(Status(status).label),
            "dash_array": dash_array(STATUS_STYLES[status]),
            **asdict(STATUS_STYLES[status]),
        }
        for status in (*PIPELINE, *EXITS)
    ]


def dash_array(style: LineStyle) -> str:
    """The SVG/Leaflet ``dashArray`` of a style ("" for a solid line)."""
    return " ".join(str(d) for d in style.dash)
