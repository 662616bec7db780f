"""The programme team's view of the territories' synergy potential: loaded results (releases) of
``tremplin potential``, as a map and a sortable table, their exports, and loading a new result.

Only the programme team reaches these pages (403 for every other role): the figures are aggregates
estimated from a public register, the same for every region, so every member sees every row; a member
bound to one region opens the page filtered on it, and may choose "All" (the filter is a convenience,
not an access rule). Committee members see an applicant's figure on the application pages only.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from tremplin.accounts.scoping import scope_for
from tremplin.geo.models import Department, Region
from tremplin.potentials import exports
from tremplin.potentials.mapping import FIGURES, map_payload
from tremplin.potentials.models import SORTS, PotentialRelease
from tremplin.potentials.reading import PotentialFileRejected
from tremplin.potentials.services import load_release
from tremplin.programme.exceptions import ProgrammeError
from tremplin.www.downloads import download
from tremplin.www.programme.decorators import programme_team_required
from tremplin.www.programme.potential_forms import PotentialLoadForm, PotentialViewForm

PAGE_SIZE = 50
MAP_DRAWN = gettext_noop(
    "%(drawn)s EPCIs drawn on the map; %(missing)s without a boundary in the platform's geography "
    "(in the table only)."
)


@dataclass
class _View:
    release: PotentialRelease
    releases: list
    form: PotentialViewForm
    region: str
    departement: str
    rows: object  # filtered and ordered queryset of EpciPotential
    regions: dict
    departments: dict


def _default_region(user, codes) -> str:
    """The region of a programme member bound to exactly one, when the release covers it."""
    scope = scope_for(user)
    if scope.programme_all_regions or len(scope.programme_region_ids) != 1:
        return ""
    (region_id,) = scope.programme_region_ids
    code = Region.objects.filter(pk=region_id).values_list("code", flat=True).first()
    return code if code in codes else ""


def _view(request) -> _View | None:
    releases = list(PotentialRelease.objects.newest_first().select_related("loaded_by"))
    if not releases:
        return None
    release = releases[0]
    wanted = request.GET.get("release")
    if wanted:
        release = next((r for r in releases if str(r.pk) == wanted), None)
        if release is None:
            raise Http404
    rows = release.rows.all()
    region_codes = sorted(set(rows.values_list("region_code", flat=True)) - {""})
    region_names = dict(Region.objects.filter(code__in=region_codes).values_list("code", "name"))
    default_region = _default_region(request.user, region_codes)
    region = request.GET.get("region", default_region)
    region = region if region in region_codes else ""
    department_rows = rows.in_region(region).order_by("department_code")
    department_codes = sorted(set(department_rows.values_list("department_code", flat=True)) - {""})
    department_names = dict(Department.objects.filter(code__in=department_codes).values_list("code", "name"))
    form = PotentialViewForm(
        request.GET or None,
        releases=[(r.pk, _release_label(r)) for r in releases],
        regions=[(code, region_names.get(code, code)) for code in region_codes],
        departments=[
            (code, f"{code} — {department_names[code]}" if code in department_names else code)
            for code in department_codes
        ],
        initial={"release": release.pk, "region": region},
    )
    departement = form.value("departement")
    selected = (
        rows.in_region(region).in_department(departement).search(form.value("q")).select_related("epci")
    )
    return _View(
        release=release,
        releases=releases,
        form=form,
        region=region,
        departement=departement,
        rows=selected.sorted_by(form.order),
        regions=region_names,
        departments=department_names,
    )


def _release_label(release) -> str:
    return _("%(date)s — %(epcis)s EPCIs (%(file)s)") % {
        "date": release.computed_at.strftime("%Y-%m-%d %H:%M UTC"),
        "epcis": release.epci_count,
        "file": release.file_name,
    }


def _query(view: _View, **changes) -> str:
    """The page's query string, with the release and region made explicit (so a link keeps them)."""
    params = {
        "release": view.release.pk,
        "figure": view.form.chosen_figure,
        "region": view.region,
        "departement": view.departement,
        "q": view.form.value("q"),
        "sort": view.form.order,
    }
    params.update(changes)
    from urllib.parse import urlencode

    return urlencode({key: value for key, value in params.items() if value is not None})


def _sort_links(view: _View) -> dict:
    current = view.form.order
    links = {}
    for key in SORTS:
        if current == key:
            target, direction = f"-{key}", "ascending"
        elif current == f"-{key}":
            target, direction = key, "descending"
        else:
            # Figures first high to low; names and codes first A to Z.
            target = key if key in {"name", "siren", "departement", "region"} else f"-{key}"
            direction = ""
        links[key] = {"url": "?" + _query(view, sort=target), "direction": direction}
    return links


@programme_team_required
@require_GET
def potential_territories(request):
    view = _view(request)
    if view is None:
        return render(request, "programme/potentials.html", {"view": None, "load_form": PotentialLoadForm()})
    page = Paginator(view.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.department_name = view.departments.get(row.department_code, "")
        row.region_name = view.regions.get(row.region_code, row.region_code)
    figure = FIGURES[view.form.chosen_figure]
    return render(
        request,
        "programme/potentials.html",
        {
            "view": view,
            "release": view.release,
            "form": view.form,
            "page": page,
            "sort_links": _sort_links(view),
            "page_query": _query(view),
            "figure": figure,
            "map_config": {
                "data": reverse("programme_potential_map") + "?" + _query(view),
                "labels": {
                    "drawn": _(MAP_DRAWN),
                    "failed": _("The map could not be loaded."),
                    "legend": figure.label,
                },
            },
        },
    )


@programme_team_required
@download
@require_GET
@gzip_page
def potential_map(request):
    """The map's GeoJSON: the EPCIs of the page's filters (all pages), coloured by the chosen figure."""
    view = _view(request)
    if view is None:
        raise Http404
    return JsonResponse(
        map_payload(view.rows, view.form.chosen_figure),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )


@programme_team_required
@download
@require_GET
def potential_export(request, fmt):
    """The table as shown (filters and order, every page) as CSV or XLSX."""
    view = _view(request)
    if view is None or fmt not in {"csv", "xlsx"}:
        raise Http404
    name = f"tremplin-potentiel-{view.release.computed_at:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse(
            exports.csv_export(view.rows, view.release), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            exports.workbook_stream(view.rows, view.release),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@programme_team_required
def potential_load(request):
    """Load a result (form), and the list of results loaded so far."""
    form = PotentialLoadForm(request.POST or None, request.FILES or None)
    rejected = None
    if request.method == "POST" and form.is_valid():
        main, families = form.cleaned_data["file"], form.cleaned_data.get("families")
        try:
            release = load_release(
                main.name,
                main.read(),
                by=request.user,
                family_name=families.name if families else "",
                family_content=families.read() if families else None,
                skip_unknown=form.cleaned_data["skip_unknown"],
            )
        except PotentialFileRejected as error:
            rejected = error
        except ProgrammeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The result is loaded: %(n)s EPCIs. Nothing of the previous results was changed.")
                % {"n": release.epci_count},
            )
            return redirect(reverse("programme_potentials") + f"?release={release.pk}")
    return render(
        request,
        "programme/potentials_load.html",
        {
            "form": form,
            "rejected": rejected,
            "releases": PotentialRelease.objects.newest_first().select_related("loaded_by"),
        },
    )
