from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tremplin.accounts.scoping import scope_for
from tremplin.indicators.compute import FIGURES, programme_indicators, territory_indicators, withhold
from tremplin.indicators.exports import programme_workbook
from tremplin.indicators.secrecy import minimum_companies
from tremplin.programme.models import Call
from tremplin.synergies.enums import PIPELINE, Status
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404
from tremplin.www.downloads import download


def _figure_rows(indicators):
    labels = {
        "tonnes_diverted_per_year": (_("Tonnes diverted from disposal"), _("t/year")),
        "co2_avoided_t_per_year": (_("CO2e avoided"), _("t CO2e/year")),
        "eur_saved_per_year": (_("Money saved"), _("€/year")),
        "eur_earned_per_year": (_("Money earned from by-products"), _("€/year")),
        "jobs_fte": (_("Jobs created or kept"), _("FTE")),
    }
    rows = []
    for family, key, _estimate, _measured in FIGURES:
        figure = indicators[family][key]
        values = [figure[variant] for variant in ("potential_estimated", "operational_estimated")]
        values.append(figure["operational_measured"])
        top = max((value for value in values if value is not None), default=0)
        label, unit = labels[key]
        rows.append(
            {"key": key, "family": family, "label": label, "unit": unit, "figure": figure, "top": top}
        )
    return rows


def _status_rows(pipeline):
    top = max(pipeline["by_status"].values(), default=0)
    order = [*PIPELINE, Status.PAUSED, Status.ABANDONED]
    return [
        {"status": s, "label": Status(s).label, "count": pipeline["by_status"][s], "top": top} for s in order
    ]


@login_required
def territory_indicators_page(request, territory_pk):
    territory = get_visible_or_404(Territory, request.user, pk=territory_pk)
    scope = scope_for(request.user)
    if not (scope.is_programme_team or territory.pk in scope.team_territory_ids):
        raise PermissionDenied
    indicators = territory_indicators(territory)
    # The territory's own team sees its figures; the programme team, those of enough companies only.
    withheld = territory.pk not in scope.team_territory_ids
    if withheld:
        indicators = withhold(indicators)
    return render(
        request,
        "indicators/territory.html",
        {
            "territory": territory,
            "indicators": indicators,
            "figure_rows": _figure_rows(indicators),
            "status_rows": _status_rows(indicators["pipeline"]),
            "withheld": withheld,
            "secret_minimum": minimum_companies(),
        },
    )


def _edition(request) -> Call | None:
    """The edition (call) chosen in ``?edition=``; None: every edition. An unknown one is a 404."""
    value = request.GET.get("edition", "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    try:
        return Call.objects.get(pk=int(value))
    except Call.DoesNotExist:
        raise Http404 from None


def _programme(request):
    if not scope_for(request.user).is_programme_team:
        raise PermissionDenied
    edition = _edition(request)
    territories = Territory.objects.visible_to(request.user).select_related("epci")
    if edition is not None:
        # The edition's territories: those its selection took in.
        territories = territories.filter(participations__call=edition).distinct()
    return edition, programme_indicators(territories.order_by("epci__name"))


@login_required
def programme_indicators_page(request):
    edition, indicators = _programme(request)
    return render(
        request,
        "indicators/programme.html",
        {
            "indicators": indicators,
            "totals": indicators["totals"],
            "figure_rows": _figure_rows(indicators["totals"]) if indicators["totals"] else [],
            "secret_minimum": minimum_companies(),
            "editions": Call.objects.order_by("-deadline"),
            "edition": edition,
        },
    )


@login_required
@download
@require_GET
def programme_indicators_export(request):
    """The programme indicators as XLSX, for the edition chosen on the page (every edition by default)."""
    edition, indicators = _programme(request)
    title = _("Programme indicators") + " — " + (edition.title if edition else _("every edition"))
    response = HttpResponse(
        programme_workbook(indicators, title=title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"indicateurs-programme-{edition.pk if edition else 'toutes-editions'}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
