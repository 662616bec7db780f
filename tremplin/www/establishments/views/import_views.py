from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tremplin.establishments.importers.template import example_row, template_csv, template_xlsx
from tremplin.establishments.services import ImportRejected, import_establishments
from tremplin.www.access import team_territory_or_404
from tremplin.www.downloads import download
from tremplin.www.establishments.forms import ImportForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def establishment_import(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = rejected = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        try:
            report = import_establishments(
                territory, upload.file, kind=form.cleaned_data["kind"], by=request.user, filename=upload.name
            )
        except ImportRejected as error:
            rejected = error.report
            status = 422
        else:
            form = ImportForm(initial={"kind": form.cleaned_data["kind"]})
    return render(
        request,
        "establishments/import.html",
        {"territory": territory, "form": form, "report": report, "rejected": rejected},
        status=status,
    )


def _example(territory) -> list[str]:
    commune = territory.epci.communes.order_by("-population", "insee_code").first()
    if commune is None:
        return example_row("", None, None)
    return example_row(commune.insee_code, commune.centroid_lat, commune.centroid_lon)


@login_required
@download
def import_template(request, territory_pk, fmt):
    territory = team_territory_or_404(request.user, territory_pk)
    example = _example(territory)
    if fmt == "xlsx":
        response = HttpResponse(template_xlsx(example), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(example), content_type="text/csv; charset=utf-8")
    filename = _("establishments-template")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
