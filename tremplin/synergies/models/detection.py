"""Detection runs, the leads (candidates) they found, and the leads a territory dismissed for good."""

from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.synergies.enums import DetectionMode, LeadStatus, Objective, RunFailure, RunStatus, SynergyKind


def heartbeat_timeout() -> timedelta:
    """How long a run may stay without news before it is taken as lost (its worker stopped)."""
    return timedelta(seconds=settings.DETECTION_HEARTBEAT_TIMEOUT_S)


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

    def with_last_news(self):
        """``last_news``: the last time the run gave news (heartbeat, start, or creation while queued)."""
        return self.annotate(last_news=Coalesce("heartbeat_at", "started_at", "created_at"))

    def lost(self, now=None):
        """Runs in progress without news for longer than the heartbeat timeout: their worker stopped (or,
        queued, no worker picked them up). They no longer block a new run and may be marked failed."""
        limit = (now or timezone.now()) - heartbeat_timeout()
        return self.in_progress().with_last_news().filter(last_news__lt=limit)

    def blocking(self, now=None):
        """Runs in progress that still give news: a new run on the territory waits for them."""
        limit = (now or timezone.now()) - heartbeat_timeout()
        return self.in_progress().with_last_news().filter(last_news__gte=limit)


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
    #: Written by the task as it progresses; a run without news for too long is lost (worker killed).
    heartbeat_at = models.DateTimeField(_("last news from the worker"), null=True, blank=True)
    #: Host and process id of the worker running it ("host:pid"): a worker that starts on the same host
    #: knows at once that a run of a dead process is lost.
    worker = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(_("failure"), max_length=16, choices=RunFailure.choices, blank=True)
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("run again from"),
    )
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
    def last_news_at(self):
        return self.heartbeat_at or self.started_at or self.created_at

    def is_lost(self, now=None) -> bool:
        """In progress, but silent for longer than the heartbeat timeout (``DetectionRunQuerySet.lost``)."""
        if self.is_finished or self.last_news_at is None:
            return False
        return self.last_news_at < (now or timezone.now()) - heartbeat_timeout()

    @property
    def lost(self) -> bool:
        return self.is_lost()

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
    #: The same participants as ``establishment_ids``, as rows: the leads are filtered by establishment
    #: and commune in the database (a JSON list cannot be searched portably).
    establishments = models.ManyToManyField("establishments.Establishment", related_name="+", blank=True)
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
