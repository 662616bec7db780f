"""Typed errors of the coaching operations; their message is shown to the user as is."""

from django.utils.translation import gettext_lazy as _


class CoachingError(Exception):
    default_message = _("This operation is not possible.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAllowed(CoachingError):
    default_message = _("Your role does not allow this operation.")


class InvalidTransition(CoachingError):
    default_message = _("This status change is not possible from the deliverable's current status.")


class DeliverableLocked(CoachingError):
    default_message = _(
        "This deliverable is submitted or validated: it can be changed only after the programme team "
        "sends it back."
    )


class EmptyDeliverable(CoachingError):
    default_message = _("Fill the deliverable before submitting it.")


class CommentRequired(CoachingError):
    default_message = _("Say what must change: a comment is required to send a deliverable back.")


class InvalidPerimeter(CoachingError):
    default_message = _("This perimeter is not valid.")


class NotAReportingEvent(CoachingError):
    default_message = _("Reports are presented at follow-up meetings (RSO) and at the closing review only.")


class ReportAlreadyFrozen(CoachingError):
    default_message = _("This territory's report for this meeting is already frozen.")


class NotParticipating(CoachingError):
    default_message = _("This territory does not take part in the event's call.")


class DuplicateRegistration(CoachingError):
    default_message = _(
        "This person is already registered to this event (same e-mail address, or same name when there "
        "is no address)."
    )


class NoRecipient(CoachingError):
    default_message = _(
        "Nobody is waiting for this convocation: every registered person with an e-mail "
        "address already has the current one."
    )
