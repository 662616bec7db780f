"""Main navigation: each web feature declares its entry and who sees it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import Scope


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[Scope], bool]


def _signed_in(scope: Scope) -> bool:
    return not scope.is_anonymous


NAV_ITEMS: list[NavItem] = [
    NavItem(
        _("Territories"), "territory_list", lambda scope: bool(scope.territory_ids) or scope.is_programme_team
    ),
]


def nav_for(scope: Scope, current_path: str) -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        if not item.visible(scope):
            continue
        url = reverse(item.url_name)
        items.append(
            {"label": item.label, "url": url, "current": current_path.startswith(url) and url != "/"}
        )
    return items
