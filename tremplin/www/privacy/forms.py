from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    """Whom the page is about: an e-mail address, or one of the territory's contacts."""

    email = forms.EmailField(
        label=_("E-mail address of the person"),
        required=False,
        help_text=_("Everything the territory holds under this address (contacts, invitations, directory…)."),
    )
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("contact"):
            raise forms.ValidationError(_("Give an e-mail address or choose a contact."))
        return data


class EraseForm(PersonForm):
    confirm = forms.BooleanField(
        label=_("I confirm the erasure: it cannot be undone."),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
