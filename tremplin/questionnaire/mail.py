"""E-mails of the questionnaire, always in the platform's default language (French): the company contact
has no account language yet.

Every message is rendered when the operation asks for it but leaves only once the operation's
transaction has committed (``transaction.on_commit``): an operation rolled back sends nothing, and a
contact never receives a link that does not exist.
"""

from collections.abc import Callable

from tremplin.notifications.mail import build_message, send_after_commit


def _send_after_commit(template: str, context: dict, to: str, then: Callable[[], None] | None = None) -> None:
    message = build_message(f"questionnaire/email/{template}", context, to=[to])
    # A failure propagates to the caller (the invitation stays recorded as not sent, so that inviting
    # again sends a new link); ``then`` runs only once the message has left.
    send_after_commit([message], robust=False, then=then)


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
