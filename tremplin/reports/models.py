"""A report snapshot: everything a territory's report shows, frozen at a date.

``data`` holds two sections (see ``snapshots.py``):

- ``aggregates``: indicators and counts. Nothing in it names a company, so the programme team, which
  follows every territory through aggregates, may read it.
- ``confidential``: the synergy table (participants' names, figures) and the map's input (establishment
  positions, synergy links). Only the territory team reads it.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class ReportKind(models.TextChoices):
    RSO_1 = "rso_1", _("Follow-up meeting 1 (RSO 1)")
    RSO_2 = "rso_2", _("Follow-up meeting 2 (RSO 2)")
    RSO_3 = "rso_3", _("Follow-up meeting 3 (RSO 3)")
    CLOSING = "closing", _("Closing review")
    ADHOC = "adhoc", _("Other date")


class ReportSnapshotQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory team reads its snapshots whole; the programme team reads every territory's
        snapshot, but only its aggregates section (the views and the PDF leave the rest out)."""
        scope = scope_for(user)
        if scope.is_programme_team:
            return self.all()
        return self.filter(territory_id__in=scope.team_territory_ids)

    def for_territory(self, territory):
        return self.filter(territory=territory)

    def chronological(self):
        return self.order_by("frozen_at", "created_at", "id")


@scoped
class ReportSnapshot(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="report_snapshots"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices, default=ReportKind.ADHOC)
    frozen_at = models.DateField(_("figures as of"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("frozen on"), auto_now_add=True)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    objects = ReportSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-frozen_at", "-created_at", "-id"]
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")
        indexes = [models.Index(fields=["territory", "frozen_at"])]

    def __str__(self):
        return f"{self.territory} — {self.title} ({self.frozen_at:%d/%m/%Y})"

    @property
    def aggregates(self) -> dict:
        return self.data.get("aggregates", {})

    @property
    def confidential(self) -> dict:
        return self.data.get("confidential", {})
