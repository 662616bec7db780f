"""Individual support: two days per territory, one of them at the consultancy's premises."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scoped
from tremplin.coaching.models.base import TerritoryOwnedQuerySet


class SupportDayQuerySet(TerritoryOwnedQuerySet):
    def held_by(self, day):
        return self.filter(date__isnull=False, date__lte=day)


@scoped
class SupportDay(models.Model):
    participation = models.ForeignKey(
        "programme.Participation", on_delete=models.CASCADE, related_name="support_days"
    )
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty while not scheduled."))
    on_site = models.BooleanField(
        _("at the consultancy's premises"),
        default=False,
        help_text=_("The call plans one of the two days on the premises of the consultancy."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    topics = models.TextField(_("topics"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupportDayQuerySet.as_manager()

    class Meta:
        ordering = ["participation", "date", "pk"]
        verbose_name = _("support day")
        verbose_name_plural = _("support days")

    def __str__(self):
        return f"{self.participation.territory} — {self.date or '?'}"
