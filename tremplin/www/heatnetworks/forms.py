from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tremplin.heatnetworks.services import DEFAULT_MARGIN_KM
from tremplin.imports.services import max_upload_bytes


class HeatNetworkImportForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file of France Chaleur Urbaine"))
    margin_km = forms.FloatField(
        label=_("Margin around the territory (km)"), min_value=0, max_value=50, initial=DEFAULT_MARGIN_KM
    )
    source_date = forms.DateField(
        label=_("Date of the data"),
        required=False,
        help_text=_("When the file was published or downloaded; today if empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is too large (%(limit)s at most); use the command line.")
                % {"limit": filesizeformat(max_upload_bytes())}
            )
        return upload
