"""Who may act on the programme (checked by the operations themselves, not only by views)."""

from tremplin.accounts.scoping import scope_for
from tremplin.programme.exceptions import NotAllowed


def is_programme_team(user) -> bool:
    return scope_for(user).is_programme_team


def sits_on(user, call) -> bool:
    """Whether ``user`` is a committee member with a seat on ``call``."""
    return scope_for(user).is_committee_member and call.committee_seats.filter(member=user).exists()


def require_programme_team(user) -> None:
    if not is_programme_team(user):
        raise NotAllowed()


def require_seat(user, call) -> None:
    if not sits_on(user, call):
        raise NotAllowed()
