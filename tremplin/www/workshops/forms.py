from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.workshops.models import Confidentiality, DeclarationKind


class WorkshopForm(forms.Form):
    theme = forms.CharField(label=_("Theme"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=300)
    expected = forms.ModelMultipleChoiceField(
        label=_("Expected companies"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Establishments of the territory invited to the workshop."),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected"].queryset = territory.establishments.order_by("name")


class JoinForm(forms.Form):
    establishment = forms.IntegerField(required=False, widget=forms.HiddenInput())
    new_company = forms.CharField(label=_("Or type the name of your company"), max_length=200, required=False)
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your e-mail address (optional)"), required=False)


class DeclarationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I have / I want"), choices=DeclarationKind.choices, widget=forms.RadioSelect
    )
    resource = forms.CharField(max_length=64)
    quantity = forms.FloatField(label=_("Quantity per year (optional)"), required=False, min_value=0)
    unit = forms.CharField(label=_("Unit (optional)"), max_length=16, required=False)
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confidentiality = forms.ChoiceField(
        label=_("Who may see it"),
        choices=Confidentiality.choices,
        initial=Confidentiality.FACILITATOR,
        widget=forms.RadioSelect,
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
