"""Import of a public register (IREP) from the territory's import page: the upload, then the page that
lists the establishments matched by SIRET and asks the officer to confirm or reject each match made by
name and commune before anything is written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.registers.irep import IrepRejected
from tremplin.registers.models import RegisterImport
from tremplin.registers.services import (
    RegisterImportError,
    apply_irep_import,
    cancel_irep_import,
    prepare_irep_import,
)
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.registers.forms import IrepForm

RECENT = 10


@login_required
def irep_upload(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = IrepForm(request.POST or None, request.FILES or None)
    rejected = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = prepare_irep_import(
                territory, upload, by=request.user, filename=upload.name, year=form.cleaned_data["year"]
            )
        except IrepRejected as error:
            rejected, status = error, 400
        except RegisterImportError as error:
            form.add_error(None, str(error))
        else:
            return redirect("irep_review", pk=job.pk)
    imports = RegisterImport.objects.for_territory(territory).select_related("created_by")[:RECENT]
    return render(
        request,
        "registers/irep_upload.html",
        {"territory": territory, "form": form, "rejected": rejected, "imports": imports},
        status=status,
    )


@login_required
def irep_review(request, pk):
    job = get_visible_or_404(RegisterImport, request.user, pk=pk)
    return render(request, "registers/irep_review.html", {"job": job, "territory": job.territory})


@require_POST
@login_required
def irep_confirm(request, pk):
    job = get_visible_or_404(RegisterImport, request.user, pk=pk)
    try:
        if request.POST.get("action") == "cancel":
            cancel_irep_import(job, by=request.user)
            messages.info(request, _("The register import was cancelled: nothing was written."))
        else:
            outcome = apply_irep_import(job, by=request.user, confirmed=set(request.POST.getlist("confirm")))
            messages.success(
                request,
                _("%(flows)s register flows written for %(establishments)s establishments.")
                % {"flows": outcome["flows_created"], "establishments": outcome["establishments"]},
            )
    except RegisterImportError as error:
        messages.error(request, str(error))
    return redirect("irep_review", pk=job.pk)
