from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.accounts.scoping import scope_for
from tremplin.coaching.exports.ical import calendar_ics
from tremplin.coaching.models import Event, Registration
from tremplin.coaching.services import calendar as calendar_services
from tremplin.coaching.services.attendance import attendance_summary
from tremplin.coaching.services.deliverables import deliverables_of
from tremplin.coaching.services.editions import deliverable_schedule
from tremplin.coaching.services.errors import CoachingError
from tremplin.programme.models import Call, Participation
from tremplin.submissions.services import AlreadySubmitted
from tremplin.territories.models import Territory
from tremplin.www.access import get_visible_or_404
from tremplin.www.coaching.forms import AttendanceForm, EventForm, RegistrationForm
from tremplin.www.coaching.permissions import programme_team_only, visible_call_or_404
from tremplin.www.downloads import download


@login_required
def coaching_home(request):
    scope = scope_for(request.user)
    participations = Participation.objects.visible_to(request.user).select_related("call", "territory__epci")
    if scope.is_programme_team:
        calls = Call.objects.all()
        participations = participations.none()
    elif scope.is_committee_member:
        calls = Call.objects.filter(committee_seats__member=request.user).distinct()
    else:
        calls = Call.objects.none()
    return render(request, "coaching/home.html", {"calls": calls, "participations": participations})


@login_required
def coaching_territory(request, territory_pk):
    # The territory's team and the programme team only: a company contact sees nothing of the programme.
    territories = (
        Territory.objects.all()
        if scope_for(request.user).is_programme_team
        else Territory.objects.workspace_of(request.user)
    )
    territory = get_object_or_404(territories, pk=territory_pk)
    participations = (
        Participation.objects.visible_to(request.user).filter(territory=territory).select_related("call")
    )
    return render(
        request, "coaching/territory.html", {"territory": territory, "participations": participations}
    )


@programme_team_only
def coaching_call(request, call_pk):
    """The programme team follows every territory of a call: deliverables, support days, reports."""
    call = get_object_or_404(Call, pk=call_pk)
    participations = list(call.participations.select_related("territory__epci"))
    rows = []
    for participation in participations:
        deliverables = deliverables_of(participation)
        days = list(participation.support_days.all())
        rows.append(
            {
                "participation": participation,
                "deliverables": deliverables,
                "support_days_dated": sum(1 for d in days if d.date),
                "support_days": len(days),
            }
        )
    all_events, attendance = attendance_summary(call)
    return render(
        request,
        "coaching/call.html",
        {
            "call": call,
            "rows": rows,
            "events": Event.objects.of_call(call).reporting(),
            "event_count": len(all_events),
            "attendance": attendance,
        },
    )


@login_required
def coaching_calendar(request, call_pk):
    call = visible_call_or_404(request.user, call_pk)
    events = Event.objects.of_call(call)
    registrations = Registration.objects.visible_to(request.user).filter(event__call=call)
    counts = {}
    for registration in registrations:
        counts[registration.event_id] = counts.get(registration.event_id, 0) + 1
    return render(
        request,
        "coaching/calendar.html",
        {
            "call": call,
            "events": [(event, counts.get(event.pk, 0)) for event in events],
            "deliverable_schedule": deliverable_schedule(call),
            "is_programme_team": scope_for(request.user).is_programme_team,
        },
    )


@login_required
@download
def coaching_calendar_ics(request, call_pk):
    call = visible_call_or_404(request.user, call_pk)
    content = calendar_ics(call, Event.objects.of_call(call).select_related("call"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="calendrier-{call.pk}.ics"'
    return response


@programme_team_only
def coaching_event_create(request, call_pk):
    call = get_object_or_404(Call, pk=call_pk)
    form = EventForm(request.POST or None, instance=Event(call=call))
    if request.method == "POST" and form.is_valid():
        try:
            event = calendar_services.save_event(
                form.instance, by=request.user, submission_key=form.submission_key
            )
        except AlreadySubmitted as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Event saved."))
            return redirect("coaching_event_detail", pk=event.pk)
    return render(request, "coaching/event_form.html", {"call": call, "form": form})


@programme_team_only
def coaching_event_edit(request, pk):
    event = get_visible_or_404(Event, request.user, pk=pk)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        calendar_services.save_event(form.instance, by=request.user)
        messages.success(request, _("Event saved."))
        return redirect("coaching_event_detail", pk=event.pk)
    return render(request, "coaching/event_form.html", {"call": event.call, "form": form, "event": event})


@require_POST
@programme_team_only
def coaching_event_delete(request, pk):
    event = get_visible_or_404(Event, request.user, pk=pk)
    call = event.call
    calendar_services.delete_event(event, by=request.user)
    messages.success(request, _("Event deleted."))
    return redirect("coaching_calendar", call_pk=call.pk)


def _registration_form(request, event, data=None):
    participations = Participation.objects.visible_to(request.user).filter(call=event.call)
    return RegistrationForm(data, participations=participations, prefix="registration")


@login_required
def coaching_event_detail(request, pk, registration_form=None):
    event = get_visible_or_404(Event, request.user, pk=pk)
    registrations = (
        Registration.objects.visible_to(request.user)
        .filter(event=event)
        .select_related("participation__territory__epci")
    )
    return render(
        request,
        "coaching/event_detail.html",
        {
            "event": event,
            "registrations": registrations,
            "form": registration_form or _registration_form(request, event),
            "attendance_form": AttendanceForm(),
            "is_programme_team": scope_for(request.user).is_programme_team,
        },
    )


@require_POST
@login_required
def coaching_registration_create(request, pk):
    event = get_visible_or_404(Event, request.user, pk=pk)
    form = _registration_form(request, event, request.POST)
    if not form.is_valid():
        return coaching_event_detail(request, pk, registration_form=form)
    try:
        calendar_services.register_person(
            event,
            form.cleaned_data["participation"],
            person_name=form.cleaned_data["person_name"],
            function=form.cleaned_data["function"],
            email=form.cleaned_data["email"],
            by=request.user,
            submission_key=form.submission_key,
        )
    except (CoachingError, AlreadySubmitted) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Registration recorded."))
    return redirect("coaching_event_detail", pk=event.pk)


@require_POST
@programme_team_only
def coaching_registration_attendance(request, pk):
    registration = get_visible_or_404(Registration, request.user, pk=pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        calendar_services.record_attendance(registration, form.cleaned_data["attendance"], by=request.user)
        messages.success(request, _("Attendance recorded."))
    return redirect("coaching_event_detail", pk=registration.event_id)


@require_POST
@login_required
def coaching_registration_delete(request, pk):
    registration = get_visible_or_404(Registration, request.user, pk=pk)
    try:
        calendar_services.cancel_registration(registration, by=request.user)
    except CoachingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Registration cancelled."))
    return redirect("coaching_event_detail", pk=registration.event_id)
