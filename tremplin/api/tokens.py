"""Domain operations on personal API tokens: create (the token is returned once), revoke, authenticate.

A token reads ``tpl_`` followed by 40 URL-safe random characters (240 bits). Only its SHA-256 is stored,
so a leaked database does not give working tokens; the first 12 characters are kept to recognise it.

When a token stops working, besides its expiry and its revocation by its owner:

* the owner's account is deactivated (``is_active`` false): refused at once (:meth:`usable`), and working
  again if the account is reactivated;
* the owner loses a role: the token keeps working, with what the remaining roles allow, since the scope
  is computed afresh at every call (ending the person's sessions is for browsers, whose pages may hold
  what the lost role showed);
* the owner loses their last role: every token is revoked (:func:`revoke_all_tokens`, audited), so
  that a role given again later does not bring old tokens back to life unnoticed;
* the account is erased (``tremplin erase-personal-data``): its tokens are deleted (privacy holder
  ``api_tokens``), with the rest of what is only about the person.

A new password or a password reset leaves tokens alone (they are credentials of their own, listed and
revoked on the token page), as most platforms with personal tokens do.
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
from tremplin.submissions.services import submit_once, was_replayed

PREFIX = "tpl_"
#: Longest lifetime a person may give a token.
MAX_LIFETIME = dt.timedelta(days=366)
#: last_used_at is written at most this often per token (one write per request would cost too much).
USE_RESOLUTION = dt.timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user, *, by, name: str, expires_at: dt.datetime, submission_key: str | None = None
) -> tuple[ApiToken, str]:
    """A new token of ``user`` (who must be ``by``: nobody creates tokens for someone else), and the
    token itself, to be shown once.

    With the ``submission_key`` of a form posted a second time (a reload, a double click), the token
    the first post created, and ``""`` instead of the token, which was shown to the first post only."""
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

    def create():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=raw[:12], key_hash=_hash(raw), expires_at=expires_at
        )
        log_action(by, "api.token.created", token, name=token.name, expires_at=expires_at.isoformat())
        return token

    with transaction.atomic():
        token = submit_once(submission_key, by=by, create=create)
    return token, "" if was_replayed(token) else raw


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


def revoke_all_tokens(user, *, by, reason: str = "") -> int:
    """Revoke every token of ``user`` still unrevoked (``by``: who caused it, None for the platform);
    returns how many were revoked. Each revocation is in the journal."""
    count = 0
    with transaction.atomic():
        now = timezone.now()
        for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            log_action(by, "api.token.revoked", token, name=token.name, reason=reason)
            count += 1
    return count


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
