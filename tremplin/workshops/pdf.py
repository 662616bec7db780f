"""The participants' summary of a workshop as a PDF (reportlab, as the territory reports).

It holds what the participants may all read: the declarations their authors allowed in the summary, the
matches the facilitator kept with the companies named only where every one of them agreed to be
introduced, and the next steps. Nothing shown to the facilitator only appears in it.
"""

from __future__ import annotations

import io

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from tremplin.reports.pdf import _p, _table, number
from tremplin.workshops.disclosure import shared_declarations, summary_matches

__all__ = ["summary_pdf"]


def _quantity(declaration) -> str:
    if declaration.quantity is None:
        return "—"
    decimals = 1 if declaration.quantity % 1 else 0
    return f"{number(declaration.quantity, decimals)} {declaration.unit or declaration.resource_unit}"


def summary_pdf(workshop) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=_("Workshop summary: %(theme)s") % {"theme": workshop.theme},
    )
    story = [
        _p(_("Synergy workshop: %(theme)s") % {"theme": workshop.theme}, styles["Title"]),
        _p(
            _("%(date)s, %(place)s — %(territory)s")
            % {
                "date": formats.date_format(workshop.date, "DATE_FORMAT"),
                "place": workshop.place,
                "territory": workshop.territory.name,
            },
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
        _p(_("What was declared"), styles["Heading2"]),
        _p(
            _(
                "Only the declarations their authors allowed in this summary are listed; the "
                "others were shown to the facilitator alone."
            ),
            styles["Italic"],
        ),
    ]
    declarations = list(shared_declarations(workshop))
    if declarations:
        story.append(
            _table(
                [_("Company"), _("Has / wants"), _("Resource"), _("Quantity per year"), _("Comment")],
                [
                    [d.company.name, d.get_kind_display(), d.resource_label, _quantity(d), d.comment]
                    for d in declarations
                ],
                styles,
                widths=[3.5 * cm, 2 * cm, 5 * cm, 2.5 * cm, 4 * cm],
            )
        )
    else:
        story.append(_p(_("No declaration was allowed in the summary."), styles["Normal"]))
    story += [Spacer(1, 0.4 * cm), _p(_("The matches found"), styles["Heading2"])]
    matches = summary_matches(workshop)
    if matches:
        rows = []
        for m in matches:
            if m["named"]:
                who = ", ".join(m["companies"])
            else:
                who = _("%(n)s participants (named once all agree to be introduced)") % {
                    "n": m["company_count"]
                }
            kind = _("Substitution") if m["kind"] == "substitution" else _("Mutualisation")
            status = _("in the territory's pipeline") if m["in_pipeline"] else _("kept by the facilitator")
            rows.append([m["resource_label"], kind, who, status])
        story.append(
            _table(
                [_("Resource"), _("Kind"), _("Companies"), _("Status")],
                rows,
                styles,
                widths=[5 * cm, 3 * cm, 6 * cm, 3 * cm],
            )
        )
    else:
        story.append(_p(_("No match was kept at this workshop."), styles["Normal"]))
    story += [
        Spacer(1, 0.4 * cm),
        _p(_("Next steps"), styles["Heading2"]),
        Paragraph(
            "<br/>".join(
                [
                    _(
                        "1. The territory team contacts each company concerned by a match and asks "
                        "whether it agrees to be introduced to the others."
                    ),
                    _(
                        "2. Once every company of a match agrees, their names are shared and a first "
                        "meeting is organised."
                    ),
                    _(
                        "3. The quantities stated at the workshop are recorded as workshop data: each "
                        "company confirms or corrects them."
                    ),
                    _(
                        "4. The gains shown at the workshop are first estimates; they are studied with "
                        "the companies before any decision."
                    ),
                ]
            ),
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
