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


class TransitionBlocked(SynergyError):
    """The move exists from the current status but a condition is missing (the participants' consent)."""


class TeamOnly(SynergyError):
    """Only the synergy's territory team may do this."""


class RunNotLost(SynergyError):
    """The run still gives news: it cannot be marked as failed yet."""


class MeasurementRefused(SynergyError):
    """Measured figures that cannot be true (a future year, a synergy that never ran)."""
