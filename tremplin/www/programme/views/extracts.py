"""The programme team loads a SIRENE extract for the applicants of a call and follows it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tremplin.imports.models import ImportStatus, RegisterExtract
from tremplin.programme.exceptions import ProgrammeError
from tremplin.programme.models import Call
from tremplin.programme.services.extracts import is_stale, start_extract
from tremplin.www.programme.decorators import programme_team_required
from tremplin.www.programme.forms import RegisterExtractForm

POLL_DELAYS = (1, 2, 3, 5, 10)


def extract_context(request, extract: RegisterExtract | None) -> dict:
    """What the extract's status fragment needs (also included in the call's applications page)."""
    if extract is None:
        return {"extract": None}
    try:
        poll = max(0, int(request.GET.get("poll", 0)))
    except ValueError:
        poll = 0
    stale = is_stale(extract)
    return {
        "extract": extract,
        "stale": stale,
        "polling": not extract.is_finished and not stale,
        "next_poll": poll + 1,
        "delay": POLL_DELAYS[min(poll, len(POLL_DELAYS) - 1)],
    }


@programme_team_required
@require_POST
def extract_upload(request, pk):
    call = get_object_or_404(Call, pk=pk)
    form = RegisterExtractForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            extract = start_extract(
                call, form.cleaned_data["file"], by=request.user, stock_date=form.cleaned_data["stock_date"]
            )
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            if extract.status == ImportStatus.DONE:
                messages.success(
                    request, _("The extract is loaded and every applicant's potential computed.")
                )
            elif extract.status == ImportStatus.FAILED:
                messages.error(request, _("The extract was refused: nothing was written."))
            else:
                messages.info(request, _("The extract is being read in the background."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("programme_call_applications", pk=call.pk)


@programme_team_required
@require_GET
def extract_progress(request, pk):
    """The status fragment the applications page polls (HTMX) while the extract is queued or running."""
    extract = get_object_or_404(RegisterExtract.objects.select_related("call"), pk=pk)
    return render(request, "programme/includes/extract_status.html", extract_context(request, extract))
