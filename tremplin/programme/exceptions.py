"""Typed errors of the programme's operations. Each carries a user-facing message (translated)."""

from django.utils.translation import gettext_lazy as _


class ProgrammeError(Exception):
    """An operation was refused; ``message`` says why, in words a user understands."""

    default_message = _("This operation is not possible.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAllowed(ProgrammeError):
    default_message = _("Your role does not allow this operation.")


class InvalidTransition(ProgrammeError):
    default_message = _("This application is not in a state that allows this operation.")


class CallNotOpen(ProgrammeError):
    default_message = _("This call is not open for applications yet.")


class DeadlinePassed(ProgrammeError):
    default_message = _("The deadline for this call has passed: applications can no longer be submitted.")


class DuplicateApplication(ProgrammeError):
    default_message = _("This EPCI has already applied to this call.")


class IncompleteApplication(ProgrammeError):
    """Submission refused: ``missing`` maps each missing field to what is expected."""

    default_message = _("The application is incomplete: complete the fields marked below.")

    def __init__(self, missing: dict[str, str]):
        self.missing = missing
        super().__init__()


class JustificationRequired(ProgrammeError):
    default_message = _("A written justification is required.")


class SelectionError(ProgrammeError):
    default_message = _("The selection cannot be made.")


class RefusedDocument(IncompleteApplication):
    """An uploaded document is not a PDF the platform accepts: ``missing`` maps its field to why, and the
    message names the document too (for pages that show it without the form)."""

    def __init__(self, refused: dict[str, str], labels: dict[str, str]):
        super().__init__(refused)
        self.message = " ".join(
            _("%(document)s: %(reason)s") % {"document": labels.get(name, name), "reason": reason}
            for name, reason in refused.items()
        )
