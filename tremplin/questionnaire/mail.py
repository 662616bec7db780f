"""E-mails of the questionnaire, always in the platform's default language (French): the company contact
has no account language yet.

Every message is rendered when the operation asks for it but leaves only once the operation's
transaction has committed (``transaction.on_commit``): an operation rolled back sends nothing, and a
contact never receives a link that does not exist.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def _send_after_commit(template: str, context: dict, to: str, then: Callable[[], None] | None = None) -> None:
    context = {"PLATFORM_NAME": settings.PLATFORM_NAME, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"questionnaire/email/{template}_subject.txt", context).split())
        body = render_to_string(f"questionnaire/email/{template}_body.txt", context)

    def send():
        # A failure propagates to the caller (the invitation stays recorded as not sent, so that
        # inviting again sends a new link); ``then`` runs only once the message has left.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        if then is not None:
            then()

    transaction.on_commit(send)


def send_invitation(invitation, url: str, then: Callable[[], None] | None = None) -> None:
    _send_after_commit(
        "invitation",
        {"invitation": invitation, "establishment": invitation.establishment, "url": url},
        invitation.email,
        then,
    )


def send_submission_notice(establishment, officer, contact, counts: dict, url: str = "") -> None:
    _send_after_commit(
        "submitted",
        {"establishment": establishment, "contact": contact, "counts": counts, "url": url},
        officer.email,
    )
