"""The regional network (Club EIT): a lasting network of the territories selected in any edition of a
region's programme, who runs each approach, and the good practices they chose to share.

The network is the region's, not an edition's: a territory selected in 2019 stays in it when the 2027
edition opens, with the practices it shared. Its members are the people each selected territory
declared in its application (referent elected official and EIT officer) and the officials and officers
of its team, one person per e-mail address whatever the number of editions or territories; never the
account that filed an application, nor a company's data (no establishment, no flow).
"""

from dataclasses import dataclass, field

from django.db import transaction

from tremplin.accounts.models import Membership, Role, TerritoryFunction
from tremplin.accounts.scoping import scope_for
from tremplin.coaching.models import GoodPractice
from tremplin.coaching.services.audit import log_coaching
from tremplin.coaching.services.roles import require_team_of
from tremplin.programme.models import Application, Call, Participation
from tremplin.submissions.services import submit_once

FUNCTION_LABELS = dict(TerritoryFunction.choices)


def is_network_member(user, region) -> bool:
    """The programme team running the region, the committee of one of the region's calls and the teams
    of the territories selected in one of them."""
    scope = scope_for(user)
    if scope.is_programme_team and scope.runs_region(region.pk):
        return True
    calls = Call.objects.filter(region=region)
    if scope.is_committee_member and calls.filter(committee_seats__member=user).exists():
        return True
    return Participation.objects.filter(call__in=calls, territory_id__in=scope.team_territory_ids).exists()


@dataclass
class NetworkMember:
    name: str
    email: str
    function: str  # the function in the territory (referent elected official, EIT officer)
    role: str = ""  # as declared ("Vice-présidente")
    territories: list = field(default_factory=list)  # names, in the order met
    editions: list = field(default_factory=list)  # call titles, oldest first


@dataclass
class NetworkTerritory:
    territory: object
    editions: list = field(default_factory=list)  # the calls that selected it, oldest first
    practices: list = field(default_factory=list)  # (practice, edition title)


@dataclass
class RegionalNetwork:
    region: object
    editions: list
    territories: list[NetworkTerritory]
    members: list[NetworkMember]


def _add(members: dict, email: str, name: str, function: str, role: str, territory, edition) -> None:
    key = email.strip().lower()
    if not key:
        return  # a person without an e-mail cannot be told apart, nor reached
    member = members.get(key)
    if member is None:
        member = members[key] = NetworkMember(name.strip() or email, email.strip(), str(function), role)
    if territory.name not in member.territories:
        member.territories.append(territory.name)
    if edition is not None and edition.title not in member.editions:
        member.editions.append(edition.title)


def network_of(region) -> RegionalNetwork:
    editions = list(Call.objects.filter(region=region).order_by("deadline", "pk"))
    participations = list(
        Participation.objects.filter(call__in=editions)
        .select_related("territory__epci", "call")
        .order_by("call__deadline", "territory__epci__name")
    )
    territories: dict[int, NetworkTerritory] = {}
    for participation in participations:
        entry = territories.setdefault(participation.territory_id, NetworkTerritory(participation.territory))
        entry.editions.append(participation.call)
    applications = {
        (a.call_id, a.epci_id): a
        for a in Application.objects.filter(
            call__in=editions, epci_id__in=[p.territory.epci_id for p in participations]
        )
    }
    members: dict[str, NetworkMember] = {}
    for participation in participations:  # oldest edition first: its declaration names the person
        application = applications.get((participation.call_id, participation.territory.epci_id))
        if application is None:
            continue
        territory, call = participation.territory, participation.call
        _add(
            members,
            application.official_email,
            application.official_name,
            FUNCTION_LABELS[TerritoryFunction.ELECTED_OFFICIAL],
            application.official_role,
            territory,
            call,
        )
        _add(
            members,
            application.officer_email,
            application.officer_name,
            FUNCTION_LABELS[TerritoryFunction.OFFICER],
            application.officer_role,
            territory,
            call,
        )
    # The teams' current officials and officers (a territory may have changed its officer since).
    for membership in (
        Membership.objects.filter(
            role=Role.TERRITORY_TEAM,
            territory_id__in=territories,
            function__in=[TerritoryFunction.ELECTED_OFFICIAL, TerritoryFunction.OFFICER],
            user__is_active=True,
        )
        .select_related("user", "territory")
        .order_by("function", "user__last_name", "user__email")
    ):
        for call in territories[membership.territory_id].editions:
            _add(
                members,
                membership.user.email,
                str(membership.user),
                membership.get_function_display(),
                "",
                territories[membership.territory_id].territory,
                call,
            )
    for practice in (
        GoodPractice.objects.shared()
        .filter(participation__in=participations)
        .select_related("participation__call")
        .order_by("-created_at")
    ):
        territories[practice.participation.territory_id].practices.append(
            (practice, practice.participation.call.title)
        )
    ordered = sorted(territories.values(), key=lambda entry: entry.territory.epci.name)
    people = sorted(members.values(), key=lambda m: (m.territories[0], m.function, m.name.lower()))
    return RegionalNetwork(region, editions, ordered, people)


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
