"""Operations of the workshops. Each checks its actor, runs in one transaction and writes the journal.

The territory team prepares, facilitates and closes a workshop; a participant (no account: ``by`` is the
:class:`Participant` its cookie names) joins and declares while it is open. Matches are computed again
after each change they depend on, in a background task started once the change is committed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.engine import UnitError, UnknownResource
from tremplin.engine.units import canonical_unit, convert
from tremplin.flows import catalogue
from tremplin.workshops.exceptions import TeamOnly, WorkshopClosed, WorkshopError
from tremplin.workshops.models import (
    Confidentiality,
    Declaration,
    DeclarationKind,
    Match,
    MatchState,
    Participant,
    Workshop,
    WorkshopCompany,
    WorkshopStatus,
    bump,
)

__all__ = [
    "check_company",
    "close_workshop",
    "create_workshop",
    "declare",
    "join_workshop",
    "merge_matches",
    "note_match",
    "set_match_state",
    "withdraw_declaration",
]


def check_team(by, territory_id: int) -> None:
    if territory_id not in scope_for(by).editor_territory_ids:
        raise TeamOnly(_("Only the territory team can do this."))


def _require_open(workshop) -> None:
    if workshop.status != WorkshopStatus.OPEN:
        raise WorkshopClosed(_("This workshop is closed."))


def _schedule_matching(workshop_pk: int) -> None:
    from tremplin.workshops.tasks import refresh_matches_task

    transaction.on_commit(lambda: refresh_matches_task.enqueue(workshop_pk))


def create_workshop(territory, *, by, theme: str, date: dt.date, place: str, expected=()) -> Workshop:
    check_team(by, territory.pk)
    theme, place = theme.strip(), place.strip()
    if not theme:
        raise WorkshopError(_("Give the workshop a theme."), field="theme")
    expected = list(expected)
    if any(e.territory_id != territory.pk for e in expected):
        raise WorkshopError(_("Expected companies are establishments of the territory."), field="expected")
    with transaction.atomic():
        workshop = Workshop.objects.create(
            territory=territory, theme=theme, date=date, place=place, created_by=by
        )
        workshop.expected.set(expected)
        log_action(
            by,
            "workshop.created",
            workshop,
            territory=territory,
            theme=theme,
            date=date,
            place=place,
            expected=len(expected),
        )
    return workshop


def close_workshop(workshop, *, by) -> Workshop:
    """Close the workshop: its link stops working (joining and declaring are refused)."""
    check_team(by, workshop.territory_id)
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if workshop.status == WorkshopStatus.CLOSED:
            raise WorkshopError(_("This workshop is already closed."))
        workshop.status, workshop.closed_at = WorkshopStatus.CLOSED, timezone.now()
        workshop.save(update_fields=["status", "closed_at"])
        bump(workshop.pk)
        log_action(by, "workshop.closed", workshop, territory=workshop.territory)
    return workshop


def join_workshop(
    workshop, *, establishment=None, new_company: str = "", name: str = "", email: str = ""
) -> Participant:
    """A participant arrives: its company is one of the territory's establishments, or a new one whose
    name it types (to be checked by the team)."""
    _require_open(workshop)
    new_company = " ".join(new_company.split())
    if establishment is None and not new_company:
        raise WorkshopError(_("Choose your company or type its name."), field="company")
    if establishment is not None and establishment.territory_id != workshop.territory_id:
        raise WorkshopError(_("Choose your company or type its name."), field="company")
    with transaction.atomic():
        if establishment is not None:
            company, _created = WorkshopCompany.objects.get_or_create(
                workshop=workshop, establishment=establishment
            )
        else:
            company = WorkshopCompany.objects.create(workshop=workshop, typed_name=new_company[:200])
        participant = Participant.objects.create(
            workshop=workshop, company=company, name=name.strip()[:200], email=email.strip()
        )
        bump(workshop.pk, inputs=True)
        log_action(
            None,
            "workshop.participant.joined",
            participant,
            territory=workshop.territory,
            workshop=workshop.pk,
            establishment=company.establishment_id,
            new_company=company.typed_name,
        )
    return participant


def _per_year(resource_code: str, quantity, unit: str) -> float | None:
    if quantity is None:
        return None
    if quantity < 0:
        raise WorkshopError(_("The quantity must be zero or more."), field="quantity")
    resource = catalogue.resource(resource_code)
    unit = (unit or "").strip() or resource.unit
    try:
        canonical_unit(unit)
        return convert(
            float(quantity), unit, resource.unit, density=resource.density, mwh_per_t=resource.mwh_per_t
        )
    except UnitError:
        raise WorkshopError(
            _("%(unit)s does not fit this resource: give it in %(expected)s.")
            % {"unit": unit, "expected": resource.unit},
            field="unit",
        ) from None


def declare(
    participant,
    *,
    kind: str,
    resource: str,
    quantity=None,
    unit: str = "",
    comment: str = "",
    confidentiality: str = Confidentiality.FACILITATOR,
) -> Declaration:
    """A "have" or a "want" of the participant's company (quantity and unit optional)."""
    workshop = participant.workshop
    _require_open(workshop)
    if kind not in DeclarationKind.values:
        raise WorkshopError(_("Say whether you have it or want it."), field="kind")
    if confidentiality not in Confidentiality.values:
        raise WorkshopError(_("Say who may see it."), field="confidentiality")
    try:
        catalogue.resource(resource)
    except UnknownResource:
        raise WorkshopError(_("Choose a resource from the list."), field="resource") from None
    per_year = _per_year(resource, quantity, unit)
    with transaction.atomic():
        declaration = Declaration.objects.create(
            workshop=workshop,
            participant=participant,
            company_id=participant.company_id,
            kind=kind,
            resource=resource,
            quantity=quantity,
            unit=(unit or "").strip()[:16] if quantity is not None else "",
            quantity_per_year=per_year,
            comment=comment.strip()[:500],
            confidentiality=confidentiality,
        )
        bump(workshop.pk, inputs=True)
        log_action(
            None,
            "workshop.declaration.added",
            declaration,
            territory=workshop.territory,
            workshop=workshop.pk,
            participant=participant.pk,
            kind=kind,
            resource=resource,
        )
        _schedule_matching(workshop.pk)
    return declaration


