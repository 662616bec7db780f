"""The programme's network (Club EIT): who is in it, and the good practices shared in it.

Never any establishment or flow: only territories, their team members' names and e-mails, and the
practices a team chose to share.
"""

from dataclasses import dataclass, field

from django.db import transaction

from tremplin.accounts.models import Membership, Role, TerritoryFunction
from tremplin.accounts.scoping import scope_for
from tremplin.coaching.models import GoodPractice
from tremplin.coaching.services.audit import log_coaching
from tremplin.coaching.services.roles import require_team_of
from tremplin.programme.models import Participation
from tremplin.submissions.services import submit_once


def is_network_member(user, call) -> bool:
    """The programme team, the call's committee and the teams of its territories."""
    scope = scope_for(user)
    if scope.is_programme_team:
        return True
    if scope.is_committee_member and call.committee_seats.filter(member=user).exists():
        return True
    return call.participations.filter(territory_id__in=scope.team_territory_ids).exists()


@dataclass
class NetworkTerritory:
    participation: Participation
    people: list = field(default_factory=list)  # (name, function label, e-mail)
    practices: list = field(default_factory=list)


def network_of(call) -> list[NetworkTerritory]:
    participations = list(
        call.participations.select_related("territory__epci").order_by("territory__epci__name")
    )
    entries = {p.territory_id: NetworkTerritory(p) for p in participations}
    memberships = (
        Membership.objects.filter(
            role=Role.TERRITORY_TEAM,
            territory_id__in=entries,
            function__in=[TerritoryFunction.ELECTED_OFFICIAL, TerritoryFunction.OFFICER],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("function", "user__last_name", "user__email")
    )
    for membership in memberships:
        entries[membership.territory_id].people.append(
            (str(membership.user), membership.get_function_display(), membership.user.email)
        )
    for practice in (
        GoodPractice.objects.shared()
        .filter(participation__in=participations)
        .select_related("participation")
        .order_by("-created_at")
    ):
        entries[practice.participation.territory_id].practices.append(practice)
    return list(entries.values())


@transaction.atomic
def save_good_practice(practice: GoodPractice, *, by, submission_key: str | None = None) -> GoodPractice:
    """Record or change a good practice (once per creation form: ``submission_key``)."""
    require_team_of(by, practice.participation)
    if practice.created_by_id is None:
        practice.created_by = by
    practice.full_clean()
    creating = practice.pk is None
    shared_before = None if creating else GoodPractice.objects.get(pk=practice.pk).shared

    def save():
        practice.save()
        log_coaching(
            by,
            "good_practice.added" if creating else "good_practice.updated",
            practice,
            participation=practice.participation,
            title=practice.title,
            shared=practice.shared if creating else [shared_before, practice.shared],
        )
        return practice

    return submit_once(submission_key, by=by, create=save) if creating else save()


@transaction.atomic
def remove_good_practice(practice: GoodPractice, *, by) -> None:
    require_team_of(by, practice.participation)
    log_coaching(
        by, "good_practice.removed", practice, participation=practice.participation, title=practice.title
    )
    practice.delete()
