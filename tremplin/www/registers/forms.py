from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.imports.services import max_upload_bytes
from tremplin.www.establishments.import_forms import too_large_message


class IrepForm(forms.Form):
    file = forms.FileField(label=_("IREP yearly zip"), help_text=_("The zip downloaded from Géorisques."))
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=2003,
        max_value=2100,
        help_text=_("Only needed when the zip holds several years."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large_message())
        return upload
