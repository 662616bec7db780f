from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from tremplin.engine.naf import UnknownNafCode, all_naf_codes, naf_division, naf_label, normalise_naf
from tremplin.establishments.importers.base import in_france
from tremplin.establishments.models import (
    HEADCOUNT_GROUPS,
    Engagement,
    Establishment,
    EstablishmentContact,
)
from tremplin.establishments.siret import normalise_siret, siret_error
from tremplin.www.once import add_submission_key, add_version, rebase, submission_key

# Columns the list can be sorted by, and the ordering each means (ties broken by name, then id).
SORTS = {
    "name": ("name", "id"),
    "siret": ("siret",),
    "naf": ("naf_code", "name", "id"),
    "size": ("headcount_band", "name", "id"),
    "commune": ("commune__name", "name", "id"),
    "engagement": ("engagement", "name", "id"),
    "updated": ("updated_at", "id"),
}


class EstablishmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or SIRET"), required=False)
    section = forms.ChoiceField(label=_("Sector (NAF section)"), required=False)
    division = forms.ChoiceField(label=_("Activity (NAF division)"), required=False)
    size = forms.ChoiceField(label=_("Size"), required=False)
    commune = forms.ChoiceField(label=_("Commune"), required=False)
    engagement = forms.ChoiceField(label=_("Engagement"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(f"{s}{k}", k) for k in SORTS for s in ("", "-")])

    #: What the team follows of its relation with a company: not for the company's own contact.
    TEAM_ONLY = ("engagement", "updated")

    def __init__(self, *args, territory, naf_codes, for_team: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.sorts = {key: columns for key, columns in SORTS.items() if for_team or key not in self.TEAM_ONLY}
        self.fields["sort"].choices = [(f"{s}{k}", k) for k in self.sorts for s in ("", "-")]
        everything = [("", _("All"))]
        self.fields["section"].choices = everything + [
            (code, f"{code} — {naf_label(code)}") for code in all_naf_codes("section")
        ]
        divisions = sorted({naf_division(code) for code in naf_codes if not code.isalpha()})
        self.fields["division"].choices = everything + [(d, f"{d} — {naf_label(d)}") for d in divisions]
        self.fields["size"].choices = everything + [(key, g.label) for key, g in HEADCOUNT_GROUPS.items()]
        self.fields["commune"].choices = everything + list(
            territory.epci.communes.order_by("name").values_list("insee_code", "name")
        )
        self.fields["engagement"].choices = [
            *everything,
            *Engagement.choices,
            ("met_or_engaged", _("met or engaged")),
            ("not_engaged", _("not engaged")),
        ]
        if not for_team:
            del self.fields["engagement"]

    def filter(self, establishments):
        data = self.cleaned_data
        establishments = establishments.search(data["q"])
        if data["section"]:
            establishments = establishments.in_naf_section(data["section"])
        if data["division"]:
            establishments = establishments.in_naf_division(data["division"])
        if data["size"]:
            establishments = establishments.in_headcount_group(data["size"])
        if data["commune"]:
            establishments = establishments.filter(commune__insee_code=data["commune"])
        engagement = data.get("engagement")
        if engagement == "met_or_engaged":
            establishments = establishments.met()
        elif engagement == "not_engaged":
            establishments = establishments.exclude(engagement=Engagement.ENGAGED)
        elif engagement:
            establishments = establishments.filter(engagement=engagement)
        return establishments

    def ordering(self) -> tuple[str, ...]:
        sort = (self.cleaned_data.get("sort") if self.is_bound and self.is_valid() else "") or "name"
        descending = sort.startswith("-")
        columns = self.sorts[sort.lstrip("-")]
        return tuple(f"-{c}" for c in columns) if descending else columns


_establishment_fields = fields_for_model(
    Establishment,
    fields=[
        "name",
        "naf_code",
        "headcount_band",
        "commune",
        "address",
        "engagement",
        "met_on",
        "notes",
    ],
)


EDITED_FIELDS = (
    "siret",
    "name",
    "naf_code",
    "headcount_band",
    "commune",
    "address",
    "latitude",
    "longitude",
    "engagement",
    "met_on",
    "notes",
)


class EstablishmentForm(forms.Form):
    """Create or edit an establishment; a plain form, so that the instance is changed only by the
    operation (which audits the differences)."""

    siret = forms.CharField(label=_("SIRET"), max_length=20)  # room for the spaces people type
    name = _establishment_fields["name"]
    naf_code = _establishment_fields["naf_code"]
    headcount_band = _establishment_fields["headcount_band"]
    commune = _establishment_fields["commune"]
    address = _establishment_fields["address"]
    latitude = forms.FloatField(
        label=_("latitude"), required=False, help_text=_("WGS84 decimal degrees, e.g. 49.5051")
    )
    longitude = forms.FloatField(
        label=_("longitude"),
        required=False,
        help_text=_("Leave both empty to place the establishment at a point inside its commune."),
    )
    engagement = _establishment_fields["engagement"]
    met_on = _establishment_fields["met_on"]
    notes = _establishment_fields["notes"]

    def __init__(self, *args, territory, instance=None, **kwargs):
        self.territory, self.instance = territory, instance
        if instance is not None:
            initial = model_to_dict(instance, fields=list(self.base_fields))
            if instance.location_precision == "commune":
                # A point of the commune is not a location the user chose: leave it empty so that a
                # change of commune moves the establishment too.
                initial["latitude"] = initial["longitude"] = None
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if instance is None:
            add_submission_key(self)
        else:
            add_version(self, instance.version)
        self.fields["commune"].queryset = territory.epci.communes.order_by("name")
        self.fields["siret"].help_text = _("14 digits; spaces are ignored.")
        self.fields["naf_code"].help_text = _("NAF rév. 2 (e.g. 10.71C) or NAF 2025 (e.g. 10.71H)")
        self.fields["met_on"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["notes"].widget.attrs["rows"] = 3

    def values(self) -> dict:
        """The establishment's fields, as the operations take them."""
        return {name: value for name, value in self.cleaned_data.items() if name in EDITED_FIELDS}

    def operation_arguments(self) -> dict:
        """The one-time key of a creation, or the version an edit was made from."""
        if self.instance is None:
            return {"submission_key": submission_key(self)}
        return {"expected_version": self.cleaned_data["version"]}

    def rebase(self, version: int) -> None:
        rebase(self, version)

    def clean_siret(self):
        siret = normalise_siret(self.cleaned_data["siret"])
        error = siret_error(siret)
        if error:
            raise forms.ValidationError(error)
        others = self.territory.establishments.filter(siret=siret)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Another establishment of this territory already has this SIRET."))
        return siret

    def clean_naf_code(self):
        try:
            return normalise_naf(self.cleaned_data["naf_code"])
        except UnknownNafCode:
            raise forms.ValidationError(_("Unknown NAF code (NAF rév. 2 or NAF 2025).")) from None

    def clean(self):
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None) and not self.has_error("latitude"):
            self.add_error("longitude", _("Give both coordinates, or neither."))
        elif latitude is not None and not in_france(longitude, latitude):
            self.add_error("latitude", _("This point is outside metropolitan France."))
        return data


CONTACT_FIELDS = ("name", "job_title", "email", "phone", "notes")
_contact_fields = fields_for_model(EstablishmentContact, fields=list(CONTACT_FIELDS))


class ContactForm(forms.Form):
    name = _contact_fields["name"]
    job_title = _contact_fields["job_title"]
    email = _contact_fields["email"]
    phone = _contact_fields["phone"]
    notes = _contact_fields["notes"]

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=list(self.base_fields)))
        super().__init__(*args, **kwargs)
        self.fields["notes"].widget.attrs["rows"] = 3
        if instance is None:
            add_submission_key(self)
        else:
            add_version(self, instance.version)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}

    def operation_arguments(self) -> dict:
        if self.instance is None:
            return {"submission_key": submission_key(self)}
        return {"expected_version": self.cleaned_data["version"]}

    def rebase(self, version: int) -> None:
        rebase(self, version)
