from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tremplin.audit.display import describe_entries
from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment, EstablishmentContact
from tremplin.www.access import get_visible_or_404, is_team_of


def _history(user, establishment) -> list:
    """The establishment's own journal (entered, changed, contacts), in the journal's plain sentences."""
    entries = AuditEntry.objects.visible_to(user).about(establishment).select_related("actor")[:100]
    return describe_entries(entries)


@login_required
def establishment_detail(request, pk):
    """The establishment's page. Its territory team sees its working record (contacts, notes, engagement,
    history); the establishment's own company contact sees only what concerns it: the public facts of
    its establishment, its flows and the way to its questionnaire and opportunities."""
    establishment = get_visible_or_404(Establishment, request.user, pk=pk)
    is_team = is_team_of(request.user, establishment.territory_id)
    context = {"establishment": establishment, "is_team": is_team, "contacts": [], "history": []}
    if is_team:
        context["contacts"] = EstablishmentContact.objects.visible_to(request.user).filter(
            establishment=establishment
        )
        context["history"] = _history(request.user, establishment)
    return render(request, "establishments/detail.html", context)