def withdraw_declaration(declaration, *, participant) -> None:
    """A participant takes back one of its own declarations while the workshop is open."""
    if declaration.participant_id != participant.pk:
        raise WorkshopError(_("This is not one of your declarations."))
    workshop = participant.workshop
    _require_open(workshop)
    with transaction.atomic():
        log_action(
            None,
            "workshop.declaration.withdrawn",
            declaration,
            territory=workshop.territory,
            workshop=workshop.pk,
            participant=participant.pk,
            resource=declaration.resource,
        )
        declaration.delete()
        bump(workshop.pk, inputs=True)
        _schedule_matching(workshop.pk)


def check_company(company, establishment, *, by) -> WorkshopCompany:
    """The team's check of a company typed by a participant: it is this establishment of the territory.

    When the establishment is already at the workshop under its own entry, the typed one is folded into
    it (participants and declarations move over)."""
    workshop = company.workshop
    check_team(by, workshop.territory_id)
    if establishment.territory_id != workshop.territory_id:
        raise WorkshopError(_("Choose an establishment of the territory."), field="establishment")
    if company.establishment_id is not None:
        raise WorkshopError(_("This company was already checked."))
    with transaction.atomic():
        typed = company.typed_name
        existing = WorkshopCompany.objects.filter(workshop=workshop, establishment=establishment).first()
        if existing is not None:
            Participant.objects.filter(company=company).update(company=existing)
            Declaration.objects.filter(company=company).update(company=existing)
            Match.objects.filter(companies=company, state=MatchState.PROPOSED).delete()
            company.delete()
            company = existing
        else:
            company.establishment = establishment
            company.save(update_fields=["establishment"])
        bump(workshop.pk, inputs=True)
        log_action(
            by,
            "workshop.company.checked",
            workshop,
            territory=workshop.territory,
            typed_name=typed,
            establishment=establishment.pk,
            establishment_name=establishment.name,
        )
        _schedule_matching(workshop.pk)
    return company


_MOVES = {
    "pin": ({MatchState.PROPOSED, MatchState.REJECTED}, MatchState.PINNED),
    "unpin": ({MatchState.PINNED}, MatchState.PROPOSED),
    "reject": ({MatchState.PROPOSED, MatchState.PINNED}, MatchState.REJECTED),
    "restore": ({MatchState.REJECTED}, MatchState.PROPOSED),
}


def set_match_state(match, move: str, *, by) -> Match:
    """Pin, unpin, reject or restore a match (the facilitator's decisions on the screen)."""
    workshop = match.workshop
    check_team(by, workshop.territory_id)
    if move not in _MOVES:
        raise WorkshopError(_("Unknown action."))
    allowed_from, to = _MOVES[move]
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        if match.state not in allowed_from:
            raise WorkshopError(_("This match cannot be changed that way any more."))
        previous = match.state
        match.state = to
        match.save(update_fields=["state"])
        bump(workshop.pk)
        log_action(
            by,
            f"workshop.match.{move}",
            match,
            territory=workshop.territory,
            workshop=workshop.pk,
            resource=match.resource,
            previous=previous,
        )
    return match


def note_match(match, note: str, *, by) -> Match:
    workshop = match.workshop
    check_team(by, workshop.territory_id)
    with transaction.atomic():
        match.note = note.strip()
        match.save(update_fields=["note"])
        bump(workshop.pk)
        log_action(
            by,
            "workshop.match.noted",
            match,
            territory=workshop.territory,
            workshop=workshop.pk,
            note=match.note,
        )
    return match


def merge_matches(into, other, *, by) -> Match:
    """Make two matches one (e.g. two suppliers of the same receiver): ``other`` is absorbed by ``into``,
    which is pinned; converted, they become one synergy with every company of both."""
    workshop = into.workshop
    check_team(by, workshop.territory_id)
    if other.workshop_id != workshop.pk or other.pk == into.pk:
        raise WorkshopError(_("Choose another match of the same workshop."), field="other")
    with transaction.atomic():
        into = Match.objects.select_for_update().get(pk=into.pk)
        other = Match.objects.select_for_update().get(pk=other.pk)
        open_states = {MatchState.PROPOSED, MatchState.PINNED}
        if into.state not in open_states or other.state not in open_states:
            raise WorkshopError(_("Only proposed or pinned matches can be merged."))
        other.state, other.merged_into = MatchState.MERGED, into
        other.save(update_fields=["state", "merged_into"])
        Match.objects.filter(merged_into=other).update(merged_into=into)
        into.state = MatchState.PINNED
        into.save(update_fields=["state"])
        bump(workshop.pk)
        log_action(
            by,
            "workshop.match.merged",
            into,
            territory=workshop.territory,
            workshop=workshop.pk,
            absorbed=other.pk,
            resource=into.resource,
            absorbed_resource=other.resource,
        )
    return into
