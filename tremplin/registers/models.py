"""An import of a public register file: checked and matched first, applied once the officer has
confirmed the establishments matched by name and commune."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class RegisterImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Register imports concern the territory team only."""
        return self.filter(territory_id__in=scope_for(user).team_territory_ids)

    def for_territory(self, territory):
        return self.filter(territory=territory)


@scoped
class RegisterImport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("to confirm")
        APPLIED = "applied", _("applied")
        CANCELLED = "cancelled", _("cancelled")

    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="+")
    register = models.CharField(_("register"), max_length=16, default="irep")
    year = models.PositiveSmallIntegerField(_("year"))
    filename = models.CharField(_("file"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    #: The matched lines and the proposals, as read (JSON): applying never reads the file again.
    payload = models.JSONField(default=dict)
    #: What applying did (counts), for the page and the journal.
    outcome = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = RegisterImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def __str__(self):
        return f"IREP {self.year} · {self.filename}"

    @property
    def source(self) -> str:
        return f"IREP {self.year}"
