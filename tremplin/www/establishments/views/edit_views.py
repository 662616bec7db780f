from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tremplin.establishments.models import Establishment
from tremplin.establishments.services import (
    EditConflict,
    EstablishmentError,
    create_establishment,
    update_establishment,
)
from tremplin.submissions.services import AlreadySubmitted, created_by
from tremplin.www.access import team_establishment_or_404, team_territory_or_404
from tremplin.www.conflicts import conflict_for
from tremplin.www.establishments.forms import EstablishmentForm


def form_values(establishment) -> dict:
    """The establishment's values as the form cleans them (a location chosen by nobody is empty)."""
    located = establishment.location_precision == "address"
    return {
        "siret": establishment.siret,
        "name": establishment.name,
        "naf_code": establishment.naf_code,
        "headcount_band": establishment.headcount_band,
        "commune": establishment.commune,
        "address": establishment.address,
        "latitude": establishment.latitude if located else None,
        "longitude": establishment.longitude if located else None,
        "engagement": establishment.engagement,
        "met_on": establishment.met_on,
        "notes": establishment.notes,
    }


@login_required
def establishment_create(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = EstablishmentForm(request.POST or None, territory=territory)
    if request.method == "POST":
        # Posted twice (a double click): the second answer is the first one's, not "SIRET already used".
        try:
            done = created_by(request.POST.get("submission_key"), by=request.user, model=Establishment)
        except AlreadySubmitted:
            done = None
        if done is not None and done.territory_id == territory.pk:
            messages.info(
                request,
                _("This form had already been sent: the establishment %(name)s was created once.")
                % {"name": done.name},
            )
            return redirect("establishment_detail", pk=done.pk)
    if request.method == "POST" and form.is_valid():
        try:
            establishment = create_establishment(
                territory, by=request.user, **form.operation_arguments(), **form.values()
            )
        except (EstablishmentError, AlreadySubmitted) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Establishment %(name)s created.") % {"name": establishment.name})
            return redirect("establishment_detail", pk=establishment.pk)
    return render(
        request, "establishments/form.html", {"form": form, "territory": territory, "establishment": None}
    )


@login_required
def establishment_edit(request, pk):
    establishment = team_establishment_or_404(request.user, pk)
    form = EstablishmentForm(request.POST or None, territory=establishment.territory, instance=establishment)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            update_establishment(
                establishment, by=request.user, **form.operation_arguments(), **form.values()
            )
        except EditConflict as error:
            conflict = conflict_for(form, error.current, form_values(error.current))
            form.add_error(None, str(error))
            form.rebase(error.current.version)
        except EstablishmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("establishment_detail", pk=establishment.pk)
    return render(
        request,
        "establishments/form.html",
        {
            "form": form,
            "territory": establishment.territory,
            "establishment": establishment,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )
