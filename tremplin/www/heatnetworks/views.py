"""The territory's heat networks: import of France Chaleur Urbaine's layer, and their traces for the map.

Both are the territory team's (404 outside its scope, 403 for the other roles that may open it).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from tremplin.heatnetworks.models import HeatNetwork
from tremplin.heatnetworks.services import HeatNetworkImportError, import_heat_networks
from tremplin.reports.geodata import compact_json, heat_networks_layer
from tremplin.www.access import team_territory_or_404
from tremplin.www.downloads import download
from tremplin.www.heatnetworks.forms import HeatNetworkImportForm

ERRORS_SHOWN = 100


@login_required
def heat_network_import(request, territory_pk):
    """The territory's networks and the form (GET), or import a file (POST) and come back here."""
    territory = team_territory_or_404(request.user, territory_pk)
    form = HeatNetworkImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_heat_networks(
                territory,
                upload.read(),
                by=request.user,
                filename=upload.name,
                source_date=form.cleaned_data["source_date"],
                margin_km=form.cleaned_data["margin_km"],
            )
        except HeatNetworkImportError as refused:
            errors = refused.errors[:ERRORS_SHOWN]
        else:
            messages.success(
                request,
                _(
                    "%(created)s networks created, %(updated)s updated, "
                    "%(outside)s outside the territory and its margin."
                )
                % {"created": summary.created, "updated": summary.updated, "outside": summary.outside},
            )
            return redirect("heat_network_import", territory_pk=territory.pk)
    networks = HeatNetwork.objects.for_territory(territory).select_related("establishment")
    return render(
        request,
        "heatnetworks/import.html",
        {"territory": territory, "form": form, "errors": errors, "networks": networks},
    )


@login_required
@download
@require_GET
@gzip_page
def heat_network_layer(request, territory_pk):
    """The traces of the territory's networks (WGS84, RFC 7946), for the map."""
    territory = team_territory_or_404(request.user, territory_pk)
    return HttpResponse(compact_json(heat_networks_layer(territory)), content_type="application/geo+json")
