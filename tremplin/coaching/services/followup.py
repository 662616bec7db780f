"""Follow-up: reports frozen at each follow-up meeting (RSO) and at the closing review, the side-by-side
comparison of territories, and the programme's closing review."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tremplin.coaching.models import REPORTING_KINDS, ClosingReview, Event, EventKind, ProgressReport
from tremplin.coaching.services.audit import log_coaching
from tremplin.coaching.services.errors import (
    NotAReportingEvent,
    NotParticipating,
    ReportAlreadyFrozen,
)
from tremplin.coaching.services.figures import (
    FIGURES,
    LEGACY_FIGURES,
    SECTION_TITLES,
    Figure,
    collect_details,
    collect_figures,
)
from tremplin.coaching.services.roles import require_programme_team, require_team_or_programme


@transaction.atomic
def submit_report(event: Event, participation, *, progress_statement: str, by) -> ProgressReport:
    """Freeze a territory's report for a reporting meeting: later changes never alter it."""
    require_team_or_programme(by, participation)
    if event.kind not in REPORTING_KINDS:
        raise NotAReportingEvent
    if participation.call_id != event.call_id:
        raise NotParticipating
    if ProgressReport.objects.filter(event=event, participation=participation).exists():
        raise ReportAlreadyFrozen
    now = timezone.now()
    as_of = timezone.localdate(now)
    report = ProgressReport.objects.create(
        event=event,
        participation=participation,
        progress_statement=progress_statement.strip(),
        figures=collect_figures(participation, as_of),
        details=collect_details(participation, as_of, objectives_at=event.date),
        frozen_at=now,
        frozen_by=by,
    )
    log_coaching(
        by,
        "report.frozen",
        report,
        participation=participation,
        event_id=event.pk,
        event_kind=event.kind,
        as_of=as_of.isoformat(),
    )
    return report


def previous_reporting_event(event: Event) -> Event | None:
    return (
        Event.objects.filter(call_id=event.call_id, kind__in=REPORTING_KINDS, date__lt=event.date)
        .order_by("-date")
        .first()
    )


def _number(value):
    return Decimal(str(value)) if isinstance(value, int | float | str) and value != "" else None


@dataclass
class Cell:
    value: object = None
    delta: object = None  # change since the previous report; None when either is missing
    reported: bool = False
    secret: bool = False  # withheld: too few companies stand behind it (tremplin.indicators.secrecy)


@dataclass
class Row:
    key: str
    label: str
    source: str
    cells: list[Cell] = field(default_factory=list)
    basis: str = ""
    unit: str = ""
    section: str = ""
    total: Cell | None = None  # the programme's total (None: the figure is not added up)


def _row(key: str, figure: Figure | None, stored_example: dict) -> Row:
    if figure is None:  # a key no version of the registry knows: shown as the report froze it
        return Row(key, key, stored_example.get("source", ""), basis=stored_example.get("basis", ""))
    return Row(
        key,
        figure.label,
        figure.source,
        basis=figure.basis,
        unit=figure.unit,
        section=figure.section,
    )


def _figures_of(reports) -> list[tuple[str, Figure | None]]:
    """The figures to show for these frozen reports: every current one, then those that only older
    reports hold (their shapes stay readable)."""
    keys = dict.fromkeys(FIGURES)
    held = {key for report in reports for key in report.figures}
    keys.update(dict.fromkeys(key for key in LEGACY_FIGURES if key in held))
    keys.update(dict.fromkeys(sorted(held - keys.keys())))
    return [(key, FIGURES.get(key) or LEGACY_FIGURES.get(key)) for key in keys]


def _total(figure: Figure | None, cells: list[Cell]) -> Cell | None:
    """The programme's total of a row. A total over some territories only would mislead: none unless
    every territory has a value (a withheld one included: the total minus the others would give it
    away)."""
    if figure is None or not figure.summable:
        return None
    if not cells or any(not c.reported or c.secret or _number(c.value) is None for c in cells):
        return Cell()
    return Cell(sum((_number(c.value) for c in cells), Decimal(0)), None, True)


