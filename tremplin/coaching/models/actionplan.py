"""The territory's action plan: what will be done, by whom, when, with which budget, and how far it went.

The plan lives beside the workshop deliverables (it is never submitted nor locked): the territory team
keeps it up to date through the programme, the programme team reads it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tremplin.accounts.scoping import scoped
from tremplin.coaching.models.base import ParticipationItem, TerritoryOwnedQuerySet


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("action status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
    DONE = "done", pgettext_lazy("action status", "Done")
    ABANDONED = "abandoned", pgettext_lazy("action status", "Abandoned")


class PlannedActionQuerySet(TerritoryOwnedQuerySet):
    def not_abandoned(self):
        return self.exclude(status=ActionStatus.ABANDONED)


@scoped
class PlannedAction(ParticipationItem):
    title = models.CharField(_("action"), max_length=200)
    owner_name = models.CharField(_("owner"), max_length=200, help_text=_("Who carries the action."))
    owner_organisation = models.CharField(_("owner's organisation"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    budget_eur = models.DecimalField(
        _("budget (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_source = models.CharField(
        _("funding source"), max_length=200, blank=True, help_text=_("e.g. EPCI's own funds, ADEME, Region")
    )
    objective = models.ForeignKey(
        "coaching.Objective",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("objective"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    #: Raised by every change: an edit made from an older form is refused (an edit conflict).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlannedActionQuerySet.as_manager()

    class Meta(ParticipationItem.Meta):
        ordering = ["participation", "start_date", "pk"]
        verbose_name = _("action of the plan")
        verbose_name_plural = _("actions of the plan")

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise ValidationError({"due_date": _("The due date cannot come before the start date.")})
        if self.budget_eur and not self.funding_source.strip():
            raise ValidationError({"funding_source": _("Say where the budget comes from.")})
        if self.objective_id and self.objective.participation_id != self.participation_id:
            raise ValidationError({"objective": _("Choose one of the territory's objectives.")})


class PlannedActionChildQuerySet(TerritoryOwnedQuerySet):
    territory_lookup = "action__participation__territory_id"


@scoped
class PlannedActionTransition(models.Model):
    """History of an action's status: who moved it, when, from which status to which."""

    action = models.ForeignKey(PlannedAction, on_delete=models.CASCADE, related_name="transitions")
    transition = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, choices=ActionStatus.choices)
    to_status = models.CharField(max_length=12, choices=ActionStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = PlannedActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["action", "at", "pk"]
        verbose_name = _("status change of an action")
        verbose_name_plural = _("status changes of an action")

    def __str__(self):
        return f"{self.transition} {self.from_status} → {self.to_status}"
