"""Outcome e-mails to applicants, in French (the language of the programme and of its applicants)."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from tremplin.accounts.models import AccessRequestStatus
from tremplin.programme.models import Application, ApplicationStatus
from tremplin.programme.services.eligibility import failure_message


def outcome_message(application: Application) -> EmailMessage:
    with translation.override("fr"):
        context = {
            "application": application,
            "call": application.call,
            "selected": application.status == ApplicationStatus.SELECTED,
            "access_pending": application.access_requests.filter(status=AccessRequestStatus.PENDING).exists(),
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


logger = logging.getLogger(__name__)


def send_outcomes(messages: list[EmailMessage]) -> int:
    """Send the messages in one SMTP connection; returns the number of messages sent."""
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def send_outcomes_after_commit(applications: list[Application]) -> int:
    """Build every outcome now (from the decisions being stored) and send them once the transaction
    commits: nothing leaves if it rolls back. Returns the number of messages queued."""
    messages = [outcome_message(application) for application in applications]

    def send():
        try:
            send_outcomes(messages)
        except Exception:  # the decisions are stored; the error must reach the operators' logs
            logger.exception("The outcome e-mails of %s applications could not be sent", len(messages))

    transaction.on_commit(send)
    return len(messages)
