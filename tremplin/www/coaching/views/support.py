from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tremplin.coaching.models import GoodPractice, SupportDay
from tremplin.coaching.services import network as network_services
from tremplin.coaching.services import support as support_services
from tremplin.coaching.services.errors import CoachingError
from tremplin.coaching.services.roles import is_team_of
from tremplin.geo.models import Region
from tremplin.programme.models import Call, Participation
from tremplin.submissions.services import AlreadySubmitted
from tremplin.www.access import get_visible_or_404
from tremplin.www.coaching.forms import GoodPracticeForm, SupportDayForm


@login_required
def coaching_support_days(request, pk):
    participation = get_visible_or_404(Participation, request.user, pk=pk)
    days = list(participation.support_days.all())
    form = SupportDayForm(request.POST or None, instance=SupportDay(participation=participation))
    if request.method == "POST" and form.is_valid():
        try:
            support_services.save_support_day(
                form.instance, by=request.user, submission_key=form.submission_key
            )
        except (CoachingError, AlreadySubmitted) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Support day saved."))
            return redirect("coaching_support_days", pk=participation.pk)
    return render(
        request,
        "coaching/support_days.html",
        {"participation": participation, "days": days, "form": form},
    )


@login_required
def coaching_support_day_edit(request, pk):
    day = get_visible_or_404(SupportDay, request.user, pk=pk)
    form = SupportDayForm(request.POST or None, instance=day)
    if request.method == "POST":
        if "delete" in request.POST:
            support_services.remove_support_day(day, by=request.user)
            messages.success(request, _("Support day deleted."))
            return redirect("coaching_support_days", pk=day.participation_id)
        if form.is_valid():
            support_services.save_support_day(form.instance, by=request.user)
            messages.success(request, _("Support day saved."))
            return redirect("coaching_support_days", pk=day.participation_id)
    return render(
        request,
        "coaching/support_day_form.html",
        {"participation": day.participation, "day": day, "form": form},
    )


@login_required
def coaching_good_practices(request, pk):
    participation = get_visible_or_404(Participation, request.user, pk=pk)
    is_team = is_team_of(request.user, participation)
    form = GoodPracticeForm(request.POST or None, instance=GoodPractice(participation=participation))
    if request.method == "POST":
        if not is_team:
            raise PermissionDenied
        if form.is_valid():
            try:
                network_services.save_good_practice(
                    form.instance, by=request.user, submission_key=form.submission_key
                )
            except AlreadySubmitted as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Good practice saved."))
                return redirect("coaching_good_practices", pk=participation.pk)
    return render(
        request,
        "coaching/good_practices.html",
        {
            "participation": participation,
            "practices": GoodPractice.objects.visible_to(request.user).filter(participation=participation),
            "form": form,
            "is_team": is_team,
        },
    )


@login_required
def coaching_good_practice_edit(request, pk):
    practice = get_visible_or_404(GoodPractice, request.user, pk=pk)
    if not is_team_of(request.user, practice.participation):
        raise PermissionDenied
    form = GoodPracticeForm(request.POST or None, instance=practice)
    if request.method == "POST":
        if "delete" in request.POST:
            network_services.remove_good_practice(practice, by=request.user)
            messages.success(request, _("Good practice deleted."))
            return redirect("coaching_good_practices", pk=practice.participation_id)
        if form.is_valid():
            network_services.save_good_practice(form.instance, by=request.user)
            messages.success(request, _("Good practice saved."))
            return redirect("coaching_good_practices", pk=practice.participation_id)
    return render(
        request,
        "coaching/good_practice_form.html",
        {"participation": practice.participation, "practice": practice, "form": form},
    )


@login_required
def coaching_network(request, call_pk):
    """The Club EIT is the region's: an edition's link leads to its region's network."""
    call = get_object_or_404(Call, pk=call_pk)
    if not network_services.is_network_member(request.user, call.region):
        raise PermissionDenied
    return redirect("coaching_regional_network", region_pk=call.region_id)


@login_required
def coaching_regional_network(request, region_pk):
    """Club EIT: the territories of every edition of the region, their elected officials and officers,
    and the practices they share."""
    region = get_object_or_404(Region, pk=region_pk)
    if not network_services.is_network_member(request.user, region):
        raise PermissionDenied
    return render(request, "coaching/network.html", {"network": network_services.network_of(region)})
