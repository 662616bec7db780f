from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tremplin.audit.models import AuditEntry
from tremplin.establishments.models import Establishment, EstablishmentContact
from tremplin.www.access import get_visible_or_404, is_team_of

ACTION_LABELS = {
    "establishment.created": _("Entered by hand"),
    "establishment.updated": _("Changed"),
    "establishment.contact.added": _("Contact added"),
    "establishment.contact.updated": _("Contact changed"),
    "establishment.contact.removed": _("Contact removed"),
}


def _field_label(name: str) -> str:
    if name == "location":
        return _("location")
    try:
        return Establishment._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def _history(user, establishment) -> list[dict]:
    rows = []
    for entry in AuditEntry.objects.visible_to(user).about(establishment).select_related("actor")[:100]:
        detail = ""
        if entry.action == "establishment.updated":
            detail = ", ".join(str(_field_label(name)) for name in entry.data.get("changes", {}))
        elif entry.action.startswith("establishment.contact."):
            detail = entry.data.get("contact", "")
        rows.append(
            {
                "at": entry.at,
                "actor": entry.actor,
                "label": ACTION_LABELS.get(entry.action, entry.action),
                "detail": detail,
            }
        )
    return rows


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
