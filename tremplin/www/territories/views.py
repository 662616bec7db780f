from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from tremplin.territories.facts import territory_facts, territory_map_geojson
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404
from tremplin.www.downloads import download


@login_required
def territory_list(request):
    territories = Territory.objects.visible_to(request.user).select_related("epci__region")
    return render(request, "territories/list.html", {"territories": territories})


@login_required
def territory_detail(request, pk):
    territory = get_visible_or_404(Territory, request.user, pk=pk)
    return render(
        request,
        "territories/detail.html",
        {"territory": territory, "facts": territory_facts(territory)},
    )


@login_required
@download
def territory_map(request, pk):
    territory = get_visible_or_404(Territory, request.user, pk=pk)
    return JsonResponse(territory_map_geojson(territory), content_type="application/geo+json")
