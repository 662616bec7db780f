from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from tremplin.establishments.models import Establishment
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404

PAGE_SIZE = 50


@login_required
def establishment_list(request, territory_pk):
    territory = get_visible_or_404(Territory, request.user, pk=territory_pk)
    establishments = (
        Establishment.objects.visible_to(request.user).for_territory(territory).select_related("commune")
    )
    query = request.GET.get("q", "").strip()
    if query:
        establishments = establishments.filter(name__icontains=query) | establishments.filter(
            siret__startswith=query
        )
    page = Paginator(establishments.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "establishments/list.html",
        {"territory": territory, "page": page, "query": query},
    )


@login_required
def establishment_detail(request, pk):
    establishment = get_visible_or_404(Establishment, request.user, pk=pk)
    return render(request, "establishments/detail.html", {"establishment": establishment})
