"""Building and sending the platform's e-mails, the one way every sender uses.

- Subjects and bodies are plain text: the templates ``<name>_subject.txt`` and ``<name>_body.txt`` are
  rendered with autoescaping off, so that "l'appel" or "R&D" arrive as written, never as ``l&#x27;``.
  The subject is folded onto one line.
- One language per message (the platform's default, French, unless the caller names another).
- Links are absolute: ``link_for(path)`` when the caller has a request (``request.build_absolute_uri``),
  otherwise ``settings.SITE_URL`` + path, so that a mail built by a command or a task links to the
  platform too.
- Messages are built inside the operation's transaction (from the data being stored) and leave only
  once it commits (``transaction.on_commit``): an operation rolled back sends nothing.
"""

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template import Context, engines
from django.utils import translation

__all__ = ["absolute_url", "addresses", "build_message", "render_text", "send_after_commit"]

logger = logging.getLogger(__name__)


def absolute_url(path: str, link_for: Callable[[str], str] | None = None) -> str:
    """The absolute address of ``path`` on the platform."""
    if link_for is not None:
        return link_for(path)
    return settings.SITE_URL.rstrip("/") + path


def addresses(*emails: str | None) -> list[str]:
    """The non-empty addresses, once each (case-insensitively), in the order given."""
    seen: dict[str, str] = {}
    for email in emails:
        email = (email or "").strip()
        if email and email.lower() not in seen:
            seen[email.lower()] = email
    return list(seen.values())


def render_text(template_name: str, context: dict, *, language: str | None = None) -> str:
    """Render a template as plain text (no HTML escaping) in ``language``."""
    template = engines["django"].engine.get_template(template_name)
    values = {"PLATFORM_NAME": settings.PLATFORM_NAME, "SITE_URL": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        return template.render(Context(values, autoescape=False))


def build_message(
    template: str,
    context: dict,
    *,
    to: Iterable[str],
    cc: Iterable[str] = (),
    bcc: Iterable[str] = (),
    reply_to: Iterable[str] = (),
    language: str | None = None,
) -> EmailMessage:
    """The message of ``template`` (``<template>_subject.txt`` and ``<template>_body.txt``)."""
    subject = " ".join(render_text(f"{template}_subject.txt", context, language=language).split())
    body = render_text(f"{template}_body.txt", context, language=language)
    return EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        list(to),
        cc=list(cc) or None,
        bcc=list(bcc) or None,
        reply_to=list(reply_to) or None,
    )


def send_after_commit(
    messages: list[EmailMessage], *, robust: bool = True, then: Callable[[], None] | None = None
) -> int:
    """Send ``messages`` in one connection once the current transaction commits; returns how many
    are queued. ``robust``: a failure is logged for the operators (the business change is stored and
    stays so); otherwise it propagates to the caller. ``then`` runs once the messages have left."""
    messages = [message for message in messages if message.recipients()]
    if not messages:
        return 0

    def send():
        try:
            with get_connection() as connection:
                connection.send_messages(messages)
        except Exception:
            if not robust:
                raise
            logger.exception("%s e-mail(s) could not be sent", len(messages))
            return
        if then is not None:
            then()

    transaction.on_commit(send)
    return len(messages)
