"""The territory map: perimeter, establishments (clustered), synergy links; GeoJSON exports for QGIS.

Company-level layers are the territory team's: other roles that can open the territory (the programme
team, a company contact) get 403, everybody else 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from tremplin.engine.naf import naf_label
from tremplin.establishments.models import Engagement
from tremplin.reports import geodata
from tremplin.reports.styles import legend
from tremplin.synergies.enums import Basis, ParticipantRole, SynergyKind
from tremplin.synergies.models import Synergy
from tremplin.www.access import team_territory_or_404
from tremplin.www.downloads import download
from tremplin.www.maps.forms import MapFilterForm

GEOJSON = "application/geo+json"


def _geojson_response(data: dict, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(geodata.compact_json(data), content_type=GEOJSON)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sections(territory) -> list[tuple[str, str]]:
    codes = territory.establishments.order_by().values_list("naf_code", flat=True).distinct()
    sections = sorted({geodata.section_of(code) for code in codes} - {""})
    return [(section, f"{section} — {naf_label(section)}") for section in sections]


def _map_labels() -> dict:
    """Texts the map script shows, translated here (the script carries no language of its own)."""
    return {
        "establishments": _("Establishments"),
        "synergies": _("Synergies"),
        "perimeter": _("Perimeter"),
        "heatNetworks": _("Heat networks"),
        "heatNetworkOperator": _("operated by"),
        "heatNetworkDeliveries": _("Heat delivered"),
        "heatNetworkNoTrace": _("Trace not published: position of the network"),
        "section": _("NAF section"),
        "demo": _("Demonstration data"),
        "openEstablishment": _("Open the establishment"),
        "openSynergy": _("Open the synergy"),
        "gain": _("Estimated gain"),
        "year": _("year"),
        "shown": _("%(points)s establishments shown, %(synergies)s synergies drawn."),
        "engagement": dict(Engagement.choices),
        "kinds": dict(SynergyKind.choices),
        "roles": dict(ParticipantRole.choices),
        "bases": dict(Basis.choices),
        "flowBases": {
            "declared": _("Known flow of this resource (declared or stated in a workshop)"),
            "estimated": _("Estimated flow of this resource (sector profile): to check"),
        },
    }


@login_required
@require_GET
def map_page(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = MapFilterForm(request.GET or None, sections=_sections(territory))
    synergies = list(
        Synergy.objects.for_territory(territory)
        .only("pk", "kind", "status", "resource_label")
        .order_by("status", "resource_label")
    )
    return render(
        request,
        "maps/territory.html",
        {
            "territory": territory,
            "form": form,
            "legend": legend(),
            "synergies": synergies,
            "layers": geodata.LAYERS,
            "map_config": {
                "perimeter": reverse("territory_map", kwargs={"pk": territory.pk}),
                "points": reverse("territory_map_points", kwargs={"territory_pk": territory.pk}),
                "synergies": reverse("territory_map_synergies", kwargs={"territory_pk": territory.pk}),
                "heatNetworks": reverse("territory_map_heat_networks", kwargs={"territory_pk": territory.pk}),
                "establishment": reverse("establishment_detail", kwargs={"pk": 0}),
                "synergy": reverse("synergy_detail", kwargs={"pk": 0}),
                "styles": {entry["status"]: entry for entry in legend()},
                "labels": _map_labels(),
            },
        },
    )


@login_required
@download
@require_GET
@gzip_page
def map_points(request, territory_pk):
    """The establishments as one compact GeoJSON request, filtered by ``section``, ``resource`` and
    ``estimated=1`` (also establishments whose sector profile estimates that resource)."""
    territory = team_territory_or_404(request.user, territory_pk)
    form = MapFilterForm(request.GET, sections=_sections(territory))
    filters = form.cleaned_data if form.is_valid() else {}
    data = geodata.establishment_points(
        territory,
        section=filters.get("section", ""),
        resource=filters.get("resource", ""),
        include_estimated=bool(filters.get("estimated")),
    )
    return _geojson_response(data)


@login_required
@download
@require_GET
@gzip_page
def map_synergies(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    return _geojson_response(geodata.synergies_layer(territory))


_EXPORTS = {
    "perimeter": geodata.perimeter_layer,
    "communes": geodata.communes_layer,
    "establishments": geodata.establishments_layer,
    "flows": geodata.flows_layer,
    "synergies": geodata.synergies_layer,
}
_FILE_NAMES = {
    "perimeter": "perimetre",
    "communes": "communes",
    "establishments": "etablissements",
    "flows": "flux",
    "synergies": "synergies",
}


@login_required
@download
@require_GET
@gzip_page
def map_export(request, territory_pk, layer):
    """One layer as a GeoJSON file for QGIS (WGS84, RFC 7946)."""
    territory = team_territory_or_404(request.user, territory_pk)
    if layer not in _EXPORTS:
        raise Http404
    data = _EXPORTS[layer](territory)
    data["name"] = f"{territory.epci.siren}-{_FILE_NAMES[layer]}"
    return _geojson_response(data, filename=f"tremplin-{territory.epci.siren}-{_FILE_NAMES[layer]}.geojson")
