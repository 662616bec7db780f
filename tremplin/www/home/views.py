from django.shortcuts import render

from tremplin.accounts.models import Membership
from tremplin.territories.models import Territory


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["memberships"] = (
            Membership.objects.filter(user=request.user)
            .select_related("territory__epci", "establishment__territory__epci")
            .order_by("role")
        )
        context["territories"] = Territory.objects.visible_to(request.user).select_related("epci")
    return render(request, "home/home.html", context)
