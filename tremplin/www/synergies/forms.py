from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.synergies.enums import AbandonReason, Basis, DetectionMode, Objective, Status, SynergyKind
from tremplin.synergies.leads import LeadFilters


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


class LeadFilterForm(forms.Form):
    """The run page's filters (GET): which leads, of which establishment, resource, commune and basis."""

    pistes = forms.ChoiceField(
        label=_("Leads"),
        choices=[("pending", _("To review")), ("all", _("All leads of the run"))],
        required=False,
    )
    establishment = forms.CharField(label=_("Establishment (name or SIRET)"), required=False, max_length=200)
    resource = forms.ChoiceField(label=_("Resource"), required=False)
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    basis = forms.ChoiceField(
        label=_("Basis of the quantities"), choices=[("", _("All")), *Basis.choices], required=False
    )

    def __init__(self, *args, resources=(), communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", _("All")), *resources]
        self.fields["commune"].choices = [("", _("All")), *communes]

    def filters(self) -> LeadFilters:
        """The filters read (a field that could not be read filters nothing)."""
        if not self.is_bound:
            return LeadFilters()
        self.is_valid()  # fills cleaned_data with the fields that could be read
        data = self.cleaned_data
        return LeadFilters(
            establishment=data.get("establishment", ""),
            resource=data.get("resource", ""),
            commune=data.get("commune", ""),
            basis=data.get("basis", ""),
            status="" if data.get("pistes") == "all" else "pending",
        )


class BulkDismissForm(forms.Form):
    """Dismiss several leads with one reason: those ticked (``leads``), or every lead the filters show."""

    scope = forms.ChoiceField(
        label=_("Dismiss"),
        choices=[("selected", _("the selected leads")), ("filtered", _("every lead shown by the filters"))],
        initial="selected",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Why these leads are dismissed"), max_length=500)

    def selected_ids(self) -> list[int]:
        """The ticked lead ids (anything that is not a number is ignored: the operation checks the rest)."""
        return [int(value) for value in self.data.getlist("leads") if str(value).isdigit()]


class WhyNotForm(forms.Form):
    """Two establishments of the territory and the mode whose inputs the engine should use."""

    first = forms.ModelChoiceField(label=_("First establishment"), queryset=None)
    second = forms.ModelChoiceField(label=_("Second establishment"), queryset=None)
    mode = forms.ChoiceField(
        label=_("Way of finding synergies"), choices=DetectionMode.choices, initial=DetectionMode.DEDUCTIVE
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        establishments = territory.establishments.order_by("name", "pk").select_related("commune")
        for name in ("first", "second"):
            self.fields[name].queryset = establishments
            self.fields[name].widget.attrs["class"] = "form-select"
            self.fields[name].label_from_instance = lambda e: (
                f"{e.name} ({e.commune.name if e.commune else ''})"
            )

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            raise forms.ValidationError(_("Choose two different establishments."))
        return data
