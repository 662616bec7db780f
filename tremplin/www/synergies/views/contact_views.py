"""A company contact's opportunities: synergies its establishment takes part in, counterparts anonymised."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from tremplin.accounts.scoping import scope_for


@login_required
def contact_opportunities(request):
    if not scope_for(request.user).contact_establishment_ids:
        raise PermissionDenied
    return render(request, "synergies/contact_opportunities.html")
