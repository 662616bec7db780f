"""What a company contact may learn of a synergy it takes part in.

Counterparts stay anonymous (their activity only) until every participant accepted to be introduced.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from tremplin.synergies.enums import Status
from tremplin.synergies.models import Synergy


@dataclass(frozen=True)
class Counterpart:
    label: str
    activity: str
    role: str
    disclosed: bool


@dataclass(frozen=True)
class ContactOpportunity:
    synergy: Synergy
    participant: object  # the contact's own SynergyParticipant
    counterparts: list[Counterpart]
    disclosed: bool


def contact_opportunities(user, establishment_ids) -> list[ContactOpportunity]:
    """The synergies (not abandoned) that involve the contact's establishments, counterparts anonymised
    until everyone consented."""
    synergies = (
        Synergy.objects.visible_to(user)
        .involving(establishment_ids)
        .exclude(status=Status.ABANDONED)
        .prefetch_related("participants__establishment")
        .order_by("-created_at")
    )
    result = []
    for synergy in synergies:
        participants = list(synergy.participants.all())
        disclosed = bool(participants) and all(p.consent == "accepted" for p in participants)
        for own in (p for p in participants if p.establishment_id in establishment_ids):
            counterparts = [
                Counterpart(
                    label=p.establishment.name if disclosed else _("Anonymous establishment"),
                    activity=p.establishment.naf_label,
                    role=p.get_role_display(),
                    disclosed=disclosed,
                )
                for p in participants
                if p.pk != own.pk
            ]
            result.append(ContactOpportunity(synergy, own, counterparts, disclosed))
    return result
