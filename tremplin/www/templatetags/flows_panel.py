"""The flows panel of an establishment page: declared flows, estimates, invitations and history."""

import math
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format

from tremplin.accounts.scoping import scope_for
from tremplin.flows.estimates import estimated_flows
from tremplin.flows.history import establishment_history
from tremplin.flows.models import Flow
from tremplin.questionnaire.models import Invitation
from tremplin.www.questionnaire.forms import InvitationForm

register = template.Library()


@register.inclusion_tag("flows/_panel.html", takes_context=True)
def establishment_flows_panel(context, establishment):
    request = context["request"]
    user = request.user
    flows = list(Flow.objects.visible_to(user).for_establishment(establishment).select_related("declared_by"))
    known = {(flow.direction, flow.resource) for flow in flows}
    all_estimates = estimated_flows(establishment)
    estimates = [e for e in all_estimates if (e.direction, e.resource) not in known]
    scope = scope_for(user)
    is_team = establishment.territory_id in scope.team_territory_ids
    is_editor = establishment.territory_id in scope.editor_territory_ids
    return {
        "request": request,
        "establishment": establishment,
        "outputs": [flow for flow in flows if flow.direction == "out"],
        "inputs": [flow for flow in flows if flow.direction == "in"],
        "estimates": estimates,
        "replaced_count": len(all_estimates) - len(estimates),
        "headcount": estimates[0].headcount if estimates else None,
        "is_team": is_team,
        "is_editor": is_editor,
        "can_change": is_editor or establishment.pk in scope.contact_establishment_ids,
        "invitations": list(Invitation.objects.visible_to(user).for_establishment(establishment)[:10])
        if is_team
        else [],
        "invitation_form": InvitationForm(days=settings.QUESTIONNAIRE_INVITATION_DAYS) if is_team else None,
        "history": establishment_history(establishment, user) if is_team else [],
    }


@register.filter
def quantity(value):
    """A quantity rounded for reading (three significant figures, units below a thousand), localised."""
    if value is None or value == "":
        return ""
    value = float(value)
    if value == 0 or abs(value) >= 1000:
        rounded = round(value)
    else:
        rounded = round(value, max(0, 2 - math.floor(math.log10(abs(value)))))
    return number_format(Decimal(format(Decimal(str(rounded)).normalize(), "f")), force_grouping=True)
