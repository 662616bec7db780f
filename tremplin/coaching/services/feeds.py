"""A person's calendar feed: the events they may see, at a secret address their calendar subscribes to.

The address carries a random secret (256 bits); only its SHA-256 is stored. Renewing replaces it (the
old address stops at once), revoking removes it. The feed is read without a session, as the user whose
secret it is: the programme team gets every event of the calls it follows, a territory's team the events
of the calls its territory takes part in (with its own registrations), a committee member the events of
the calls it sits for. Never another territory's registrations.
"""

import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.accounts.scoping import scope_for
from tremplin.coaching.models import CalendarFeed, Event, Registration
from tremplin.coaching.services.audit import log_coaching


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def renew_feed(*, by) -> str:
    """Make (or replace) ``by``'s feed secret; returns the secret, shown once."""
    if not by.is_authenticated:
        raise PermissionError
    token = secrets.token_urlsafe(32)
    existed = CalendarFeed.objects.filter(user=by).exists()
    CalendarFeed.objects.update_or_create(
        user=by, defaults={"token_hash": _hash(token), "created_at": timezone.now()}
    )
    log_coaching(by, "calendar_feed.renewed" if existed else "calendar_feed.created", by)
    return token


@transaction.atomic
def revoke_feed(*, by) -> bool:
    deleted, _rows = CalendarFeed.objects.filter(user=by).delete()
    if deleted:
        log_coaching(by, "calendar_feed.revoked", by)
    return bool(deleted)


def feed_owner(token: str):
    """The active user whose secret ``token`` is, or None."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_hash=_hash(token)).select_related("user").first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_events(user):
    scope = scope_for(user)
    visible = Event.objects.visible_to(user).values("pk")
    query = Q(pk__in=visible)
    if scope.is_committee_member:
        query |= Q(call__committee_seats__member=user)
    return Event.objects.filter(query).select_related("call").distinct().order_by("date", "start_time")


def feed_entries(user, *, link_for):
    """``(event, url, more)`` for :func:`tremplin.coaching.exports.ical.feed_ics`: ``more`` names the
    people registered from the user's own territories (a territory team), or counts them (programme team)."""
    scope = scope_for(user)
    events = list(feed_events(user))
    registered: dict[int, list[str]] = {}
    if scope.is_programme_team:
        for event_id in Registration.objects.filter(event__in=events).values_list("event_id", flat=True):
            registered.setdefault(event_id, []).append("")
    elif scope.team_territory_ids:
        own = Registration.objects.filter(
            event__in=events, participation__territory_id__in=scope.team_territory_ids
        ).order_by("person_name")
        for registration in own:
            registered.setdefault(registration.event_id, []).append(registration.person_name)
    openable = set(
        Event.objects.visible_to(user).filter(pk__in=[e.pk for e in events]).values_list("pk", flat=True)
    )
    entries = []
    for event in events:
        names = registered.get(event.pk, [])
        if scope.is_programme_team:
            more = _("Registered people: %(count)s") % {"count": len(names)} if names else ""
        else:
            more = (
                _("Registered from your territory: %(names)s") % {"names": ", ".join(names)} if names else ""
            )
        path = (
            reverse("coaching_event_detail", kwargs={"pk": event.pk})
            if event.pk in openable
            else reverse("coaching_home")  # a committee member: the programme's page, not the event's
        )
        entries.append((event, link_for(path), more))
    return entries
