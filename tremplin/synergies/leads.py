"""Reviewing the leads of a run: the participants index, filters, and dismissing several leads at once."""

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.synergies.enums import LeadStatus
from tremplin.synergies.exceptions import SynergyError, TeamOnly
from tremplin.synergies.models import Dismissal, Lead

__all__ = ["LeadFilters", "dismiss_leads", "filter_leads", "index_lead_establishments"]

_BATCH = 1000


def index_lead_establishments(run) -> int:
    """Write the participants of the run's leads as rows (``Lead.establishments``); the number of rows."""
    through = Lead.establishments.through
    existing = set(through.objects.filter(lead__run=run).values_list("lead_id", "establishment_id"))
    rows = [
        through(lead_id=lead_id, establishment_id=int(establishment_id))
        for lead_id, ids in Lead.objects.filter(run=run).values_list("pk", "establishment_ids")
        for establishment_id in dict.fromkeys(ids)
        if (lead_id, int(establishment_id)) not in existing
    ]
    through.objects.bulk_create(rows, batch_size=_BATCH)
    return len(rows)


@dataclass(frozen=True)
class LeadFilters:
    """What the run page filters its leads by (every field optional)."""

    establishment: str = ""  # part of a participant's name, or its SIRET
    resource: str = ""  # resource key
    commune: str = ""  # INSEE code of a participant's commune
    basis: str = ""  # declared / workshop / estimated
    status: str = LeadStatus.PENDING  # "" for every lead of the run

    @property
    def active(self) -> bool:
        return bool(self.establishment or self.resource or self.commune or self.basis)


def filter_leads(leads, filters: LeadFilters):
    """The leads matching every filter given."""
    if filters.status:
        leads = leads.filter(status=filters.status)
    if filters.resource:
        leads = leads.filter(resource=filters.resource)
    if filters.basis:
        leads = leads.filter(confidence=filters.basis)
    if filters.commune:
        leads = leads.filter(establishments__commune__insee_code=filters.commune)
    text = filters.establishment.strip()
    if text:
        match = models.Q(establishments__name__icontains=text)
        digits = text.replace(" ", "")
        if digits.isdigit():
            match |= models.Q(establishments__siret__startswith=digits)
        leads = leads.filter(match)
    if filters.commune or text:
        leads = leads.distinct()
    return leads


def dismiss_leads(run, lead_ids, *, by, reason: str) -> int:
    """Set several leads of ``run`` aside for good, with one reason: this run and the later ones leave
    their signatures out. Returns how many of the selected leads were dismissed (pending leads of the
    same signatures in other runs are dismissed with them, as one by one); all or nothing."""
    if run.territory_id not in scope_for(by).editor_territory_ids:
        raise TeamOnly(_("Only the territory team can dismiss leads."))
    reason = (reason or "").strip()
    if not reason:
        raise SynergyError(_("Say why these leads are dismissed."))
    ids = {int(pk) for pk in lead_ids}
    if not ids:
        raise SynergyError(_("Select at least one lead to dismiss."))
    with transaction.atomic():
        chosen = []
        for chunk in _chunks(sorted(ids)):
            chosen += Lead.objects.select_for_update().filter(
                run=run, pk__in=chunk, status=LeadStatus.PENDING
            )
        if len(chosen) != len(ids):
            raise SynergyError(
                _("Some selected leads are not leads of this run waiting for review: nothing was dismissed.")
            )
        chosen.sort(key=lambda lead: lead.rank)
        signatures = sorted({lead.signature for lead in chosen})
        known = set()
        for chunk in _chunks(signatures):
            known |= set(
                Dismissal.objects.filter(territory=run.territory, signature__in=chunk).values_list(
                    "signature", flat=True
                )
            )
        new = {}
        for lead in chosen:
            if lead.signature not in known and lead.signature not in new:
                new[lead.signature] = Dismissal(
                    territory=run.territory,
                    signature=lead.signature,
                    by=by,
                    reason=reason,
                    label=f"{lead.resource_label} ({lead.get_kind_display()})",
                )
        Dismissal.objects.bulk_create(new.values(), batch_size=_BATCH)
        now = timezone.now()
        for chunk in _chunks(signatures):
            Lead.objects.filter(
                territory=run.territory, signature__in=chunk, status=LeadStatus.PENDING
            ).update(status=LeadStatus.DISMISSED, decided_at=now)
        log_action(
            by,
            "synergy.leads.dismissed",
            run,
            territory=run.territory,
            reason=reason,
            count=len(chosen),
            leads=[lead.pk for lead in chosen],
            signatures=signatures,
        )
    return len(chosen)


def _chunks(values, size: int = 500):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
