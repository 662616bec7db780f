from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tremplin.accounts.invitations import InvitationError
from tremplin.accounts.scoping import scope_for
from tremplin.geo.models import Epci
from tremplin.territories.facts import territory_facts, territory_map_geojson
from tremplin.territories.models import Territory
from tremplin.territories.services import TerritoryError, open_workspace
from tremplin.www.access import get_visible_or_404
from tremplin.www.downloads import download
from tremplin.www.programme.decorators import programme_team_required
from tremplin.www.territories.forms import TerritoryCreateForm


@login_required
def territory_list(request):
    territories = Territory.objects.visible_to(request.user).select_related("epci__region")
    can_open = scope_for(request.user).is_programme_team
    return render(request, "territories/list.html", {"territories": territories, "can_open": can_open})


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


@programme_team_required
def territory_create(request):
    """The programme team opens a workspace outside any programme (``tremplin create-territory``)."""
    form = TerritoryCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened, invitation = open_workspace(
                form.cleaned_data["epci"],
                by=request.user,
                label=form.cleaned_data["name"],
                first_member=form.cleaned_data["email"],
                link_for=request.build_absolute_uri,
            )
        except InvitationError as error:
            form.add_error("email", error.message)
        except TerritoryError as error:
            form.add_error(None, error.message)
        else:
            territory = opened.territory
            if opened.created:
                messages.success(
                    request,
                    _("The workspace of %(name)s is open; nobody is on its team yet.") % {"name": territory},
                )
            else:
                messages.info(
                    request,
                    _("The workspace of %(name)s already exists: nothing was changed.") % {"name": territory},
                )
            if invitation is not None:
                messages.info(
                    request,
                    _("An invitation to join its team with edit access was sent to %(email)s.")
                    % {"email": invitation.email},
                )
            return redirect("territory_detail", pk=territory.pk)
    epcis = Epci.objects.order_by("name").values_list("name", "siren")
    return render(request, "territories/create.html", {"form": form, "epcis": epcis})
