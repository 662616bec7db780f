"""Typed errors of the synergy operations; views turn them into messages."""


class SynergyError(Exception):
    """An operation on a synergy or a lead was refused."""


class TransitionNotAllowed(SynergyError):
    def __init__(self, synergy, transition: str):
        self.synergy = synergy
        self.transition = transition
        super().__init__(f"transition {transition!r} is not allowed from status {synergy.status!r}")


class ReasonRequired(SynergyError):
    """Abandoning needs a coded reason."""


class LeadAlreadyDecided(SynergyError):
    """The lead was already accepted or dismissed."""


class DetectionAlreadyRunning(SynergyError):
    """A run is queued or running for this territory: wait for it."""


class NotAParticipant(SynergyError):
    """The person answering for an establishment is not its contact."""
