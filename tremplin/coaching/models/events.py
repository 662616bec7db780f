"""The programme's calendar: launch meeting, workshops, follow-up meetings (RSO) and closing review,
and the territories' registrations to them."""

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import TerritoryFunction
from tremplin.accounts.scoping import scope_for, scoped
from tremplin.coaching.models.base import TerritoryOwnedQuerySet


class EventKind(models.TextChoices):
    LAUNCH = "launch", _("Launch meeting")
    WORKSHOP_1 = "workshop_1", _("Workshop 1")
    WORKSHOP_2 = "workshop_2", _("Workshop 2")
    WORKSHOP_3 = "workshop_3", _("Workshop 3")
    WORKSHOP_4 = "workshop_4", _("Workshop 4")
    RSO_1 = "rso_1", _("Operational follow-up meeting 1 (RSO 1)")
    RSO_2 = "rso_2", _("Operational follow-up meeting 2 (RSO 2)")
    RSO_3 = "rso_3", _("Operational follow-up meeting 3 (RSO 3)")
    CLOSING_REVIEW = "closing_review", _("Closing review")
    OTHER = "other", _("Other meeting")


RSO_KINDS = (EventKind.RSO_1, EventKind.RSO_2, EventKind.RSO_3)
# Meetings at which each territory presents a report frozen at that date.
REPORTING_KINDS = (*RSO_KINDS, EventKind.CLOSING_REVIEW)


class Duration(models.TextChoices):
    HALF_DAY = "half_day", _("Half day")
    FULL_DAY = "full_day", _("Full day")


class Period(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    ALL_DAY = "all_day", _("All day")


# The call states only "morning", "afternoon" or "one day": these hours are the platform's indicative
# defaults, editable per event.
DEFAULT_HOURS = {
    Period.MORNING: (datetime.time(9, 30), datetime.time(12, 30)),
    Period.AFTERNOON: (datetime.time(14, 0), datetime.time(17, 30)),
    Period.ALL_DAY: (datetime.time(9, 30), datetime.time(17, 0)),
}


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The programme team sees every event; a territory team the events of the calls it takes part in."""
        scope = scope_for(user)
        if scope.is_programme_team:
            return self.all()
        return self.filter(call__participations__territory_id__in=scope.team_territory_ids).distinct()

    def of_call(self, call):
        return self.filter(call=call)

    def reporting(self):
        return self.filter(kind__in=REPORTING_KINDS)


@scoped
class Event(models.Model):
    call = models.ForeignKey("programme.Call", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Defaults to the kind."))
    date = models.DateField(_("date"))
    duration = models.CharField(_("duration"), max_length=10, choices=Duration.choices)
    period = models.CharField(_("time of day"), max_length=10, choices=Period.choices)
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    place_confirmed = models.BooleanField(_("place confirmed"), default=False)
    agenda = models.TextField(_("agenda"), blank=True)
    note = models.TextField(_("note"), blank=True)
    # iCalendar SEQUENCE: raised when the date, the times or the place change, so that a convocation sent
    # again replaces the one a person's calendar holds (RFC 5545, 3.8.7.4).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["call", "date", "start_time"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "kind"], condition=~Q(kind="other"), name="coaching_event_unique_kind"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def is_reporting(self) -> bool:
        return self.kind in REPORTING_KINDS

    def clean(self):
        errors = {}
        if self.duration == Duration.FULL_DAY and self.period and self.period != Period.ALL_DAY:
            errors["period"] = _("A full-day event lasts all day.")
        if self.duration == Duration.HALF_DAY and self.period == Period.ALL_DAY:
            errors["period"] = _("A half-day event takes place in the morning or in the afternoon.")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The event must end after it starts.")
        if errors:
            raise ValidationError(errors)


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


def person_key(person_name: str, email: str = "") -> str:
    """Who a registration is for, to refuse the same person twice at one event: the e-mail address
    (case-insensitive), or, without one, the name without accents, case or extra spaces.

    >>> person_key("Jeanne  Élue", "Jeanne.Elue@EPCI.example"), person_key(" jeanne élue ")
    ('email:jeanne.elue@epci.example', 'name:jeanne elue')
    """
    if email and email.strip():
        return "email:" + email.strip().casefold()
    decomposed = unicodedata.normalize("NFKD", person_name or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "name:" + " ".join(bare.casefold().split())


class RegistrationQuerySet(TerritoryOwnedQuerySet):
    def with_email(self):
        return self.exclude(email="")


@scoped
class Registration(models.Model):
    """A person a territory sends to an event (the call asks for its elected official and its officer)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    participation = models.ForeignKey(
        "programme.Participation", on_delete=models.CASCADE, related_name="registrations"
    )
    person_name = models.CharField(_("name"), max_length=200)
    function = models.CharField(
        _("function"),
        max_length=20,
        choices=[
            (TerritoryFunction.ELECTED_OFFICIAL, TerritoryFunction.ELECTED_OFFICIAL.label),
            (TerritoryFunction.OFFICER, TerritoryFunction.OFFICER.label),
            (TerritoryFunction.OTHER, TerritoryFunction.OTHER.label),
        ],
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Derived from the e-mail or the name (see person_key): the database refuses a person twice.
    person_key = models.CharField(max_length=260, editable=False, default="")
    # The event's SEQUENCE last sent to this person in a convocation (None: never convoked).
    convoked_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    convoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "participation", "function", "person_name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person_key"],
                name="coaching_registration_unique_person",
                violation_error_message=_("This person is already registered to this event."),
            ),
        ]

    def __str__(self):
        return f"{self.person_name} — {self.event}"

    def save(self, *args, **kwargs):
        from tremplin.privacy.holders import ERASED_NAME

        self.person_key = person_key(self.person_name, self.email)
        if self.pk and self.person_name == ERASED_NAME and not self.email:
            # Erased people are nobody in particular: two of them may have been at the same event.
            self.person_key = f"erased:{self.pk}"
        if kwargs.get("update_fields") is not None and {"person_name", "email"} & set(
            kwargs["update_fields"]
        ):
            kwargs["update_fields"] = {*kwargs["update_fields"], "person_key"}
        super().save(*args, **kwargs)

    @property
    def convocation_is_current(self) -> bool:
        return self.convoked_sequence is not None and self.convoked_sequence >= self.event.sequence
