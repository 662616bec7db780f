from django import template

from tremplin.accounts.scoping import scope_for
from tremplin.www.navigation import workspace_tabs_for

register = template.Library()


@register.inclusion_tag("territories/_workspace_nav.html", takes_context=True)
def workspace_nav(context, territory):
    request = context["request"]
    return {"tabs": workspace_tabs_for(scope_for(request.user), territory.pk, request.path)}
