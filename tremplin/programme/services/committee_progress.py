"""How far each committee member has scored, and the reminder sent to those who have not finished.

An application counts as *not scored* by a member when it awaits the selection (eligible) and the
member has not given it a score on every criterion of the call.
"""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tremplin.audit.log import log_action
from tremplin.notifications.mail import absolute_url, build_message, send_after_commit
from tremplin.programme.exceptions import ProgrammeError
from tremplin.programme.models import Application, Call, CommitteeSeat, Score
from tremplin.programme.services.permissions import require_programme_team

__all__ = ["SeatProgress", "remind_committee_member", "scoring_progress"]


@dataclass(frozen=True)
class SeatProgress:
    seat: CommitteeSeat
    to_score: int  # the eligible applications
    not_scored: int  # of which the member has not scored every criterion

    @property
    def scored(self) -> int:
        return self.to_score - self.not_scored


def scoring_progress(call: Call) -> list[SeatProgress]:
    """Every seat of ``call``, by organisation then member, with the applications left to score."""
    criteria = set(call.criteria.values_list("pk", flat=True))
    applications = set(Application.objects.for_call(call).eligible().values_list("pk", flat=True))
    given: dict[tuple[int, int], set[int]] = {}
    for member_id, application_id, criterion_id in Score.objects.filter(
        application_id__in=applications, criterion_id__in=criteria
    ).values_list("member_id", "application_id", "criterion_id"):
        given.setdefault((member_id, application_id), set()).add(criterion_id)
    seats = call.committee_seats.select_related("member").order_by("organisation", "member__email")
    return [
        SeatProgress(
            seat,
            len(applications),
            sum(
                1
                for application_id in applications
                if given.get((seat.member_id, application_id), set()) != criteria
            ),
        )
        for seat in seats
    ]


class NothingToRemind(ProgrammeError):
    pass


@transaction.atomic
def remind_committee_member(seat: CommitteeSeat, *, by, link_for=None, now=None) -> int:
    """Send the member of ``seat`` a reminder of the applications left to score (after commit, audited);
    returns the number of applications named in it."""
    from django.utils.translation import gettext as _

    require_programme_team(by)
    seat = CommitteeSeat.objects.select_related("call", "member").get(pk=seat.pk)
    call = seat.call
    if call.is_decided:
        raise NothingToRemind(_("The selection of this call is made: there is nothing left to score."))
    progress = next(item for item in scoring_progress(call) if item.seat.pk == seat.pk)
    if progress.not_scored == 0:
        raise NothingToRemind(_("This member has scored every application."))
    now = now or timezone.now()
    message = build_message(
        "programme/email/scoring_reminder",
        {
            "call": call,
            "member": seat.member,
            "not_scored": progress.not_scored,
            "to_score": progress.to_score,
            "link": absolute_url(reverse("programme_committee_call", kwargs={"pk": call.pk}), link_for),
        },
        to=[seat.member.email],
        reply_to=[call.contact_email] if call.contact_email else (),
        language="fr",
    )
    send_after_commit([message])
    log_action(
        by,
        "committee.reminded",
        call,
        call=call,
        at=now,
        member_id=seat.member_id,
        not_scored=progress.not_scored,
    )
    return progress.not_scored
