"""Forms of the territories' potential pages: loading a result, choosing what the map and table show."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tremplin.potentials.mapping import DEFAULT_FIGURE, FIGURES
from tremplin.potentials.models import DEFAULT_SORT, SORTS

#: A national potentials file is some hundreds of kilobytes, its figures by family a few megabytes.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
_ACCEPT = {"accept": ".csv,.parquet,text/csv"}


def _checked_size(upload):
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(max)s.") % {"max": filesizeformat(MAX_UPLOAD_BYTES)}
        )
    return upload


class PotentialLoadForm(forms.Form):
    file = forms.FileField(
        label=_("Potentials of EPCIs (potentials.csv or potentials.parquet)"),
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
        help_text=_("The file written by “tremplin potential … --out DIR”, one row per EPCI, unchanged."),
    )
    families = forms.FileField(
        label=_("Figures by resource family (potentials_by_family.csv or .parquet), optional"),
        widget=forms.ClearableFileInput(attrs=_ACCEPT),
        required=False,
    )
    skip_unknown = forms.BooleanField(
        label=_("Leave aside the EPCIs the platform's geography does not hold"),
        required=False,
        help_text=_(
            "For a national file on a platform loaded with one region's geography: their rows are counted, "
            "not loaded. Unticked, such a row refuses the file."
        ),
    )

    def clean_file(self):
        return _checked_size(self.cleaned_data.get("file"))

    def clean_families(self):
        return _checked_size(self.cleaned_data.get("families"))


class PotentialViewForm(forms.Form):
    """What the page shows (GET): release, the map's figure, filters, order. Invalid values fall back
    to the defaults rather than refusing the page."""

    release = forms.TypedChoiceField(label=_("Result"), coerce=int, required=False)
    figure = forms.ChoiceField(
        label=_("Colour the map by"),
        choices=[(code, figure.label) for code, figure in FIGURES.items()],
        required=False,
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    departement = forms.ChoiceField(label=_("Département"), required=False)
    q = forms.CharField(label=_("EPCI name or SIREN"), required=False, max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(f"{s}{key}", key) for key in SORTS for s in ("", "-")])

    def __init__(self, *args, releases, regions, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].choices = releases
        everything = [("", _("All"))]
        self.fields["region"].choices = everything + regions
        self.fields["departement"].choices = everything + departments

    def value(self, name, default=""):
        if not self.is_bound:
            return default
        if name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return value if value not in (None, "") else default

    @property
    def chosen_figure(self) -> str:
        return self.value("figure", DEFAULT_FIGURE)

    @property
    def order(self) -> str:
        return self.value("sort", DEFAULT_SORT)
