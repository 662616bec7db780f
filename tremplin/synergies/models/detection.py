"""Detection runs, the leads (candidates) they found, and the leads a territory dismissed for good."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.synergies.enums import DetectionMode, LeadStatus, Objective, RunStatus, SynergyKind


class TeamOnlyQuerySet(models.QuerySet):
    """Detection work is the territory team's: no other role sees it (the programme team sees counts)."""

    def visible_to(self, user):
        return self.filter(territory_id__in=scope_for(user).team_territory_ids)

    def for_territory(self, territory):
        return self.filter(territory=territory)


class DetectionRunQuerySet(TeamOnlyQuerySet):
    def finished(self):
        return self.filter(status=RunStatus.DONE)

    def in_progress(self):
        return self.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


@scoped
class DetectionRun(models.Model):
    """One run of the engine on a territory, carried out by a background task."""

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="detection_runs"
    )
    mode = models.CharField(_("mode"), max_length=16, choices=DetectionMode.choices)
    objective = models.CharField(_("objective"), max_length=8, choices=Objective.choices, default="gain")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default="queued")
    progress = models.FloatField(_("progress"), default=0.0)
    message = models.CharField(_("progress message"), max_length=200, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    establishment_count = models.PositiveIntegerField(default=0)
    flow_count = models.PositiveIntegerField(default=0)
    lead_count = models.PositiveIntegerField(default=0)
    skipped_dismissed = models.PositiveIntegerField(default=0)
    skipped_in_pipeline = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    knowledge_base_version = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = DetectionRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("detection run")
        verbose_name_plural = _("detection runs")

    def __str__(self):
        return f"{self.territory} — {self.get_mode_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def duration_s(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class LeadQuerySet(TeamOnlyQuerySet):
    def pending(self):
        return self.filter(status=LeadStatus.PENDING)


@scoped
class Lead(models.Model):
    """A candidate synergy found by a run: the engine's opportunity, kept whole in ``data``."""

    run = models.ForeignKey(DetectionRun, on_delete=models.CASCADE, related_name="leads")
    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    signature = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SynergyKind.choices)
    resource = models.CharField(_("resource"), max_length=64)
    resource_label = models.CharField(_("resource"), max_length=200)
    establishment_ids = models.JSONField(default=list)  # primary keys, as the engine's ids
    gain_eur_per_year = models.FloatField(default=0.0)
    co2_avoided_t_per_year = models.FloatField(default=0.0)
    tonnes_diverted_per_year = models.FloatField(default=0.0)
    confidence = models.CharField(max_length=16)
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)  # engine Opportunity.as_dict()
    status = models.CharField(max_length=16, choices=LeadStatus.choices, default="pending")
    decided_at = models.DateTimeField(null=True, blank=True)
    synergy = models.ForeignKey(
        "synergies.Synergy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["run", "rank"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self):
        return f"#{self.rank} {self.resource_label}"


@scoped
class Dismissal(models.Model):
    """A lead the team does not want to see again: later runs skip its signature."""

    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=255)
    label = models.CharField(max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = TeamOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("dismissed lead")
        verbose_name_plural = _("dismissed leads")
        constraints = [
            models.UniqueConstraint(fields=["territory", "signature"], name="dismissal_unique_signature")
        ]

    def __str__(self):
        return self.label or self.signature
