"""Self sign-up, with the e-mail address proved before the account exists for anything.

Sign-up records the person's address and name only: the account stays inactive, without a password.
The link sent to the address (signed, valid ``ACCOUNT_CONFIRMATION_HOURS``) leads to a page where the
person chooses the password, which activates the account. Choosing the password there, rather than at
sign-up, means that someone who signs up with another person's address gains nothing: only the holder
of the mailbox can ever sign in. A link works while the account awaits confirmation, so once.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import User
from tremplin.audit.log import log_action
from tremplin.notifications.mail import absolute_url, build_message, send_after_commit

__all__ = [
    "RESEND_INTERVAL",
    "ConfirmationLinkError",
    "account_for_token",
    "confirm_account",
    "confirmation_token",
    "resend_confirmation",
    "sign_up",
]

_SALT = "tremplin.accounts.signup.confirm-address"
#: A new link is sent at most this often for one address (resending is open to anyone).
RESEND_INTERVAL = dt.timedelta(minutes=2)


class ConfirmationLinkError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AccountExists(Exception):
    """An active account already uses this address."""


def _normalise(email: str) -> str:
    return User.objects.normalize_email(email or "").strip().lower()


def confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=_SALT, compress=True)


def account_for_token(token: str) -> User:
    """The account awaiting confirmation that ``token`` designates; a clear error otherwise."""
    hours = settings.ACCOUNT_CONFIRMATION_HOURS
    try:
        payload = signing.loads(token, salt=_SALT, max_age=dt.timedelta(hours=hours))
    except signing.SignatureExpired:
        raise ConfirmationLinkError(
            _("This link has expired (links are valid for %(hours)s hours): ask for a new one below.")
            % {"hours": hours}
        ) from None
    except signing.BadSignature:
        raise ConfirmationLinkError(
            _("This link is not valid: check that it was copied whole, or ask for a new one below.")
        ) from None
    user = User.objects.filter(pk=payload.get("u"), email=payload.get("e")).first()
    if user is None:
        raise ConfirmationLinkError(_("This link is not valid: ask for a new one below."))
    if not user.awaits_confirmation:
        raise ConfirmationLinkError(
            _("This address is already confirmed: log in, or reset your password if you forgot it.")
        )
    return user


def _confirmation_message(user: User, link_for, next_url: str) -> EmailMessage:
    path = reverse("account_confirm", kwargs={"token": confirmation_token(user)})
    if next_url:
        path += "?" + urlencode({"next": next_url})
    context = {
        "user": user,
        "link": absolute_url(path, link_for),
        "hours": settings.ACCOUNT_CONFIRMATION_HOURS,
        "platform": settings.PLATFORM_NAME,
    }
    return build_message("accounts/email/confirm", context, to=[user.email], language="fr")


def _send_link(user: User, link_for, next_url: str, now) -> None:
    user.confirmation_sent_at = now
    user.save(update_fields=["confirmation_sent_at"])
    send_after_commit([_confirmation_message(user, link_for, next_url)])


@transaction.atomic
def sign_up(*, email: str, first_name: str, last_name: str, link_for=None, next_url: str = "", now=None):
    """Create the account, inactive, and send the confirmation link after commit.

    Signing up again with an address that awaits confirmation sends the link again (at most every
    :data:`RESEND_INTERVAL`) and changes nothing else; an active account raises :class:`AccountExists`.
    """
    now = now or timezone.now()
    email = _normalise(email)
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None:
        if not user.awaits_confirmation:
            raise AccountExists()
        if user.confirmation_sent_at is None or now - user.confirmation_sent_at >= RESEND_INTERVAL:
            _send_link(user, link_for, next_url, now)
        return user
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.is_active = False
    user.awaits_confirmation = True
    user.set_unusable_password()
    user.save()
    log_action(None, "account.signed_up", user)
    _send_link(user, link_for, next_url, now)
    return user


@transaction.atomic
def resend_confirmation(email: str, *, link_for=None, next_url: str = "", now=None) -> None:
    """Send the link again if ``email`` awaits confirmation; silent otherwise (the page answers the
    same whatever the address, so that it tells nobody which addresses have an account)."""
    now = now or timezone.now()
    user = User.objects.select_for_update().filter(email__iexact=_normalise(email), awaits_confirmation=True)
    user = user.first()
    if user is None:
        return
    if user.confirmation_sent_at is not None and now - user.confirmation_sent_at < RESEND_INTERVAL:
        return
    _send_link(user, link_for, next_url, now)


@transaction.atomic
def confirm_account(token: str, *, password: str, now=None) -> User:
    """Activate the account that ``token`` designates, with the password its owner chose (already
    validated by the form against the password rules)."""
    user = account_for_token(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.awaits_confirmation:
        raise ConfirmationLinkError(_("This address is already confirmed: log in."))
    user.set_password(password)
    user.is_active = True
    user.awaits_confirmation = False
    user.email_confirmed_at = now or timezone.now()
    user.save()
    log_action(user, "account.confirmed", user)
    return user
