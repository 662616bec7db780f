"""An edition's shape as data: a template of events and deliverables whose dates are offsets (in days)
from the edition's start, and the deliverables an edition (a call) asks of its territories, with their
due dates once a template is applied.

Event kinds are the calendar's own (``EventKind``): a template uses any subset of them (an edition of three
workshops and two follow-up meetings uses ``workshop_1..3`` and ``rso_1..2``), so the reports and the
follow-up logic keyed on ``RSO_KINDS`` / ``REPORTING_KINDS`` keep their meaning for every edition.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models.deliverables import DeliverableKind
from tremplin.coaching.models.events import DEFAULT_HOURS, Duration, EventKind, Period


def check_timing(duration, period, start_time, end_time) -> dict:
    """The errors of a duration, time of day and hours that do not fit together (as ``Event.clean``)."""
    errors = {}
    if duration == Duration.FULL_DAY and period and period != Period.ALL_DAY:
        errors["period"] = _("A full-day event lasts all day.")
    if duration == Duration.HALF_DAY and period == Period.ALL_DAY:
        errors["period"] = _("A half-day event takes place in the morning or in the afternoon.")
    if start_time and end_time and end_time <= start_time:
        errors["end_time"] = _("The event must end after it starts.")
    return errors


class EditionTemplate(models.Model):
    """The shape of a programme edition: its events and deliverables, dated from the edition's start."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("Kept with the template (its source, the edition it was drawn from); never copied."),
    )
    support_days = models.PositiveSmallIntegerField(
        _("individual support days per territory"),
        default=2,
        validators=[MaxValueValidator(10)],
        help_text=_("The first at the consultancy's premises, the others remote or on the territory."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("edition template")
        verbose_name_plural = _("edition templates")

    def __str__(self):
        return self.name


class TemplateEvent(models.Model):
    """An event of a template, held ``offset_days`` after the edition's start."""

    template = models.ForeignKey(EditionTemplate, on_delete=models.CASCADE, related_name="events")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Defaults to the kind."))
    offset_days = models.PositiveIntegerField(
        _("days after the start"), help_text=_("0 is the edition's first day.")
    )
    duration = models.CharField(_("duration"), max_length=10, choices=Duration.choices)
    period = models.CharField(_("time of day"), max_length=10, choices=Period.choices)
    start_time = models.TimeField(
        _("start time"), null=True, blank=True, help_text=_("Empty: the indicative hours of the time of day.")
    )
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    place_to_be_confirmed = models.BooleanField(_("place to be confirmed"), default=True)
    agenda = models.TextField(_("agenda"), blank=True)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Kept with the template; never copied into an edition.")
    )

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("event of a template")
        verbose_name_plural = _("events of a template")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "kind"],
                condition=~Q(kind="other"),
                name="coaching_template_event_kind",
                violation_error_message=_("The template already has an event of this kind."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def hours(self):
        """The start and end times an event created from this item gets."""
        start, end = DEFAULT_HOURS.get(self.period, (None, None))
        return self.start_time or start, self.end_time or end

    def clean(self):
        errors = check_timing(self.duration, self.period, *self.hours)
        if errors:
            raise ValidationError(errors)


class TemplateDeliverable(models.Model):
    """A deliverable of a template, due ``offset_days`` after an event of the template (the workshop it
    belongs to) or, without one, after the edition's start."""

    template = models.ForeignKey(EditionTemplate, on_delete=models.CASCADE, related_name="deliverables")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("deliverable"), max_length=20, choices=DeliverableKind.choices)
    due_event = models.ForeignKey(
        TemplateEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliverables",
        verbose_name=_("due with the event"),
        help_text=_("Empty: the offset counts from the edition's start."),
    )
    offset_days = models.IntegerField(
        _("days after that date"), default=0, help_text=_("Negative: days before it.")
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Kept with the template; never copied into an edition.")
    )

    class Meta:
        ordering = ["template", "position", "pk"]
        verbose_name = _("deliverable of a template")
        verbose_name_plural = _("deliverables of a template")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "kind"],
                name="coaching_template_deliverable_kind",
                violation_error_message=_("The template already has this deliverable."),
            ),
        ]

    def __str__(self):
        return str(self.get_kind_display())

    def clean(self):
        if self.due_event_id and self.due_event.template_id != self.template_id:
            raise ValidationError({"due_event": _("Choose an event of the same template.")})


class CallDeliverableQuerySet(models.QuerySet):
    def of_call(self, call):
        return self.filter(call=call)


class CallDeliverable(models.Model):
    """A deliverable an edition asks of each of its territories, and when it is due (from a template;
    the date stays editable)."""

    call = models.ForeignKey("programme.Call", on_delete=models.CASCADE, related_name="deliverable_schedule")
    kind = models.CharField(_("deliverable"), max_length=20, choices=DeliverableKind.choices)
    due_date = models.DateField(_("due date"))
    event = models.ForeignKey(
        "coaching.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliverables_due",
        verbose_name=_("event"),
    )
    template = models.ForeignKey(
        EditionTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CallDeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["call", "due_date", "kind"]
        verbose_name = _("deliverable of an edition")
        verbose_name_plural = _("deliverables of an edition")
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], name="coaching_call_deliverable_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.due_date}"
