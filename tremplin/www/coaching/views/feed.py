"""A person's calendar feed: the account section that makes, shows once, renews or revokes its address,
and the feed itself, read by calendar applications without a session."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tremplin.coaching.exports.ical import feed_ics
from tremplin.coaching.models import CalendarFeed
from tremplin.coaching.services import feeds
from tremplin.www.downloads import download


def _page(request, *, address=""):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render(request, "coaching/calendar_feed.html", {"feed": feed, "address": address})


@login_required
def calendar_feed_settings(request):
    return _page(request)


@require_POST
@login_required
@never_cache
def calendar_feed_renew(request):
    """The new address is shown in this response only: it is not stored, and no redirect carries it."""
    token = feeds.renew_feed(by=request.user)
    address = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": token}))
    return _page(request, address=address)


@require_POST
@login_required
def calendar_feed_revoke(request):
    if feeds.revoke_feed(by=request.user):
        messages.success(
            request, _("The calendar feed address is revoked: calendars subscribed to it no longer update.")
        )
    return redirect("calendar_feed_settings")


@download
def calendar_feed(request, token):
    """No session: the secret in the address is the credential. Unknown or revoked: 404."""
    user = feeds.feed_owner(token)
    if user is None:
        raise Http404
    entries = feeds.feed_entries(user, link_for=request.build_absolute_uri)
    content = feed_ics(f"{settings.PLATFORM_NAME} — {_('Support programme')}", entries)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tremplin.ics"'
    return response
