from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tremplin.establishments.services import EstablishmentError, create_establishment, update_establishment
from tremplin.www.access import team_establishment_or_404, team_territory_or_404
from tremplin.www.establishments.forms import EstablishmentForm


@login_required
def establishment_create(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = EstablishmentForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            establishment = create_establishment(territory, by=request.user, **form.cleaned_data)
        except EstablishmentError as error:
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
    if request.method == "POST" and form.is_valid():
        try:
            update_establishment(establishment, by=request.user, **form.cleaned_data)
        except EstablishmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Changes saved."))
            return redirect("establishment_detail", pk=establishment.pk)
    return render(
        request,
        "establishments/form.html",
        {"form": form, "territory": establishment.territory, "establishment": establishment},
    )
