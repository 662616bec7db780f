"""Follow-up: each territory's report at a follow-up meeting (RSO) or the closing review, frozen at that
date, and the programme's closing review."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scoped
from tremplin.coaching.models.base import TerritoryOwnedQuerySet


class ProgressReportQuerySet(TerritoryOwnedQuerySet):
    def for_event(self, event):
        return self.filter(event=event)


@scoped
class ProgressReport(models.Model):
    """A territory's snapshot at a reporting meeting. Frozen when created: nothing updates it later.

    ``figures`` maps figure keys (see ``tremplin.coaching.services.figures.FIGURES``) to
    ``{"value": number or null, "source": text, "basis": measured/declared/register/estimated/count,
    "unit": text}``, with ``"companies"`` for a figure built from companies' data; reports frozen
    before held only value and source (and keys the registry keeps in ``LEGACY_FIGURES``): they are read
    as they are. ``details`` keeps the lists behind the figures (deliverable statuses, objectives with
    targets, shared good practices).
    """

    event = models.ForeignKey("coaching.Event", on_delete=models.CASCADE, related_name="reports")
    participation = models.ForeignKey(
        "programme.Participation", on_delete=models.CASCADE, related_name="progress_reports"
    )
    progress_statement = models.TextField(_("progress statement"))
    figures = models.JSONField(default=dict)
    details = models.JSONField(default=dict)
    frozen_at = models.DateTimeField(_("frozen at"))
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["event__date", "participation"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["event", "participation"], name="coaching_report_unique"),
        ]

    def __str__(self):
        return f"{self.participation.territory} — {self.event}"


class ClosingReview(models.Model):
    """The programme team's conclusions on a call's edition (programme-wide: no territory owns it)."""

    call = models.OneToOneField("programme.Call", on_delete=models.CASCADE, related_name="closing_review")
    lessons = models.TextField(_("lessons learnt"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("closing review")
        verbose_name_plural = _("closing reviews")

    def __str__(self):
        return str(self.call)