def _sections(rows) -> list[tuple[str, list[Row]]]:
    """The rows grouped by section, in the registry's order: ``[(title, [row, …]), …]``."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.section, []).append(row)
    return [(SECTION_TITLES.get(section, ""), rows) for section, rows in groups.items()]


@dataclass
class Comparison:
    event: Event
    previous_event: Event | None
    participations: list
    reports: list  # ProgressReport or None, one per participation
    rows: list[Row]

    def sections(self, rows=None):
        return _sections(self.rows if rows is None else rows)

    def chunks(self, size: int = 6) -> list[dict]:
        """The table cut into groups of ``size`` territories, each a table that fits the page width;
        the programme total is in the last one."""
        count = len(self.participations)
        starts = list(range(0, count, size)) or [0]
        chunks = []
        for start in starts:
            stop = min(start + size, count)
            last = stop >= count
            rows = [
                Row(
                    row.key,
                    row.label,
                    row.source,
                    row.cells[start:stop],
                    row.basis,
                    row.unit,
                    row.section,
                    row.total if last else None,
                )
                for row in self.rows
            ]
            chunks.append(
                {
                    "participations": self.participations[start:stop],
                    "reports": self.reports[start:stop],
                    "sections": self.sections(rows),
                    "with_total": last,
                }
            )
        return chunks


def compare_territories(event: Event, *, by) -> Comparison:
    """Territories side by side at a reporting meeting, with the change since the previous one and the
    programme's total; for the programme team, so a figure of too few companies is withheld
    (``Cell.secret``). Results (measured, or operational with every participant's consent) and what is
    shown apart (estimates, the pipeline) are separate rows, never added together."""
    require_programme_team(by, event.call)
    participations = list(
        event.call.participations.select_related("territory__epci").order_by("territory__epci__name")
    )
    reports = {r.participation_id: r for r in ProgressReport.objects.filter(event=event)}
    previous_event = previous_reporting_event(event)
    previous = (
        {r.participation_id: r for r in ProgressReport.objects.filter(event=previous_event)}
        if previous_event
        else {}
    )
    rows = []
    for key, figure in _figures_of(reports.values()):
        example = next((r.figures[key] for r in reports.values() if key in r.figures), {})
        row = _row(key, figure, example)
        for participation in participations:
            report = reports.get(participation.pk)
            if report is None:
                row.cells.append(Cell())
                continue
            stored = report.figures.get(key, {})
            if figure is not None and figure.is_withheld(stored):
                row.cells.append(Cell(None, None, True, secret=True))
                continue
            value = stored.get("value")
            before = previous.get(participation.pk)
            before_stored = before.figures.get(key, {}) if before else {}
            # A change from a withheld value would give that value away.
            before_withheld = figure is not None and figure.is_withheld(before_stored)
            before_value = None if before_withheld else before_stored.get("value")
            delta = None
            if _number(value) is not None and _number(before_value) is not None:
                delta = _number(value) - _number(before_value)
            row.cells.append(Cell(value, delta, True))
        row.total = _total(figure, row.cells)
        rows.append(row)
    return Comparison(
        event, previous_event, participations, [reports.get(p.pk) for p in participations], rows
    )


@dataclass
class ClosingColumn:
    participation: object
    report: ProgressReport | None  # the closing review's report, else the latest frozen one
    figures: dict
    live: bool  # figures computed now, no report frozen yet


@dataclass
class ClosingSummary:
    review: ClosingReview
    columns: list[ClosingColumn]
    rows: list[Row]  # the last cell of each row is the programme total

    def sections(self):
        return _sections(self.rows)


def closing_summary(call, *, by) -> ClosingSummary:
    """The programme's closing review: every territory's figures and the programme's totals.

    Each territory's figures come from its closing-review report when frozen, else its latest frozen
    report, else are computed now (and marked so). A figure of too few companies is withheld.
    """
    require_programme_team(by, call)
    # Read only (a page shows it): the review is created when its lessons are first saved.
    review = ClosingReview.objects.filter(call=call).first() or ClosingReview(call=call)
    today = timezone.localdate()
    columns = []
    for participation in call.participations.select_related("territory__epci").order_by(
        "territory__epci__name"
    ):
        reports = list(
            ProgressReport.objects.filter(participation=participation)
            .select_related("event")
            .order_by("-event__date")
        )
        closing = next((r for r in reports if r.event.kind == EventKind.CLOSING_REVIEW), None)
        report = closing or (reports[0] if reports else None)
        if report is not None:
            columns.append(ClosingColumn(participation, report, report.figures, False))
        else:
            columns.append(ClosingColumn(participation, None, collect_figures(participation, today), True))
    rows = []
    frozen = [column.report for column in columns if column.report is not None]
    for key, figure in _figures_of(frozen):
        example = next((c.figures[key] for c in columns if key in c.figures), {})
        row = _row(key, figure, example)
        for column in columns:
            stored = column.figures.get(key, {})
            if figure is not None and figure.is_withheld(stored):
                row.cells.append(Cell(None, None, True, secret=True))
                continue
            row.cells.append(Cell(stored.get("value"), None, True))
        row.total = _total(figure, row.cells)
        row.cells.append(row.total or Cell())
        rows.append(row)
    return ClosingSummary(review, columns, rows)


@transaction.atomic
def save_lessons(call, lessons: str, *, by) -> ClosingReview:
    require_programme_team(by, call)
    review, _created = ClosingReview.objects.select_for_update().get_or_create(call=call)
    lessons = lessons.strip()
    if review.lessons == lessons and not _created:
        return review
    review.lessons = lessons
    review.updated_by = by
    review.save()
    log_coaching(by, "lessons.saved", review, call=call, characters=len(lessons))
    return review
