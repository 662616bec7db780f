"""Error pages of our own where Django's would break the Content-Security-Policy (its CSRF failure page
carries an inline <style>, which the policy blocks) or speak only English."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (a page left open past its session, cookies refused, a form
    posted from another site): say what to do, without the technical reason (kept for the logs)."""
    return render(request, "csrf_failure.html", status=403)
