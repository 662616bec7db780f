from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.synergies.enums import AbandonReason, DetectionMode, Objective, Status, SynergyKind


class DetectionForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Way of finding synergies"),
        choices=DetectionMode.choices,
        initial=DetectionMode.DEDUCTIVE,
        widget=forms.RadioSelect,
    )
    objective = forms.ChoiceField(label=_("Rank leads by"), choices=Objective.choices, initial=Objective.GAIN)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *AbandonReason.choices], required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner_name = forms.CharField(label=_("Owner"), max_length=200, required=False)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MeasurementForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000)
    tonnes_diverted = forms.FloatField(label=_("Tonnes diverted from disposal"), min_value=0, initial=0)
    co2_avoided_t = forms.FloatField(label=_("t CO2e avoided"), min_value=0, initial=0)
    eur_saved = forms.FloatField(label=_("€ saved"), min_value=0, initial=0)
    eur_earned = forms.FloatField(label=_("€ earned"), min_value=0, initial=0)
    jobs = forms.FloatField(label=_("Jobs created or kept (FTE)"), min_value=0, initial=0)
    note = forms.CharField(
        label=_("Source of the figures"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].initial = this_year
        # A year that has not begun has no measured figures (the operation refuses it too).
        self.fields["year"].max_value = this_year
        self.fields["year"].validators.append(MaxValueValidator(this_year))


class SynergyFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Status.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *SynergyKind.choices], required=False)
    resource = forms.CharField(label=_("Resource"), required=False)
