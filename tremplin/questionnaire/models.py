"""Invitations: a secure, expiring link that lets one person declare the flows of one establishment.

Only a SHA-256 digest of the token is stored: a copy of the database does not open any questionnaire.

A link signs its holder in once (``used_at``); afterwards the contact signs in with its own password, or
asks for a fresh link, which goes to the same address. While it is live (not revoked, not replaced, not
expired) an opened invitation *holds* the company-contact membership it granted (``membership``):
revoking it, or its expiry, removes that membership and ends the contact's sessions
(``tremplin.questionnaire.services``). At most one invitation per address and establishment is
*current*; a newer one replaces it.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
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
        return self.filter(revoked=False, current=True, expires_at__gt=now or timezone.now())

    def holding_expired_grants(self, now=None):
        """Invitations past their expiry that still hold the membership they granted."""
        return self.filter(membership__isnull=False, expires_at__lte=now or timezone.now())


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
    sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    used_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The account the link was opened for."),
    )
    membership = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The company-contact role this invitation granted, held while it is live."),
    )
    current = models.BooleanField(
        _("current"), default=True, help_text=_("False once a newer link to the same address replaced it.")
    )
    revoked = models.BooleanField(_("revoked"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Two quick submits of the invitation form (or two renewals) never leave two live links.
            models.UniqueConstraint(
                fields=["establishment", "email"],
                condition=Q(current=True),
                name="invitation_one_current_per_address",
            )
        ]

    def __str__(self):
        return f"{self.email} → {self.establishment}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def is_usable(self, now=None) -> bool:
        return not self.revoked and self.current and not self.is_expired(now)

    @property
    def status(self) -> str:
        if self.revoked:
            return "revoked"
        if not self.current:
            return "replaced"
        if self.is_expired():
            return "expired"
        return "opened" if self.used_at else "sent"
