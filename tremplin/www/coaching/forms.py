from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import (
    Actor,
    Attendance,
    BudgetLine,
    CommunicationAction,
    Event,
    GoodPractice,
    GovernanceBody,
    GovernanceMember,
    MobilisationAction,
    Objective,
    PerimeterMode,
    Registration,
    SupportDay,
    SwotItem,
)
from tremplin.coaching.services.calendar import EVENT_FIELDS
from tremplin.www.once import OnceWhenCreating

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)  # the fields the calendar's operations compare and audit
        widgets = {
            "date": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class RegistrationForm(OnceWhenCreating, forms.ModelForm):
    participation = forms.ModelChoiceField(queryset=None, label=_("Territory"))

    class Meta:
        model = Registration
        fields = ["participation", "person_name", "function", "email"]

    def __init__(self, *args, participations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participation"].queryset = participations
        if participations.count() == 1:
            self.fields["participation"].initial = participations.first()
            self.fields["participation"].widget = forms.HiddenInput()


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)


class SwotItemForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = SwotItem
        fields = ["category", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ObjectiveForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["label", "indicator", "unit", "baseline_value", "baseline_date", "target_value", "due_date"]
        widgets = {"baseline_date": DATE, "due_date": DATE}


class GovernanceBodyForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = GovernanceBody
        fields = ["name", "purpose", "frequency"]


class GovernanceMemberForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = GovernanceMember
        fields = ["body", "name", "organisation", "role"]
        labels = {"body": _("Governance body")}

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = GovernanceBody.objects.of(participation)


class ActorForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = Actor
        fields = ["scope", "organisation", "contact_name", "email", "phone", "role"]


class MobilisationActionForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = MobilisationAction
        fields = ["kind", "title", "date", "audience", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


class BudgetLineForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["kind", "label", "amount", "year", "source"]


class CommunicationActionForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = CommunicationAction
        fields = ["title", "audience", "channel", "date", "notes"]
        widgets = {"date": DATE, "notes": forms.Textarea(attrs={"rows": 2})}


ITEM_FORMS = {
    "swot": SwotItemForm,
    "objective": ObjectiveForm,
    "body": GovernanceBodyForm,
    "member": GovernanceMemberForm,
    "actor": ActorForm,
    "action": MobilisationActionForm,
    "budget": BudgetLineForm,
    "communication": CommunicationActionForm,
}


def item_form(slug, participation, data=None):
    form_class = ITEM_FORMS[slug]
    kwargs = {"participation": participation} if form_class is GovernanceMemberForm else {}
    return form_class(data, prefix=slug, **kwargs)


class PerimeterForm(forms.Form):
    mode = forms.ChoiceField(label=_("Perimeter"), choices=PerimeterMode.choices, widget=forms.RadioSelect)
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    zones_geojson = forms.CharField(
        label=_("Activity zones (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Filled by drawing on the map; GIS users may paste a GeoJSON FeatureCollection."),
    )
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = territory.epci.communes.order_by("name")


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(OnceWhenCreating, forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class SupportDayForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = SupportDay
        fields = ["date", "on_site", "place", "topics", "notes"]
        widgets = {
            "date": DATE,
            "topics": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }


class GoodPracticeForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = GoodPractice
        fields = ["title", "text", "shared"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class ReportForm(forms.Form):
    progress_statement = forms.CharField(
        label=_("Progress statement"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the territory did since the previous meeting, what it plans, what blocks it."),
    )


class LessonsForm(forms.Form):
    lessons = forms.CharField(
        label=_("Lessons learnt"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
