"""A person's calendar feed: a secret address a calendar application subscribes to, without a session."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """One feed per user. Only the SHA-256 of the secret is stored: a copy of the database does not give
    the addresses away, and the secret is shown once, when it is made (renewing makes a new one)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self._meta.verbose_name} — {self.user}"
