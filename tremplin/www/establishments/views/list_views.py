from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from tremplin.accounts.scoping import scope_for
from tremplin.establishments.models import Establishment
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404
from tremplin.www.establishments.forms import EstablishmentFilterForm

PAGE_SIZE = 50


@login_required
def establishment_list(request, territory_pk):
    territory = get_visible_or_404(Territory, request.user, pk=territory_pk)
    scope = scope_for(request.user)
    is_team = territory.pk in scope.team_territory_ids
    if not is_team and territory.pk not in scope.contact_territory_ids:
        raise PermissionDenied  # the programme team follows aggregates, not establishment records
    visible = Establishment.objects.visible_to(request.user).for_territory(territory)
    form = EstablishmentFilterForm(
        request.GET or None,
        territory=territory,
        naf_codes=visible.order_by().values_list("naf_code", flat=True).distinct(),
        for_team=is_team,
    )
    establishments = form.filter(visible) if form.is_bound and form.is_valid() else visible
    establishments = establishments.select_related("commune").order_by(*form.ordering())
    page = Paginator(establishments, PAGE_SIZE).get_page(request.GET.get("page"))

    params = request.GET.copy()
    params.pop("page", None)
    current_sort = params.get("sort", "name") or "name"
    sort_links = {}
    for key in form.sorts:
        params["sort"] = f"-{key}" if current_sort == key else key
        direction = "ascending" if current_sort == key else "descending" if current_sort == f"-{key}" else ""
        sort_links[key] = {"url": "?" + params.urlencode(), "direction": direction}
    params["sort"] = current_sort
    return render(
        request,
        "establishments/list.html",
        {
            "territory": territory,
            "page": page,
            "form": form,
            "is_team": is_team,
            "filtered": form.is_bound and any(v for k, v in request.GET.items() if k not in {"page", "sort"}),
            "sort_links": sort_links,
            "page_query": params.urlencode(),
        },
    )
