from django import forms
from django.utils.translation import gettext_lazy as _


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note (required when the programme team decides for a territory that has a team)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemovalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
