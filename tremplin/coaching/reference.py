"""The reference edition (the Normandy 2019 call, shared/seed): its calendar table "Les dates à retenir",
and the edition template drawn from it.

The table is the 2019 call's own calendar (the demonstration's reference call keeps it as it is). The
template keeps the edition's shape only: kinds, offsets from the launch, durations, times of day and
agendas; everything specific to 2019 (dates, places, the call's quotations) stays in the template's own
notes, which are never copied into an edition.
"""

import datetime
from dataclasses import dataclass

from tremplin.coaching.models.deliverables import DeliverableKind
from tremplin.coaching.models.events import Duration, EventKind, Period

PLACE_TO_BE_CONFIRMED = "Caen ou Rouen"


@dataclass(frozen=True)
class ReferenceEvent:
    kind: str
    date: datetime.date
    duration: str
    period: str
    place: str
    place_confirmed: bool
    agenda: str = ""
    note: str = ""


_TIMES_NOTE = "Horaires indicatifs : l'appel à candidature ne précise que la demi-journée ou la journée."
_PLACE_NOTE = (
    "Lieu à confirmer : selon l'appel, « les ateliers pourront se dérouler à Caen et Rouen dans des salles "
    "mises à disposition par les membres du comité de pilotage »."
)

# The calendar table ("Les dates à retenir") of the Normandy 2019 call (shared/seed), the reference edition.
REFERENCE_CALENDAR: tuple[ReferenceEvent, ...] = (
    ReferenceEvent(
        EventKind.LAUNCH,
        datetime.date(2019, 5, 7),
        Duration.HALF_DAY,
        Period.AFTERNOON,
        "Caen",
        True,
        note=_TIMES_NOTE,
    ),
    ReferenceEvent(
        EventKind.WORKSHOP_1,
        datetime.date(2019, 5, 24),
        Duration.FULL_DAY,
        Period.ALL_DAY,
        PLACE_TO_BE_CONFIRMED,
        False,
        agenda="Analyser les forces / faiblesses / opportunités du territoire.",
        note=f"{_PLACE_NOTE} {_TIMES_NOTE}",
    ),
    ReferenceEvent(
        EventKind.WORKSHOP_2,
        datetime.date(2019, 6, 18),
        Duration.FULL_DAY,
        Period.ALL_DAY,
        PLACE_TO_BE_CONFIRMED,
        False,
        agenda="Formaliser le périmètre, les objectifs stratégiques et organiser sa gouvernance.",
        note=f"{_PLACE_NOTE} {_TIMES_NOTE}",
    ),
    ReferenceEvent(
        EventKind.WORKSHOP_3,
        datetime.date(2019, 7, 11),
        Duration.FULL_DAY,
        Period.ALL_DAY,
        PLACE_TO_BE_CONFIRMED,
        False,
        agenda="Mobiliser et animer en interne et en externe.",
        note=f"{_PLACE_NOTE} {_TIMES_NOTE}",
    ),
    ReferenceEvent(
        EventKind.WORKSHOP_4,
        datetime.date(2019, 9, 10),
        Duration.FULL_DAY,
        Period.ALL_DAY,
        PLACE_TO_BE_CONFIRMED,
        False,
        agenda=(
            "Assurer la pérennité de la démarche en l'appuyant sur un modèle économique et une "
            "communication adaptés au territoire."
        ),
        note=f"{_PLACE_NOTE} {_TIMES_NOTE}",
    ),
    *(
        ReferenceEvent(
            kind,
            day,
            Duration.HALF_DAY,
            Period.MORNING,
            "",
            False,
            agenda="Chaque territoire expose ses avancées dans la mise en œuvre de sa stratégie EIT.",
            note=_TIMES_NOTE,
        )
        for kind, day in (
            (EventKind.RSO_1, datetime.date(2019, 11, 5)),
            (EventKind.RSO_2, datetime.date(2020, 2, 11)),
            (EventKind.RSO_3, datetime.date(2020, 6, 9)),
        )
    ),
    ReferenceEvent(
        EventKind.CLOSING_REVIEW,
        datetime.date(2020, 10, 8),
        Duration.HALF_DAY,
        Period.MORNING,
        "",
        False,
        agenda="Réunion de bilan de l'opération collective.",
        note=(
            "Date du tableau « Les dates à retenir » de l'appel (8 octobre 2020) ; le texte de l'appel "
            "annonce la réunion de bilan « en novembre 2020 ». À confirmer. " + _TIMES_NOTE
        ),
    ),
)


