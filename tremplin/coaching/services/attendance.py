"""How often each selected territory came to the call's events, from the attendance recorded.

A territory attended an event when one of its registered people was present; it was excused when nobody
came and someone sent apologies; absent when everyone registered is recorded absent; not recorded when
someone's attendance is still unknown or nobody was registered. The rate is over the events whose
attendance is recorded (attended, excused or absent): an event not yet recorded neither raises nor lowers it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tremplin.coaching.models import Attendance, Event, Registration
from tremplin.programme.models import Participation

ATTENDED, EXCUSED, ABSENT, NOT_RECORDED = "attended", "excused", "absent", "not_recorded"


def territory_status(attendances: list[str]) -> str:
    """One territory at one event, from its people's attendance.

    >>> territory_status(["absent", "present"]), territory_status(["excused", "absent"])
    ('attended', 'excused')
    >>> territory_status(["absent", "absent"]), territory_status(["absent", "unknown"]), territory_status([])
    ('absent', 'not_recorded', 'not_recorded')
    """
    if Attendance.PRESENT in attendances:
        return ATTENDED
    if not attendances or Attendance.UNKNOWN in attendances:
        return NOT_RECORDED
    if Attendance.EXCUSED in attendances:
        return EXCUSED
    return ABSENT


@dataclass
class TerritoryAttendance:
    participation: Participation
    attended: int = 0
    excused: int = 0
    absent: int = 0
    not_recorded: int = 0

    @property
    def recorded(self) -> int:
        return self.attended + self.excused + self.absent

    @property
    def rate(self) -> Decimal | None:
        """Attended / recorded, as a percentage rounded to a unit; None when nothing is recorded."""
        if not self.recorded:
            return None
        return (Decimal(100 * self.attended) / self.recorded).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def attendance_summary(call) -> tuple[list[Event], list[TerritoryAttendance]]:
    events = list(Event.objects.of_call(call))
    participations = list(call.participations.select_related("territory__epci"))
    people: dict[tuple[int, int], list[str]] = {}
    for participation_id, event_id, attendance in Registration.objects.filter(event__in=events).values_list(
        "participation_id", "event_id", "attendance"
    ):
        people.setdefault((participation_id, event_id), []).append(attendance)
    rows = []
    for participation in participations:
        row = TerritoryAttendance(participation)
        for event in events:
            status = territory_status(people.get((participation.pk, event.pk), []))
            setattr(row, status, getattr(row, status) + 1)
        rows.append(row)
    return events, rows
