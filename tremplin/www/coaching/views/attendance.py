"""A call's registrations in one step, its convocations and its attendance summary (programme team)."""

import csv
import io

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tremplin.coaching.models import Event
from tremplin.coaching.services import registrations as registration_services
from tremplin.coaching.services.attendance import attendance_summary
from tremplin.coaching.services.convocations import pending_convocations, send_convocations
from tremplin.coaching.services.errors import CoachingError
from tremplin.programme.models import Call
from tremplin.spreadsheets import csv_row
from tremplin.www.coaching.permissions import programme_team_only
from tremplin.www.downloads import download


class EventChoiceForm(forms.Form):
    events = forms.ModelMultipleChoiceField(
        queryset=Event.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("Events"),
        help_text=gettext_lazy("None ticked: every event of the call."),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].queryset = Event.objects.of_call(call).select_related("call")

    def chosen(self):
        """The events ticked, or None for all of them."""
        if not self.is_valid() or not self.cleaned_data["events"]:
            return None
        return list(self.cleaned_data["events"])


@programme_team_only
def coaching_bulk_registration(request, call_pk):
    """Preview (GET, the events ticked) then register (POST) every selected territory's declared people."""
    call = get_object_or_404(Call, pk=call_pk)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = EventChoiceForm(data, call=call)
    if request.method == "POST":
        try:
            plan = registration_services.register_declared_people(call, by=request.user, events=form.chosen())
        except CoachingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(created)s registrations created; %(duplicates)s people already registered were skipped.")
                % {"created": plan.to_create, "duplicates": plan.duplicates},
            )
        return redirect("coaching_call", call_pk=call.pk)
    plan = registration_services.plan_registrations(call, events=form.chosen())
    return render(
        request,
        "coaching/bulk_registration.html",
        {"call": call, "form": form, "plan": plan, "chosen": form.chosen() or []},
    )


@programme_team_only
def coaching_convocations(request, call_pk):
    """The confirmation screen (how many people, event by event), then the sending (POST)."""
    call = get_object_or_404(Call, pk=call_pk)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = EventChoiceForm(data, call=call)
    if request.method == "POST":
        try:
            count = send_convocations(
                call, by=request.user, events=form.chosen(), link_for=request.build_absolute_uri
            )
        except CoachingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s convocations are being sent.") % {"count": count})
        return redirect("coaching_call", call_pk=call.pk)
    entries = pending_convocations(call, events=form.chosen())
    return render(
        request,
        "coaching/convocations.html",
        {
            "call": call,
            "form": form,
            "chosen": form.chosen() or [],
            "entries": entries,
            "recipients": sum(len(entry.pending) for entry in entries),
            "updates": sum(len(entry.updates) for entry in entries),
        },
    )


def _rate(value):
    return "" if value is None else int(value)


@programme_team_only
@download
def coaching_attendance_csv(request, call_pk):
    call = get_object_or_404(Call, pk=call_pk)
    events, rows = attendance_summary(call)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        csv_row(
            [
                _("Territory"),
                _("EPCI SIREN"),
                _("Events"),
                _("Attended"),
                _("Excused"),
                _("Absent"),
                _("Not recorded"),
                _("Attendance rate (%) over the events recorded"),
            ]
        )
    )
    for row in rows:
        territory = row.participation.territory
        writer.writerow(
            csv_row(
                [
                    territory.name,
                    territory.epci.siren,
                    len(events),
                    row.attended,
                    row.excused,
                    row.absent,
                    row.not_recorded,
                    _rate(row.rate),
                ]
            )
        )
    # A byte-order mark, so that a spreadsheet opening the file reads its accents as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="presences-appel-{call.pk}.csv"'
    return response
