"""Who joins a territory's team: a request, decided by people the territory or the programme recognises.

Being the applicant of a selected application proves nothing about a person (anyone may sign up and
apply for any EPCI), so the selection only *opens a request*. The territory's existing team accepts or
refuses it; the programme team may decide too, which is the only way when the workspace has no team
yet, and otherwise needs a written justification (both cases are audited). Accepting grants the role
through :func:`tremplin.accounts.services.grant_membership`.
"""

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import AccessRequest, AccessRequestStatus, Membership, Role, User
from tremplin.accounts.scoping import scope_for
from tremplin.accounts.services import grant_membership, may_grant
from tremplin.audit.log import log_action
from tremplin.notifications.mail import absolute_url, build_message, send_after_commit

__all__ = [
    "AccessRequestError",
    "JustificationRequired",
    "accept_access_request",
    "deciders_of",
    "refuse_access_request",
    "request_territory_access",
    "team_decides",
]


class AccessRequestError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class JustificationRequired(AccessRequestError):
    """The programme team decides for a territory that has a team: it must say why."""


def team_decides(territory, *, excluding=None) -> bool:
    """Whether the territory already has a team (other than ``excluding``), which then decides."""
    members = Membership.objects.filter(role=Role.TERRITORY_TEAM, territory=territory, user__is_active=True)
    if excluding is not None:
        members = members.exclude(user=excluding)
    return members.exists()


def deciders_of(access_request: AccessRequest) -> list[User]:
    """Who is asked to decide: the territory's team, or the programme team when there is none."""
    if team_decides(access_request.territory, excluding=access_request.user):
        members = Membership.objects.filter(role=Role.TERRITORY_TEAM, territory=access_request.territory)
    else:
        members = Membership.objects.filter(role=Role.PROGRAMME_TEAM)
    return list(
        User.objects.filter(pk__in=members.values("user_id"), is_active=True)
        .exclude(pk=access_request.user_id)
        .order_by("email")
    )


@transaction.atomic
def request_territory_access(
    user, territory, *, by, function: str = "", application=None, via: str = "", link_for=None, now=None
) -> AccessRequest | None:
    """Open (or return the open) request of ``user`` to join ``territory``'s team; ``None`` when the
    person is already on the team. The deciders are told by e-mail after commit (``link_for(path)``
    makes the absolute link of the page where they decide)."""
    if Membership.objects.filter(user=user, role=Role.TERRITORY_TEAM, territory=territory).exists():
        return None
    existing = (
        AccessRequest.objects.select_for_update().pending().filter(user=user, territory=territory).first()
    )
    if existing is not None:
        return existing
    access_request = AccessRequest.objects.create(
        user=user,
        territory=territory,
        function=function,
        application=application,
        via=via,
        requested_by=by if by is not None and by.is_authenticated else None,
        requested_at=now or timezone.now(),
    )
    log_action(
        by,
        "access.requested",
        access_request,
        territory=territory,
        user_id=user.pk,
        function=function,
        via=via,
        application_id=application.pk if application is not None else None,
    )
    recipients = [person.email for person in deciders_of(access_request)]
    if recipients:
        send_after_commit([_decision_wanted_message(access_request, recipients, link_for)])
    return access_request


def _check_decider(access_request: AccessRequest, by, note: str) -> None:
    if not access_request.is_pending:
        raise AccessRequestError(_("This request has already been decided."))
    if by is None or not by.is_authenticated or by.pk == access_request.user_id:
        raise AccessRequestError(_("You may not decide on this request."))
    territory = access_request.territory
    if not may_grant(by, Role.TERRITORY_TEAM, territory=territory):
        raise AccessRequestError(_("You may not decide on this request."))
    on_team = territory.pk in scope_for(by).team_territory_ids
    if not on_team and team_decides(territory, excluding=access_request.user) and not note.strip():
        raise JustificationRequired(
            _("The territory has a team, which normally decides: say why the programme team decides instead.")
        )


def _lock(access_request: AccessRequest) -> AccessRequest:
    return (
        AccessRequest.objects.select_for_update()
        .select_related("user", "territory__epci")
        .get(pk=access_request.pk)
    )


@transaction.atomic
def accept_access_request(access_request: AccessRequest, *, by, note: str = "", link_for=None, now=None):
    """The person joins the team (role granted and audited); they are told by e-mail after commit."""
    access_request = _lock(access_request)
    _check_decider(access_request, by, note)
    if not access_request.user.is_active:
        raise AccessRequestError(_("This person's account is not active: the request cannot be accepted."))
    membership = grant_membership(
        access_request.user,
        Role.TERRITORY_TEAM,
        by=by,
        territory=access_request.territory,
        function=access_request.function,
        organisation=access_request.territory.name,
        via="access_request",
    )
    _decide(access_request, AccessRequestStatus.ACCEPTED, by=by, note=note, now=now)
    send_after_commit([_decision_message(access_request, link_for)])
    return membership


@transaction.atomic
def refuse_access_request(access_request: AccessRequest, *, by, note: str = "", now=None) -> AccessRequest:
    """No role is granted; the person is told by e-mail after commit."""
    access_request = _lock(access_request)
    _check_decider(access_request, by, note)
    _decide(access_request, AccessRequestStatus.REFUSED, by=by, note=note, now=now)
    send_after_commit([_decision_message(access_request, None)])
    return access_request


def _decide(access_request: AccessRequest, status: str, *, by, note: str, now) -> None:
    on_team = access_request.territory_id in scope_for(by).team_territory_ids
    access_request.status = status
    access_request.decided_by = by
    access_request.decided_at = now or timezone.now()
    access_request.decision_note = note.strip()
    access_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    log_action(
        by,
        "access.accepted" if status == AccessRequestStatus.ACCEPTED else "access.refused",
        access_request,
        territory=access_request.territory,
        user_id=access_request.user_id,
        function=access_request.function,
        decided_as="territory_team" if on_team else "programme_team",
        note=access_request.decision_note,
    )


# Mail (in French, the language of the programme), built inside the transaction, sent after commit.


def _decision_wanted_message(access_request: AccessRequest, recipients: list[str], link_for) -> EmailMessage:
    from django.urls import reverse

    team = team_decides(access_request.territory, excluding=access_request.user)
    path = (
        reverse("territory_team", kwargs={"territory_pk": access_request.territory_id})
        if team
        else reverse("access_requests")
    )
    context = {"request": access_request, "link": absolute_url(path, link_for), "team_decides": team}
    return build_message(
        "accounts/email/access_requested", context, to=recipients[:1], bcc=recipients[1:], language="fr"
    )


def _decision_message(access_request: AccessRequest, link_for) -> EmailMessage:
    from django.urls import reverse

    path = reverse("territory_detail", kwargs={"pk": access_request.territory_id})
    context = {
        "request": access_request,
        "accepted": access_request.status == AccessRequestStatus.ACCEPTED,
        "link": absolute_url(path, link_for),
    }
    return build_message(
        "accounts/email/access_decided", context, to=[access_request.user.email], language="fr"
    )
