"""E-mails of a deliverable's lifecycle: the programme team hears of a submission, the territory's team
of a sending back (with the comment) or a validation. Sent after the transition commits."""

from django.urls import reverse

from tremplin.accounts.models import Membership, Role, User
from tremplin.notifications.mail import absolute_url, build_message, send_after_commit

__all__ = ["NOTIFIED_ACTIONS", "recipients_of", "send_transition_after_commit", "transition_message"]

#: The transitions that tell someone, and who: the programme team or the territory's team.
NOTIFIED_ACTIONS = {"submit": "programme", "send_back": "territory", "validate": "territory"}


def recipients_of(deliverable, action: str, *, excluding=None) -> list[str]:
    """The active people told of ``action``, without the person who made it."""
    audience = NOTIFIED_ACTIONS.get(action)
    if audience is None:
        return []
    members = Membership.objects.filter(role=Role.PROGRAMME_TEAM)
    if audience == "territory":
        members = Membership.objects.filter(
            role=Role.TERRITORY_TEAM, territory_id=deliverable.participation.territory_id
        )
    people = User.objects.filter(pk__in=members.values("user_id"), is_active=True).exclude(email="")
    if excluding is not None and getattr(excluding, "pk", None):
        people = people.exclude(pk=excluding.pk)
    return list(people.order_by("email").values_list("email", flat=True))


def transition_message(deliverable, action: str, recipients: list[str], *, by=None, comment: str = ""):
    participation = deliverable.participation
    path = reverse(
        "coaching_deliverable", kwargs={"participation_pk": participation.pk, "kind": deliverable.kind}
    )
    context = {
        "action": action,
        "deliverable": deliverable,
        "kind": deliverable.get_kind_display(),
        "territory": participation.territory.name,
        "call": participation.call,
        "by": (by.get_full_name() or by.email) if by is not None else "",
        "comment": comment,
        "link": absolute_url(path),
    }
    return build_message(
        "coaching/email/deliverable_transition", context, to=recipients[:1], bcc=recipients[1:], language="fr"
    )


def send_transition_after_commit(deliverable, action: str, *, by=None, comment: str = "") -> int:
    """Tell the people concerned by ``action`` on ``deliverable``, once the transition commits."""
    recipients = recipients_of(deliverable, action, excluding=by)
    if not recipients:
        return 0
    return send_after_commit([transition_message(deliverable, action, recipients, by=by, comment=comment)])
