"""The programme's e-mails to applicants, in French (the language of the programme and of its
applicants): the acknowledgement of an application, and the outcome of the selection.

Built and sent through :mod:`tremplin.notifications.mail` (plain text, absolute links, after commit).
"""

from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import AccessRequestStatus
from tremplin.notifications.mail import absolute_url, addresses, build_message, send_after_commit
from tremplin.programme.models import Application, ApplicationStatus
from tremplin.programme.services.eligibility import failure_message

__all__ = [
    "OUTCOME_KINDS",
    "OutcomePreview",
    "acknowledgement_message",
    "outcome_kind",
    "outcome_message",
    "outcome_previews",
    "send_acknowledgement_after_commit",
    "send_outcomes_after_commit",
]

LANGUAGE = "fr"


@dataclass(frozen=True)
class OutcomeKind:
    code: str
    label: str


#: The three outcome mails, in the order the confirmation screen previews them.
OUTCOME_KINDS = (
    OutcomeKind("selected", _("Selected")),
    OutcomeKind("not_selected", _("Eligible, not selected")),
    OutcomeKind("ineligible", _("Ineligible")),
)


def outcome_kind(application: Application, *, selected: bool) -> str:
    if selected:
        return "selected"
    return "ineligible" if application.eligible is False else "not_selected"


def _recipients(application: Application) -> list[str]:
    return addresses(application.applicant.email, application.official_email, application.officer_email)


def _message(template: str, application: Application, context: dict) -> EmailMessage:
    recipients = _recipients(application)
    call = application.call
    return build_message(
        template,
        {"application": application, "call": call, **context},
        to=recipients[:1],
        cc=recipients[1:],
        reply_to=[call.contact_email] if call.contact_email else (),
        language=LANGUAGE,
    )


def _application_url(application: Application, link_for) -> str:
    return absolute_url(reverse("programme_application_detail", kwargs={"pk": application.pk}), link_for)


def acknowledgement_message(application: Application, *, link_for=None) -> EmailMessage:
    """The receipt of a submitted application: what was received, and where to follow it."""
    return _message(
        "programme/email/acknowledgement",
        application,
        {
            "application_url": _application_url(application, link_for),
            "call_url": absolute_url(
                reverse("programme_call_detail", kwargs={"pk": application.call_id}), link_for
            ),
        },
    )


def send_acknowledgement_after_commit(application: Application, *, link_for=None) -> int:
    return send_after_commit([acknowledgement_message(application, link_for=link_for)])


def outcome_message(
    application: Application,
    *,
    selected: bool | None = None,
    access_pending: bool | None = None,
    link_for=None,
) -> EmailMessage:
    """The outcome mail of ``application``. ``selected`` and ``access_pending`` default to what is
    stored (the application decided, its applicant's request to join the team open); the confirmation
    screen passes them to preview a selection not made yet."""
    from tremplin.territories.models import Territory

    if selected is None:
        selected = application.status == ApplicationStatus.SELECTED
    if access_pending is None:
        access_pending = application.access_requests.filter(status=AccessRequestStatus.PENDING).exists()
    kind = outcome_kind(application, selected=selected)
    territory = Territory.objects.filter(epci_id=application.epci_id).first() if selected else None
    context = {
        "selected": selected,
        "kind": kind,
        "access_pending": access_pending,
        "application_url": _application_url(application, link_for),
        "workspace_url": (
            absolute_url(reverse("territory_detail", kwargs={"pk": territory.pk}), link_for)
            if territory
            else ""
        ),
        "calendar_url": (
            absolute_url(reverse("coaching_territory", kwargs={"territory_pk": territory.pk}), link_for)
            if territory
            else ""
        ),
        "ineligibility_reasons": (
            [failure_message(code) for code in application.eligibility_failures]
            if kind == "ineligible"
            else []
        ),
    }
    return _message("programme/email/outcome", application, context)


def send_outcomes_after_commit(applications: list[Application], *, link_for=None) -> int:
    """Build every outcome now (from the decisions being stored) and send them once the transaction
    commits: nothing leaves if it rolls back. Returns the number of messages queued."""
    return send_after_commit(
        [outcome_message(application, link_for=link_for) for application in applications]
    )


@dataclass
class OutcomePreview:
    kind: OutcomeKind
    count: int
    message: EmailMessage | None


def outcome_previews(call, chosen_ids: set[int], *, link_for=None) -> dict:
    """What the selection of ``chosen_ids`` would send, for the confirmation screen: the number of
    messages and of distinct recipients, and one message of each kind (built, never sent)."""
    from tremplin.accounts.models import Membership, Role

    applications = list(
        Application.objects.for_call(call)
        .submitted()
        .select_related("epci", "applicant", "call")
        .order_by("pk")
    )
    on_team = set(
        Membership.objects.filter(
            role=Role.TERRITORY_TEAM,
            territory__epci__in=[application.epci_id for application in applications],
        ).values_list("user_id", "territory__epci_id")
    )
    by_kind: dict[str, list[Application]] = {kind.code: [] for kind in OUTCOME_KINDS}
    recipients: set[str] = set()
    for application in applications:
        by_kind[outcome_kind(application, selected=application.pk in chosen_ids)].append(application)
        recipients.update(address.lower() for address in _recipients(application))
    previews = []
    for kind in OUTCOME_KINDS:
        first = by_kind[kind.code][0] if by_kind[kind.code] else None
        message = None
        if first is not None:
            message = outcome_message(
                first,
                selected=kind.code == "selected",
                access_pending=(first.applicant_id, first.epci_id) not in on_team,
                link_for=link_for,
            )
        previews.append(OutcomePreview(kind, len(by_kind[kind.code]), message))
    return {"messages": len(applications), "recipients": len(recipients), "previews": previews}
