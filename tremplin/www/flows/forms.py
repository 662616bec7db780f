from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.flows import catalogue
from tremplin.flows.models import Direction
from tremplin.flows.quantities import Frequency, QuantityError, yearly_quantity
from tremplin.www.once import add_submission_key, add_version, rebase

#: Units offered as suggestions; any unit the engine knows is accepted.
SUGGESTED_UNITS = ["t", "kg", "m3", "L", "MWh", "kWh", "GJ", "m2", "h", "jour", "u", "repas", "ETP"]


def resource_choices():
    # An empty first choice, so that a resource is never chosen by default.
    return [("", _("— choose a resource —")), *catalogue.grouped_choices()]


class GroupedDecimalField(forms.DecimalField):
    """A decimal typed the French way: digits grouped by spaces (« 4 000 ») and a decimal comma."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split())
        return super().to_python(value)


class FlowForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect)
    resource = forms.ChoiceField(label=_("Resource"), choices=resource_choices)
    quantity = GroupedDecimalField(
        label=_("Quantity"),
        min_value=0,
        max_digits=16,
        decimal_places=4,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=16,
        help_text=_("e.g. t, kg, m3, L, MWh, kWh: converted to the resource's unit."),
        widget=forms.TextInput(
            attrs={"list": "unit-suggestions", "autocomplete": "off", "class": "unit-input"}
        ),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.CHOICES, initial=Frequency.YEAR)
    quality_notes = forms.CharField(
        label=_("Quality notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Composition, moisture, contaminants, temperature, packaging, seasonality…"),
    )
    current_route = forms.CharField(
        label=_("Current route"),
        required=False,
        max_length=300,
        help_text=_("Output: today's disposal route or collector. Input: today's supplier."),
    )
    current_cost_eur_per_year = GroupedDecimalField(
        label=_("Current cost (€ per year)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("What this flow costs you today; negative if you sell it."),
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        initial=True,
        help_text=_(
            "Confidential figures are seen only by your territory's team and your own establishment; "
            "potential partners see an anonymised lead until both sides agree to be introduced."
        ),
    )

    def __init__(self, *args, direction: str | None = None, version: int | None = None, **kwargs):
        """``version``: the version of the flow being edited (an edit form); without it, a declaration
        form, which carries a one-time key instead (posting it twice records one flow)."""
        super().__init__(*args, **kwargs)
        if version is None:
            add_submission_key(self)
        else:
            add_version(self, version)
        self.fixed_direction = direction
        if direction:
            # In the questionnaire each step asks for one direction.
            self.fields["direction"].required = False
            self.fields["direction"].widget = forms.HiddenInput()
            self.initial["direction"] = direction
        self.yearly_quantity = None

    def clean_direction(self):
        return self.fixed_direction or self.cleaned_data.get("direction")

    def clean_unit(self):
        return self.cleaned_data["unit"].strip()

    def clean(self):
        cleaned = super().clean()
        needed = ("resource", "quantity", "unit", "frequency")
        if all(cleaned.get(name) not in (None, "") for name in needed):
            try:
                self.yearly_quantity = yearly_quantity(
                    cleaned["resource"], cleaned["quantity"], cleaned["unit"], cleaned["frequency"]
                )
            except QuantityError as error:
                self.add_error(error.field, error.message)
        return cleaned

    def operation_arguments(self) -> dict:
        """What the flow operation needs beside the values: the key of a declaration form, or the
        version an edit form was made from."""
        if "version" in self.fields:
            return {"expected_version": self.cleaned_data["version"]}
        return {"submission_key": self.cleaned_data.get("submission_key") or None}

    def rebase(self, version: int) -> None:
        """After a conflict: keep what was typed, take the flow's current version (saving again then
        deliberately replaces the values recorded by someone else)."""
        rebase(self, version)

    @property
    def resource_entry(self):
        code = self.data.get(self.add_prefix("resource")) if self.is_bound else self.initial.get("resource")
        return catalogue.catalogue_entry(code) if code else None
