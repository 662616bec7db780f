"""Operations on a synergy in the pipeline besides its status: actions, consent, measured figures."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.synergies.enums import OPERATIONAL_STATUSES, Consent
from tremplin.synergies.exceptions import NotAParticipant, SynergyError
from tremplin.synergies.models import Measurement, SynergyAction

__all__ = ["add_action", "mark_action_done", "record_consent", "record_measurement"]

MEASURED_FIELDS = ("tonnes_diverted", "eur_saved", "eur_earned", "co2_avoided_t", "jobs")


def add_action(synergy, *, by, title, owner=None, owner_name="", due_on=None) -> SynergyAction:
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
        )
    return action


def record_consent(participant, *, by, accepted: bool):
    """The participant's answer to "may we introduce you to the other participants?".

    The establishment's own contact answers; the territory team may record an answer given to it (by
    phone, in a meeting). Nobody else.
    """
    scope = scope_for(by)
    synergy = participant.synergy
    if not (
        participant.establishment_id in scope.contact_establishment_ids
        or synergy.territory_id in scope.team_territory_ids
    ):
        raise NotAParticipant(_("Only the establishment's contact or the territory team can answer."))
    with transaction.atomic():
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
            consent=participant.consent,
        )
    return participant


def record_measurement(synergy, *, by, year: int, note: str = "", **figures) -> Measurement:
    """Measured figures of one year (one row per year: entering a year again corrects it)."""
    if synergy.status not in OPERATIONAL_STATUSES:
        raise SynergyError(_("Measured figures are entered once the synergy is operational."))
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
            **values,
        )
    return measurement
