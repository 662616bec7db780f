"""Invitations: a secure, expiring link that lets one person declare the flows of one establishment.

Only a SHA-256 digest of the token is stored: a copy of the database does not open any questionnaire.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Invitations are the territory team's business; the invited contact holds only the link."""
        return self.filter(establishment__territory_id__in=scope_for(user).team_territory_ids)

    def for_establishment(self, establishment):
        return self.filter(establishment=establishment)

    def with_token(self, token: str):
        return self.filter(token_hash=token_digest(token or ""))

    def usable(self, now=None):
        return self.filter(revoked=False, expires_at__gt=now or timezone.now())


def default_expiry():
    return timezone.now() + datetime.timedelta(days=settings.QUESTIONNAIRE_INVITATION_DAYS)


@scoped
class Invitation(models.Model):
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), default=default_expiry)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} → {self.establishment}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def is_usable(self, now=None) -> bool:
        return not self.revoked and not self.is_expired(now)

    @property
    def status(self) -> str:
        if self.revoked:
            return "revoked"
        if self.is_expired():
            return "expired"
        return "opened" if self.used_at else "sent"
