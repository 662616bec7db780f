"""An import job (one file imported into a territory) and the changes it made to establishments that
were already recorded.

Every import has a job, whether it came through the page (the uploaded file is kept until the job has
run) or the command line (no file kept). The job is the territory team's: no other role sees it.
"""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    PREVIEWED = "previewed", _("Waiting for confirmation")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PrivateImportStorage(FileSystemStorage):
    """Uploaded files wait for the worker outside any public URL (``MEDIA_ROOT/private/imports``)."""

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private", "imports")

    def url(self, name):
        raise ValueError("Uploaded import files have no URL.")


def private_import_storage():
    return PrivateImportStorage()


def upload_path(instance, filename):
    # The user's file name is kept in the database only; the stored name is unguessable.
    return f"territory-{instance.territory_id}/{uuid.uuid4().hex}.upload"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(territory_id__in=scope_for(user).team_territory_ids)

    def for_territory(self, territory):
        return self.filter(territory=territory)

    def in_progress(self):
        return self.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])


class ImportStage(models.TextChoices):
    PREVIEW = "preview", _("Preview of the changes")
    APPLY = "apply", _("Writing")


@scoped
class ImportJob(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("kind of file"), max_length=16)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file = models.FileField(upload_to=upload_path, storage=private_import_storage, blank=True, max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    in_background = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    stage = models.CharField(max_length=8, choices=ImportStage.choices, default=ImportStage.APPLY)
    #: Chosen with the file: ``outside`` (a point outside its commune: "refuse" or "commune"); chosen on
    #: confirmation: ``take_file`` (fields corrected by hand that take the file's value: "siret:field"
    #: strings, or True for all).
    options = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    #: What the import will change, computed before asking (see ``services.preview_import``).
    preview = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    encoding = models.CharField(_("encoding of the file"), max_length=16, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)
    message = models.CharField(_("progress message"), max_length=200, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    skipped_inactive = models.PositiveIntegerField(default=0)
    skipped_outside = models.PositiveIntegerField(default=0)
    located_in_commune = models.PositiveIntegerField(default=0)
    moved_to_commune = models.PositiveIntegerField(default=0)  # points outside their commune, moved
    not_checked = models.PositiveIntegerField(default=0)  # points whose commune has no boundary loaded
    kept_by_hand = models.PositiveIntegerField(default=0)  # hand-corrected fields kept
    # The first errors of a refused file ({"line", "field", "reason"}), and how many there were in all.
    errors = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    error_count = models.PositiveIntegerField(default=0)
    # Set when the import itself broke (not the file): shown as a generic failure, logged in full.
    failure = models.TextField(blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.territory} — {self.filename or self.kind} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)

    @property
    def awaits_confirmation(self) -> bool:
        return self.status == ImportStatus.PREVIEWED

    @property
    def encoding_label(self) -> str:
        return {"utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(self.encoding, self.encoding)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def skipped(self) -> int:
        return self.skipped_inactive + self.skipped_outside

    @property
    def errors_omitted(self) -> int:
        return max(0, self.error_count - len(self.errors))


class ImportChangeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(job__territory_id__in=scope_for(user).team_territory_ids)


@scoped
class ImportChange(models.Model):
    """What an import replaced on one establishment already recorded: the previous value of each field
    it changed, and the value it wrote."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="changes")
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.SET_NULL, null=True, related_name="import_changes"
    )
    siret = models.CharField(_("SIRET"), max_length=14)
    name = models.CharField(_("name"), max_length=200)  # after the import
    previous = models.JSONField(_("previous values"), default=dict, encoder=DjangoJSONEncoder)
    current = models.JSONField(_("imported values"), default=dict, encoder=DjangoJSONEncoder)
    #: Fields corrected by hand that the import left as they were: {field: [kept value, file's value]}.
    kept = models.JSONField(_("corrections kept"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = ImportChangeQuerySet.as_manager()

    class Meta:
        ordering = ["job", "id"]
        verbose_name = _("change made by an import")
        verbose_name_plural = _("changes made by an import")

    def __str__(self):
        return f"{self.siret} ({', '.join(self.previous)})"


def extract_upload_path(instance, filename):
    return f"call-{instance.call_id}/{uuid.uuid4().hex}.upload"


class RegisterExtractQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The programme team's: an extract covers the applicants of a whole call."""
        return self.all() if scope_for(user).is_programme_team else self.none()

    def for_call(self, call):
        return self.filter(call=call)

    def done(self):
        return self.filter(status=ImportStatus.DONE)


class RegisterExtract(models.Model):
    """One SIRENE establishment extract (national or regional) loaded by the programme team for the
    applicants of a call: read once, split by EPCI, written in each applicant EPCI's workspace (one
    :class:`ImportJob` per workspace), then the synergy potential of every applicant is computed.

    ``results`` holds one entry per applicant: ``{"application", "epci", "siren", "territory",
    "territory_created", "kept", "created", "updated", "removed", "kept_by_hand", "potential_score",
    "job"}``. The establishments themselves are public register data; the extract never lists them.
    """

    call = models.ForeignKey("programme.Call", on_delete=models.CASCADE, related_name="register_extracts")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    file = models.FileField(
        upload_to=extract_upload_path, storage=private_import_storage, blank=True, max_length=200
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    #: The date of the stock as the programme team gave it; else the latest processing date of a row of
    #: the file; else the day of the upload (see ``stock_date_basis``).
    stock_date = models.DateField(_("date of the register stock"), null=True, blank=True)
    stock_date_basis = models.CharField(max_length=16, blank=True)  # "given", "file" or "upload"
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    message = models.CharField(_("progress message"), max_length=200, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    skipped_inactive = models.PositiveIntegerField(default=0)
    skipped_outside = models.PositiveIntegerField(default=0)  # active rows outside every applicant EPCI
    results = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    errors = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    error_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    objects = RegisterExtractQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("register extract")
        verbose_name_plural = _("register extracts")

    def __str__(self):
        return f"{self.call} — {self.filename or 'SIRENE'} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def errors_omitted(self) -> int:
        return max(0, self.error_count - len(self.errors))
