"""Forms of the edition templates: the template, its events and deliverables, and applying it to a call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.coaching.models import EditionTemplate, TemplateDeliverable, TemplateEvent
from tremplin.coaching.services.editions import (
    TEMPLATE_DELIVERABLE_FIELDS,
    TEMPLATE_EVENT_FIELDS,
    TEMPLATE_FIELDS,
)
from tremplin.www.coaching.forms import DATE, TIME
from tremplin.www.once import OnceWhenCreating


class EditionTemplateForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = EditionTemplate
        fields = list(TEMPLATE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class TemplateEventForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = TemplateEvent
        fields = list(TEMPLATE_EVENT_FIELDS)
        widgets = {
            "start_time": TIME,
            "end_time": TIME,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class TemplateDeliverableForm(OnceWhenCreating, forms.ModelForm):
    class Meta:
        model = TemplateDeliverable
        fields = list(TEMPLATE_DELIVERABLE_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_event"].queryset = TemplateEvent.objects.filter(template=self.instance.template)


class DuplicateTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name of the copy"), max_length=200)

    def clean_name(self):
        name = self.cleaned_data["name"]
        if EditionTemplate.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A template of this name already exists."))
        return name


class ApplyTemplateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=EditionTemplate.objects.all())
    start = forms.DateField(
        label=_("Start of the edition"),
        widget=DATE,
        help_text=_("The date of the template's first day (offset 0), usually the launch meeting."),
    )
    replace = forms.BooleanField(
        label=_("Replace the call's current events (only possible while none has registrations)"),
        required=False,
    )
