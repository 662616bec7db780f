"""Template tags of the synergy pages."""

from django import template

from tremplin.accounts.scoping import scope_for
from tremplin.synergies.disclosure import contact_opportunities

register = template.Library()


@register.inclusion_tag("synergies/_contact_opportunity_list.html", takes_context=True)
def contact_opportunity_list(context):
    """The signed-in company contact's opportunities (used by its home page and its Opportunities page)."""
    request = context["request"]
    ids = scope_for(request.user).contact_establishment_ids
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "opportunities": contact_opportunities(request.user, ids) if ids else [],
    }


@register.filter
def percent_of(value, total):
    """Share of ``value`` in ``total`` as a CSS percentage (for bars)."""
    try:
        return f"{100 * float(value) / float(total):.1f}%" if float(total) else "0%"
    except (TypeError, ValueError):
        return "0%"
