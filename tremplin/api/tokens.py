"""Domain operations on personal API tokens: create (the token is returned once), revoke, authenticate.

A token reads ``tpl_`` followed by 40 URL-safe random characters (240 bits). Only its SHA-256 is stored,
so a leaked database does not give working tokens; the first 12 characters are kept to recognise it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.api.models import ApiToken
from tremplin.audit.log import log_action

PREFIX = "tpl_"
#: Longest lifetime a person may give a token.
MAX_LIFETIME = dt.timedelta(days=366)
#: last_used_at is written at most this often per token (one write per request would cost too much).
USE_RESOLUTION = dt.timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, *, by, name: str, expires_at: dt.datetime) -> tuple[ApiToken, str]:
    """A new token of ``user`` (who must be ``by``: nobody creates tokens for someone else), and the
    token itself, to be shown once."""
    if by is None or by.pk != user.pk or not user.is_active:
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, to recognise it later.")})
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    if expires_at > now + MAX_LIFETIME:
        raise ValidationError({"expires_at": _("A token lasts at most one year.")})
    raw = PREFIX + secrets.token_urlsafe(30)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:12], key_hash=_hash(raw), expires_at=expires_at
        )
        log_action(by, "api.token.created", token, name=token.name, expires_at=expires_at.isoformat())
    return token, raw


def revoke_token(token: ApiToken, *, by) -> ApiToken:
    """Revoke one of the actor's own tokens (at once: the next request with it is refused)."""
    if by is None or by.pk != token.user_id:
        raise PermissionDenied
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            log_action(by, "api.token.revoked", token, name=token.name)
    return token


def authenticate(raw: str | None) -> ApiToken | None:
    """The usable token matching ``raw`` (its user loaded), or None."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
