"""The territory's installations classées: import a Géorisques file, confirm the proposed links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.installations.models import Installation, Match
from tremplin.installations.services import (
    IcpeNotAllowed,
    IcpeRejected,
    confirm_match,
    import_icpe,
    reject_match,
)
from tremplin.www.access import get_visible_or_404, is_team_of, team_territory_or_404
from tremplin.www.installations.forms import IcpeImportForm

ERRORS_SHOWN = 100


@login_required
def icpe_import(request, territory_pk):
    """The form and the territory's installations (GET); import a file (POST)."""
    territory = team_territory_or_404(request.user, territory_pk)
    form = IcpeImportForm(request.POST or None, request.FILES or None)
    errors, error_count = [], 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_icpe(
                territory,
                upload.read(),
                by=request.user,
                filename=upload.name,
                file_date=form.cleaned_data["file_date"],
            )
        except IcpeRejected as rejected:
            errors, error_count = rejected.errors[:ERRORS_SHOWN], len(rejected.errors)
        except IcpeNotAllowed as error:
            raise PermissionDenied(str(error)) from None
        else:
            messages.success(request, report.summary())
            return redirect("icpe_import", territory_pk=territory.pk)
    installations = (
        Installation.objects.visible_to(request.user)
        .for_territory(territory)
        .select_related("establishment")
        .prefetch_related("rubriques")
    )
    return render(
        request,
        "installations/import.html",
        {
            "territory": territory,
            "form": form,
            "errors": errors,
            "error_count": error_count,
            "installations": installations,
            "Match": Match,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def icpe_match(request, pk):
    """Confirm (``decision=confirm``) or refuse the establishment proposed for an installation."""
    installation = get_visible_or_404(Installation, request.user, pk=pk)
    if not is_team_of(request.user, installation.territory_id):
        raise PermissionDenied
    decide = confirm_match if request.POST.get("decision") == "confirm" else reject_match
    try:
        decide(installation, by=request.user)
    except IcpeNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Link recorded."))
    return redirect("icpe_import", territory_pk=installation.territory_id)
