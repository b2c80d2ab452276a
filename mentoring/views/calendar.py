"""The calendar feed: the page with the subscription address, reset and revoke, and the feed itself (issue 6)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from ..calendar_feed import (
    calendar_ics,
    feed_address,
    feed_by_token,
    feed_reset,
    feed_revoke,
    live_feed,
    webcal_address,
)
from ..selectors_meetings import require_meeting_user


@login_required
@require_GET
def calendar_feed(request):
    require_meeting_user(request.user)
    feed = live_feed(request.user)
    return render(request, "mentoring/meetings/calendar_feed.html", {
        "feed": feed, "address": feed_address(feed) if feed else "",
        "webcal": webcal_address(feed) if feed else "",
    })


@login_required
@require_POST
def calendar_feed_reset(request):
    require_meeting_user(request.user)
    had_one = live_feed(request.user) is not None
    feed_reset(user=request.user)
    if had_one:
        messages.success(request, _("Your calendar has a new address; the old one no longer works. Subscribe again "
                                    "with the new address."))
    else:
        messages.success(request, _("Your calendar address is ready: copy it into your calendar application."))
    return redirect("mentoring:calendar_feed")


@login_required
@require_POST
def calendar_feed_revoke(request):
    require_meeting_user(request.user)
    if feed_revoke(user=request.user):
        messages.success(request, _("Your calendar address no longer works. Calendars subscribed to it stop "
                                    "receiving your meetings."))
    return redirect("mentoring:calendar_feed")


@require_safe
def calendar_feed_ics(request, token):
    """The feed, for calendar applications: no log-in, no session; the secret token is the key (404 when unknown
    or revoked). A fixed number of queries whatever the number of meetings."""
    feed = feed_by_token(token)
    response = HttpResponse(calendar_ics(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentoring-meetings.ics"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
