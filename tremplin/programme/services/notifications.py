"""Outcome e-mails to applicants, in French (the language of the programme and of its applicants)."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from tremplin.programme.models import Application, ApplicationStatus
from tremplin.programme.services.eligibility import failure_message


def outcome_message(application: Application) -> EmailMessage:
    with translation.override("fr"):
        context = {
            "application": application,
            "call": application.call,
            "selected": application.status == ApplicationStatus.SELECTED,
            "ineligibility_reasons": (
                [failure_message(code) for code in application.eligibility_failures]
                if application.eligible is False
                else []
            ),
        }
        subject = render_to_string("programme/email/outcome_subject.txt", context).strip()
        body = render_to_string("programme/email/outcome_body.txt", context)
    recipients = list(
        dict.fromkeys(
            email
            for email in (application.applicant.email, application.official_email, application.officer_email)
            if email
        )
    )
    reply_to = [application.call.contact_email] if application.call.contact_email else None
    return EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [recipients[0]], cc=recipients[1:], reply_to=reply_to
    )


def send_outcomes(applications: list[Application]) -> int:
    """Send every outcome in one SMTP connection; returns the number of messages sent."""
    messages = [outcome_message(application) for application in applications]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
