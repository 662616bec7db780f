"""Choices of the synergy domain: kinds, pipeline statuses, exits, consent, detection modes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SynergyKind(models.TextChoices):
    SUBSTITUTION = "substitution", _("Substitution")
    MUTUALISATION = "mutualisation", _("Mutualisation")


class Status(models.TextChoices):
    """The pipeline; ``workflow.py`` says which moves are allowed."""

    DETECTED = "detected", _("Detected")
    QUALIFIED = "qualified", _("Qualified")
    UNDER_STUDY = "under_study", _("Under study")
    BEING_IMPLEMENTED = "being_implemented", _("Being implemented")
    OPERATIONAL = "operational", _("Operational")
    MONITORED = "monitored", _("Monitored")
    PAUSED = "paused", _("Paused")
    ABANDONED = "abandoned", _("Abandoned")


#: The main line of the pipeline, in order (the board shows one column each, then the exits).
PIPELINE = (
    Status.DETECTED,
    Status.QUALIFIED,
    Status.UNDER_STUDY,
    Status.BEING_IMPLEMENTED,
    Status.OPERATIONAL,
    Status.MONITORED,
)
EXITS = (Status.PAUSED, Status.ABANDONED)
#: Statuses whose gains are real (operational figures), as opposed to potential.
OPERATIONAL_STATUSES = (Status.OPERATIONAL, Status.MONITORED)
#: Statuses past "under study": a synergy reaches them only once every participant consented.
CONSENT_REQUIRED_STATUSES = (Status.BEING_IMPLEMENTED, Status.OPERATIONAL, Status.MONITORED)


class AbandonReason(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    TECHNICAL = "technical", _("Technical")
    REGULATORY = "regulatory", _("Regulatory")
    PARTNER_WITHDREW = "partner_withdrew", _("Partner withdrew")
    OTHER = "other", _("Other")


class Basis(models.TextChoices):
    """Where a quantity comes from, from the most to the least reliable (the engine's BASES)."""

    DECLARED = "declared", _("Declared")
    WORKSHOP = "workshop", _("Workshop")
    REGISTER = "register", _("Register")
    ESTIMATED = "estimated", _("Estimated")


class ParticipantRole(models.TextChoices):
    SOURCE = "source", _("Supplier")
    TARGET = "target", _("Receiver")
    MEMBER = "member", _("Member")


class Consent(models.TextChoices):
    PENDING = "pending", _("Not answered yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class DetectionMode(models.TextChoices):
    DEDUCTIVE = "deductive", _("Deductive (activity codes and headcounts)")
    SYSTEMATIC = "systematic", _("Systematic (declared flows only)")
    BOTH = "both", _("Both (declared flows, estimates for the rest)")


class Objective(models.TextChoices):
    GAIN = "gain", _("Yearly gain (€)")
    CO2 = "co2", _("CO2e avoided")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunFailure(models.TextChoices):
    """Why a run failed: the engine raised an error, the worker was stopped during the run (Ctrl-C,
    shutdown), or the run stopped giving news (the worker was killed) and was marked as failed."""

    ERROR = "error", _("The detection stopped on an error")
    INTERRUPTED = "interrupted", _("The background worker was stopped during the run")
    LOST = "lost", _("The background worker stopped giving news of the run")


class LeadStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted into the pipeline")
    DISMISSED = "dismissed", _("Dismissed")
