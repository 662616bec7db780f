"""Forms of the strategy: objectives' values and edits, the action plan, SWOT items pulled from data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import Objective, ObjectiveValue, PlannedAction, SwotCategory
from tremplin.coaching.services.actionplan import ACTION_FIELDS
from tremplin.coaching.services.objectives import OBJECTIVE_FIELDS
from tremplin.www.coaching.forms import DATE
from tremplin.www.once import OnceWhenCreating, add_version, rebase


class Versioned:
    """An edit form: it carries the version of the record it was made from (see tremplin.www.once)."""

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            add_version(self, version)

    def rebase(self, version: int) -> None:
        rebase(self, version)


class ObjectiveEditForm(Versioned, forms.ModelForm):
    class Meta:
        model = Objective
        fields = list(OBJECTIVE_FIELDS)
        widgets = {"baseline_date": DATE, "due_date": DATE}


class ObjectiveValueForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = ObjectiveValue
        fields = ["date", "value", "basis", "source", "comment"]
        widgets = {"date": DATE, "comment": forms.Textarea(attrs={"rows": 2})}


class PlannedActionForm(Versioned, OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = PlannedAction
        fields = list(ACTION_FIELDS)
        widgets = {"start_date": DATE, "due_date": DATE}

    def __init__(self, *args, participation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.of(participation)
        self.fields["objective"].required = False

    def _post_clean(self):
        # The operation validates the whole action (it needs its participation): the form checks fields.
        pass


class SwotPullForm(forms.Form):
    category = forms.ChoiceField(label=_("Put it under"), choices=SwotCategory.choices)
