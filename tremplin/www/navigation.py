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
    NavItem(
        _("Support programme"),
        "coaching_home",
        lambda scope: scope.is_programme_team or scope.is_committee_member or bool(scope.team_territory_ids),
    ),
    NavItem(_("Calls for applications"), "programme_call_list", lambda scope: True),
    NavItem(_("Committee"), "programme_committee", lambda scope: scope.is_committee_member),
    NavItem(_("Programme management"), "programme_manage", lambda scope: scope.is_programme_team),
    NavItem(_("Opportunities"), "contact_opportunities", lambda scope: bool(scope.contact_establishment_ids)),
    NavItem(_("Programme indicators"), "programme_indicators", lambda scope: scope.is_programme_team),
    NavItem(_("Access requests"), "access_requests", lambda scope: scope.is_programme_team),
    NavItem(_("People and roles"), "people_programme", lambda scope: scope.is_programme_team),
    NavItem(_("My questionnaire"), "questionnaire_mine", lambda scope: bool(scope.contact_establishment_ids)),
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


@dataclass(frozen=True)
class WorkspaceTab:
    """A tab of a territory's workspace; its URL takes the territory's id as ``territory_pk``."""

    label: str
    url_name: str
    team_only: bool = True  # False: also shown to the programme team (aggregates only), not to a company
    # contact, who opens only the territory's overview (its own establishment is reached from there)


WORKSPACE_TABS: list[WorkspaceTab] = [
    WorkspaceTab(_("Overview"), "territory_detail", team_only=False),
    WorkspaceTab(_("Establishments"), "establishment_list"),
    WorkspaceTab(_("Detection"), "detection_home"),
    WorkspaceTab(_("Synergies"), "synergy_board"),
    WorkspaceTab(_("Workshops"), "workshop_list"),
    WorkspaceTab(_("Indicators"), "territory_indicators", team_only=False),
    WorkspaceTab(_("Flows"), "territory_flows"),
    WorkspaceTab(_("Map"), "territory_map_page"),
    WorkspaceTab(_("Reports"), "report_list", team_only=False),
    WorkspaceTab(_("Support programme"), "coaching_territory"),
    WorkspaceTab(_("Team"), "territory_team"),
    WorkspaceTab(_("Journal"), "territory_journal"),
    WorkspaceTab(_("Personal data"), "territory_personal_data"),
]


def workspace_tabs_for(scope: Scope, territory_pk: int, current_path: str) -> list[dict]:
    is_team = territory_pk in scope.team_territory_ids
    tabs = []
    for tab in WORKSPACE_TABS:
        if tab.team_only and not is_team:
            continue
        if not (is_team or scope.is_programme_team or tab.url_name == "territory_detail"):
            continue
        kwargs = (
            {"pk": territory_pk} if tab.url_name == "territory_detail" else {"territory_pk": territory_pk}
        )
        url = reverse(tab.url_name, kwargs=kwargs)
        tabs.append({"label": tab.label, "url": url, "current": current_path == url})
    return tabs
