from django import forms
from django.utils.translation import gettext_lazy as _


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Contact's e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "The contact receives a personal link, valid for %(days)s days, "
            "to declare this establishment's flows."
        ),
    )

    def __init__(self, *args, days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = self.fields["email"].help_text % {"days": days}