#: The edition's start: its launch meeting, the first date of the table.
REFERENCE_START = REFERENCE_CALENDAR[0].date
REFERENCE_TEMPLATE_NAME = "Tremplin EIT Normandie (modèle de l'édition 2019)"
REFERENCE_TEMPLATE_DESCRIPTION = (
    "Réunion de lancement, quatre ateliers collectifs d'une journée, trois réunions de suivi opérationnel "
    "(RSO) et une réunion de bilan ; un livrable par atelier. Les deux journées d'appui individuel de "
    "chaque territoire se planifient avec lui."
)
REFERENCE_TEMPLATE_NOTES = (
    "Tiré du tableau « Les dates à retenir » de l'appel à candidature Tremplin EIT Normandie 2019 "
    "(lancement le 7 mai 2019) : les décalages sont comptés en jours depuis ce lancement."
)

# Each workshop's deliverables (the call names the workshops' topics; it sets no due date).
REFERENCE_DELIVERABLES: tuple[tuple[str, str], ...] = (
    (DeliverableKind.W1_DIAGNOSIS, EventKind.WORKSHOP_1),
    (DeliverableKind.W2_PERIMETER, EventKind.WORKSHOP_2),
    (DeliverableKind.W2_OBJECTIVES, EventKind.WORKSHOP_2),
    (DeliverableKind.W2_GOVERNANCE, EventKind.WORKSHOP_2),
    (DeliverableKind.W3_MOBILISATION, EventKind.WORKSHOP_3),
    (DeliverableKind.W4_ECONOMIC_MODEL, EventKind.WORKSHOP_4),
    (DeliverableKind.W4_COMMUNICATION, EventKind.WORKSHOP_4),
)
_DELIVERABLE_NOTE = (
    "L'appel de 2019 ne fixe pas d'échéance : le livrable est celui de l'atelier, construit entre cet "
    "atelier et le suivant (« Entre chaque atelier, il sera demandé à chaque EPCI d'avancer… »)."
)


def _event_notes(reference: ReferenceEvent) -> str:
    place = reference.place or "non précisé"
    confirmed = "confirmé" if reference.place_confirmed else "à confirmer"
    lines = [f"Édition 2019 : le {reference.date.isoformat()}, lieu {place} ({confirmed})."]
    if reference.note:
        lines.append(reference.note)
    return "\n".join(lines)


def seed_reference_template(EditionTemplate, TemplateEvent, TemplateDeliverable):
    """The reference edition's template, created if missing (idempotent; an existing template of that
    name is left as the programme team edited it). Takes the model classes, so that the data migration
    passes its historical models."""
    template, created = EditionTemplate.objects.get_or_create(
        name=REFERENCE_TEMPLATE_NAME,
        defaults={"description": REFERENCE_TEMPLATE_DESCRIPTION, "notes": REFERENCE_TEMPLATE_NOTES},
    )
    if not created:
        return template
    items = {}
    for position, reference in enumerate(REFERENCE_CALENDAR):
        items[reference.kind] = TemplateEvent.objects.create(
            template=template,
            position=position,
            kind=reference.kind,
            offset_days=(reference.date - REFERENCE_START).days,
            duration=reference.duration,
            period=reference.period,
            # Every new edition chooses its places: the 2019 ones are in the notes.
            place_to_be_confirmed=True,
            agenda=reference.agenda,
            notes=_event_notes(reference),
        )
    for position, (kind, workshop) in enumerate(REFERENCE_DELIVERABLES):
        TemplateDeliverable.objects.create(
            template=template,
            position=position,
            kind=kind,
            due_event=items[workshop],
            offset_days=0,
            notes=_DELIVERABLE_NOTE,
        )
    return template
