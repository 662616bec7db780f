from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.flows import catalogue


class MapFilterForm(forms.Form):
    """Filters of the map's establishments; the same query parameters drive its GeoJSON request."""

    section = forms.ChoiceField(label=_("Sector (NAF section)"), required=False)
    resource = forms.ChoiceField(label=_("Resource"), required=False)
    estimated = forms.BooleanField(
        label=_(
            "Also establishments whose activity usually has this flow (estimated from the sector profile)"
        ),
        required=False,
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("All sectors")), *sections]
        self.fields["resource"].choices = [("", _("All resources")), *catalogue.grouped_choices()]
