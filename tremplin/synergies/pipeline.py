"""Operations on a synergy in the pipeline besides its status: actions, consent, measured figures.

Each checks its actor, runs in one transaction and writes the audit entry the synergy's history is read
from (``tremplin.synergies.history``).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.synergies.enums import Consent, Status
from tremplin.synergies.exceptions import MeasurementRefused, NotAParticipant, SynergyError, TeamOnly
from tremplin.synergies.models import Measurement, Synergy, SynergyAction, SynergyParticipant

__all__ = [
    "add_action",
    "mark_action_done",
    "measurement_refusal",
    "record_consent",
    "record_measurement",
]

MEASURED_FIELDS = ("tonnes_diverted", "eur_saved", "eur_earned", "co2_avoided_t", "jobs")


def _check_team(by, synergy) -> None:
    if synergy.territory_id not in scope_for(by).editor_territory_ids:
        raise TeamOnly(_("Only the territory team can do this."))


def add_action(synergy, *, by, title, owner=None, owner_name="", due_on=None) -> SynergyAction:
    _check_team(by, synergy)
    title = title.strip()
    if not title:
        raise SynergyError(_("Say what the action is."))
    with transaction.atomic():
        action = SynergyAction.objects.create(
            synergy=synergy,
            title=title,
            owner=owner,
            owner_name=owner_name.strip(),
            due_on=due_on,
            created_by=by,
        )
        log_action(
            by,
            "synergy.action.added",
            synergy,
            territory=synergy.territory,
            action_id=action.pk,
            title=title,
            due_on=due_on,
        )
    return action


def mark_action_done(action, *, by, done: bool = True) -> SynergyAction:
    _check_team(by, action.synergy)
    with transaction.atomic():
        action.done = done
        action.done_at = timezone.now() if done else None
        action.save(update_fields=["done", "done_at"])
        log_action(
            by,
            "synergy.action.done" if done else "synergy.action.reopened",
            action.synergy,
            territory=action.synergy.territory,
            action_id=action.pk,
            title=action.title,
        )
    return action


def record_consent(participant, *, by, accepted: bool):
    """The participant's answer to "may we introduce you to the other participants?".

    The establishment's own contact answers for its own establishment only; the territory team may
    record an answer given to it (by phone, in a meeting), which the history says. Nobody else, and not
    on an abandoned synergy. An answer may change (a participant may withdraw): the history keeps each.
    """
    scope = scope_for(by)
    own = participant.establishment_id in scope.contact_establishment_ids
    team = participant.synergy.territory_id in scope.editor_territory_ids
    if not (own or team):
        raise NotAParticipant(_("Only the establishment's contact or the territory team can answer."))
    with transaction.atomic():
        # Locked like a move in the pipeline, so that a move never reads a consent being changed.
        synergy = Synergy.objects.select_for_update().get(pk=participant.synergy_id)
        participant = SynergyParticipant.objects.select_for_update().get(pk=participant.pk)
        if synergy.status == Status.ABANDONED:
            raise SynergyError(_("This synergy was abandoned: there is nothing to answer any more."))
        previous = participant.consent
        participant.consent = Consent.ACCEPTED if accepted else Consent.DECLINED
        participant.consent_at = timezone.now()
        participant.consent_by = by
        participant.save(update_fields=["consent", "consent_at", "consent_by"])
        log_action(
            by,
            "synergy.consent.recorded",
            synergy,
            territory=synergy.territory,
            establishment=participant.establishment_id,
            establishment_name=participant.establishment.name,
            consent=participant.consent,
            previous=previous,
            on_behalf=not own,
        )
    return participant


def measurement_refusal(synergy, year: int | None = None) -> str:
    """Why measured figures cannot be recorded on ``synergy`` (for ``year``); "" when they can."""
    if not synergy.became_operational:
        return str(_("Measured figures are entered once the synergy has been operational."))
    if year is not None and year > timezone.localdate().year:
        return str(
            _("%(year)s is in the future: measured figures are entered for a year that has begun.")
            % {"year": year}
        )
    return ""


def record_measurement(synergy, *, by, year: int, note: str = "", **figures) -> Measurement:
    """Measured figures of one year (one row per year: entering a year again corrects it)."""
    _check_team(by, synergy)
    refusal = measurement_refusal(synergy, year)
    if refusal:
        raise MeasurementRefused(refusal)
    unknown = set(figures) - set(MEASURED_FIELDS)
    if unknown:
        raise SynergyError(f"unknown measured figures: {sorted(unknown)}")
    if any(value is not None and value < 0 for value in figures.values()):
        raise SynergyError(_("Measured figures cannot be negative."))
    values = {name: float(figures.get(name) or 0.0) for name in MEASURED_FIELDS}
    with transaction.atomic():
        measurement, created = Measurement.objects.update_or_create(
            synergy=synergy, year=year, defaults={**values, "note": note, "entered_by": by}
        )
        log_action(
            by,
            "synergy.measurement.recorded",
            synergy,
            territory=synergy.territory,
            year=year,
            corrected=not created,
            note=note,
            **values,
        )
    return measurement
