from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.reports.models import ReportKind


class FreezeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Meeting"), choices=ReportKind.choices)
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Left empty: the meeting's name.")
    )
    at = forms.DateField(
        label=_("Figures as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Left empty: today. A past date reads the synergies' statuses from their history."),
    )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at and at > timezone.localdate():
            raise forms.ValidationError(_("A report cannot be frozen at a future date."))
        return at
