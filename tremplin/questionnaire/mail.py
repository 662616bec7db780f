"""E-mails of the questionnaire, always in the platform's default language (French): the company contact
has no account language yet."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def _send(template: str, context: dict, to: str) -> None:
    context = {"PLATFORM_NAME": settings.PLATFORM_NAME, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"questionnaire/email/{template}_subject.txt", context).split())
        body = render_to_string(f"questionnaire/email/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def send_invitation(invitation, url: str) -> None:
    _send(
        "invitation",
        {"invitation": invitation, "establishment": invitation.establishment, "url": url},
        invitation.email,
    )


def send_submission_notice(establishment, officer, contact, counts: dict, url: str = "") -> None:
    _send(
        "submitted",
        {"establishment": establishment, "contact": contact, "counts": counts, "url": url},
        officer.email,
    )
