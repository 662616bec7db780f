"""Who may act on the programme (checked by the operations themselves, not only by views)."""

from tremplin.accounts.scoping import scope_for
from tremplin.programme.exceptions import NotAllowed


def is_programme_team(user) -> bool:
    return scope_for(user).is_programme_team


def sits_on(user, call) -> bool:
    """Whether ``user`` is a committee member with a seat on ``call``."""
    return scope_for(user).is_committee_member and call.committee_seats.filter(member=user).exists()


def runs_call(user, call) -> bool:
    """Whether ``user`` is on the programme team of the call's region (a member bound to a region runs
    that region's calls only)."""
    return scope_for(user).runs_region(call.region_id)


def calls_run_by(user):
    """The calls ``user`` runs as the programme team (every call for a member bound to no region)."""
    from tremplin.programme.models import Call

    scope = scope_for(user)
    if not scope.is_programme_team:
        return Call.objects.none()
    if scope.programme_all_regions:
        return Call.objects.all()
    return Call.objects.filter(region_id__in=scope.programme_region_ids)


def require_programme_team(user, call=None) -> None:
    """The programme team; with ``call``, the programme team of the call's region."""
    if not is_programme_team(user) or (call is not None and not runs_call(user, call)):
        raise NotAllowed()


def require_seat(user, call) -> None:
    if not sits_on(user, call):
        raise NotAllowed()
