"""Error pages of our own where Django's would break the Content-Security-Policy (its CSRF failure page
carries an inline <style>, which the policy blocks) or speak only English; and the errors of a form
said in a message, for the pages that answer a refused form by going back rather than showing it again."""

from django.forms.forms import NON_FIELD_ERRORS
from django.shortcuts import render
from django.utils.translation import gettext as _


def form_errors_message(form, lead: str = "") -> str:
    """``lead`` (a sentence), then each refused field named by its label with why: "Title: Null
    characters are not allowed." Never a silent refusal, never a generic one."""
    parts = [lead] if lead else []
    for name, errors in form.errors.items():
        text = " ".join(str(error) for error in errors)
        if name == NON_FIELD_ERRORS or name not in form.fields:
            parts.append(text)
        else:
            parts.append(
                _("%(field)s: %(errors)s") % {"field": form.fields[name].label or name, "errors": text}
            )
    return " ".join(parts)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (a page left open past its session, cookies refused, a form
    posted from another site): say what to do, without the technical reason (kept for the logs)."""
    return render(request, "csrf_failure.html", status=403)
