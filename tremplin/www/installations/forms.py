from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.installations.services import MAX_BYTES


class IcpeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Géorisques JSON file"),
        help_text=_("The response of /api/v1/installations_classees?code_insee=…, saved as a file."),
    )
    file_date = forms.DateField(
        label=_("Date of the file"),
        help_text=_("The day it was downloaded from Géorisques."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file_date"].initial = timezone.localdate()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (50 MB at most)."))
        return upload

    def clean_file_date(self):
        value = self.cleaned_data["file_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the file cannot be in the future."))
        return value
