"""What happens to a synergy after detection: its status history, actions and measured figures."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.synergies.enums import AbandonReason, Status


class SynergyChildQuerySet(models.QuerySet):
    """History, actions and measurements are the territory team's working records."""

    def visible_to(self, user):
        return self.filter(synergy__territory_id__in=scope_for(user).team_territory_ids)


@scoped
class StatusChange(models.Model):
    synergy = models.ForeignKey("synergies.Synergy", on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"), db_index=True)
    reason = models.CharField(_("reason"), max_length=20, choices=AbandonReason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SynergyChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


@scoped
class SynergyAction(models.Model):
    synergy = models.ForeignKey("synergies.Synergy", on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(_("owner"), max_length=200, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SynergyChildQuerySet.as_manager()

    class Meta:
        ordering = ["done", "due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.title

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner else self.owner_name


@scoped
class Measurement(models.Model):
    """Figures reported for one year once the synergy runs, shown beside the estimates, never mixed."""

    synergy = models.ForeignKey("synergies.Synergy", on_delete=models.CASCADE, related_name="measurements")
    year = models.PositiveSmallIntegerField(_("year"))
    tonnes_diverted = models.FloatField(_("tonnes diverted"), default=0.0)
    eur_saved = models.FloatField(_("€ saved"), default=0.0)
    eur_earned = models.FloatField(_("€ earned"), default=0.0)
    co2_avoided_t = models.FloatField(_("t CO2e avoided"), default=0.0)
    jobs = models.FloatField(_("jobs created or kept (FTE)"), default=0.0)
    note = models.TextField(_("note (source, method)"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered on"), auto_now=True)

    objects = SynergyChildQuerySet.as_manager()

    class Meta:
        ordering = ["synergy", "-year"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(fields=["synergy", "year"], name="measurement_unique_year"),
        ]

    def __str__(self):
        return f"{self.synergy} — {self.year}"
