"""The selection: the programme team retains the call's places from the committee's ranking.

By default the top N of the ranking (N = the call's places) are selected. The programme team may
retain other eligible applications, or fewer, with a written justification; never more than N.
Selecting moves every submitted application to selected or not selected, opens each selected EPCI's
territory workspace with its participation in the programme, and sends every applicant its outcome
after commit. The selection grants no access by itself: the applicant of a selected application gets a
*request* to join the territory's team, which the territory's existing team (or, when there is none,
the programme team) accepts or refuses (``tremplin.accounts.access_requests``). Anyone can sign up and
apply for any EPCI, so applying proves nothing about who a person is.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.accounts.access_requests import request_territory_access
from tremplin.accounts.models import TerritoryFunction
from tremplin.audit.log import log_action
from tremplin.programme.exceptions import JustificationRequired, SelectionError
from tremplin.programme.models import Application, ApplicationStatus, Call, Participation
from tremplin.programme.services.notifications import send_outcomes_after_commit
from tremplin.programme.services.permissions import require_programme_team
from tremplin.programme.services.scoring import rank_applications
from tremplin.territories.models import Territory


def proposed_selection(call: Call) -> list[Application]:
    """The top N eligible applications of the ranking."""
    return [item.application for item in rank_applications(call)[: call.places]]


def check_selection(call: Call, *, chosen=None, justification: str = "", now=None):
    """The checks of a selection, without writing anything (the confirmation screen runs them before
    showing what will be sent): returns the ranking, the proposed top N, the ids chosen and the
    justification; raises :class:`SelectionError` or :class:`JustificationRequired`."""
    now = now or timezone.now()
    if call.is_decided:
        raise SelectionError(_("The selection of this call has already been made."))
    if now <= call.deadline:
        raise SelectionError(_("The selection can only be made after the deadline."))
    if Application.objects.for_call(call).filter(status=ApplicationStatus.SUBMITTED).exists():
        raise SelectionError(_("Some applications have not had their eligibility assessed yet."))
    ranking = [item.application for item in rank_applications(call)]
    proposed = ranking[: call.places]
    justification = (justification or "").strip()
    if chosen is None:
        chosen = proposed
    chosen_ids = {application.pk for application in chosen}
    eligible_ids = {application.pk for application in ranking}
    if not chosen_ids <= eligible_ids:
        raise SelectionError(_("Only eligible applications of this call can be selected."))
    if len(chosen_ids) > call.places:
        raise SelectionError(
            _("This call has %(places)s places: %(count)s applications cannot be selected.")
            % {"places": call.places, "count": len(chosen_ids)}
        )
    departs = chosen_ids != {application.pk for application in proposed}
    if departs and not justification:
        raise JustificationRequired(
            _("The selection departs from the top %(places)s of the ranking: justify it in writing.")
            % {"places": call.places}
        )
    return ranking, proposed, chosen_ids, justification


@transaction.atomic
def select_applications(
    call: Call,
    *,
    by,
    chosen: list[Application] | None = None,
    justification: str = "",
    now=None,
    link_for=None,
) -> list[Application]:
    """Make the selection of ``call`` (the top N unless ``chosen`` says otherwise); returns the
    selected applications, in ranking order. ``link_for(path)`` makes the absolute links of the mail
    (the web view passes ``request.build_absolute_uri``)."""
    require_programme_team(by, call)
    now = now or timezone.now()
    call = Call.objects.select_for_update().get(pk=call.pk)
    ranking, proposed, chosen_ids, justification = check_selection(
        call, chosen=chosen, justification=justification, now=now
    )

    selected, decided = [], []
    for application in Application.objects.for_call(call).submitted().select_related("epci", "applicant"):
        application.status = (
            ApplicationStatus.SELECTED if application.pk in chosen_ids else ApplicationStatus.NOT_SELECTED
        )
        application.decided_at = now
        application.save(update_fields=["status", "decided_at", "updated_at"])
        log_action(by, f"application.{application.status}", application, call=call, at=now)
        decided.append(application)
        if application.pk in chosen_ids:
            selected.append(application)
            _open_workspace(application, call, now, by=by, link_for=link_for)

    call.selection_made_at = now
    call.selection_made_by = by
    call.selection_justification = justification
    call.save(update_fields=["selection_made_at", "selection_made_by", "selection_justification"])
    order = {application.pk: position for position, application in enumerate(ranking)}
    selected.sort(key=lambda application: order[application.pk])
    log_action(
        by,
        "selection.made",
        call,
        call=call,
        at=now,
        places=call.places,
        selected=[application.epci.siren for application in selected],
        proposed=[application.epci.siren for application in proposed],
        justification=justification,
    )

    # The outcomes leave only once the decisions are stored: a rolled-back selection sends nothing.
    queued = send_outcomes_after_commit(decided, link_for=link_for)
    Application.objects.filter(pk__in=[application.pk for application in decided]).update(notified_at=now)
    log_action(by, "selection.notified", call, call=call, at=now, messages=queued)
    return selected


def _open_workspace(application: Application, call: Call, now, *, by, link_for) -> None:
    territory, _created = Territory.objects.get_or_create(epci=application.epci)
    participation, created = Participation.objects.get_or_create(
        call=call, territory=territory, defaults={"selected_at": now}
    )
    if created:
        from tremplin.coaching.services.participation import open_coaching

        open_coaching(participation)
    request_territory_access(
        application.applicant,
        territory,
        by=by,
        function=TerritoryFunction.OFFICER,
        application=application,
        via="selection",
        link_for=link_for,
        now=now,
    )
