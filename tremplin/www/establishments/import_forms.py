"""The form of the import page: which layout, which file (its size checked against the setting)."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tremplin.establishments.importers import IMPORTERS
from tremplin.imports.services import max_upload_bytes


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of file"),
        choices=[(key, importer.label) for key, importer in IMPORTERS.items()],
        widget=forms.RadioSelect,
        initial="sirene",
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("SIRENE: CSV (UTF-8 or Windows-1252). Template: CSV or XLSX."),
    )
    outside = forms.ChoiceField(
        label=_("A point outside its commune"),
        choices=[
            ("refuse", _("refuse the file, naming the row and the distance")),
            ("commune", _("place the establishment at its commune's reference point, with a note")),
        ],
        widget=forms.RadioSelect,
        initial="refuse",
        required=False,  # the careful choice when not given
    )

    def clean_outside(self):
        return self.cleaned_data.get("outside") or "refuse"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large_message())
        return upload


def too_large_message() -> str:
    return _("The file is too large (%(limit)s at most); use the command line.") % {
        "limit": filesizeformat(max_upload_bytes())
    }
