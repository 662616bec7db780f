"""The form of a new personal API token: a name and a lifetime (30, 90 or 365 days, or a date)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.www.once import OnceWhenCreating

#: The longest a token may last, in days from today (tremplin.api.tokens.MAX_LIFETIME allows a day more,
#: so that a token made at 23:59 for "one year" is still accepted).
LONGEST_DAYS = 365
DATE = "date"
LIFETIMES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("One year")),
    (DATE, _("Until a date of your choice")),
]


class ApiTokenForm(OnceWhenCreating, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, to recognise it later (e.g. “Regional observatory”)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    lifetime = forms.ChoiceField(label=_("Expires after"), choices=LIFETIMES, initial="90")
    expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        help_text=_(
            "With “Until a date of your choice”: the token works until the end of that day, one year at most."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name, to recognise it later."))
        return name

    def clean(self):
        cleaned = super().clean()
        lifetime = cleaned.get("lifetime")
        if lifetime is None:
            return cleaned
        now = timezone.now()
        today = timezone.localdate(now)
        if lifetime == DATE:
            day = cleaned.get("expires_on")
            if day is None:
                if "expires_on" not in self.errors:
                    self.add_error("expires_on", _("Give the expiry date."))
                return cleaned
            if day <= today:
                self.add_error("expires_on", _("The expiry date must be after today."))
                return cleaned
            if day > today + dt.timedelta(days=LONGEST_DAYS):
                self.add_error("expires_on", _("A token lasts at most one year."))
                return cleaned
            end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59))
            cleaned["expires_at"] = timezone.make_aware(end_of_day)
        else:
            cleaned["expires_at"] = now + dt.timedelta(days=int(lifetime))
        return cleaned
