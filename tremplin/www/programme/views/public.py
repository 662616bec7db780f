"""Public pages of the programme: the calls, and the sign-up of applicants."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tremplin.programme.models import Application, Call
from tremplin.www.programme.forms import SignupForm


def call_list(request):
    calls = Call.objects.select_related("region").order_by("-deadline")
    own = []
    if request.user.is_authenticated:
        own = Application.objects.filter(applicant=request.user).select_related("call", "epci")
    return render(
        request, "programme/call_list.html", {"calls": calls, "own_applications": own, "now": timezone.now()}
    )


def call_detail(request, pk):
    call = get_object_or_404(Call.objects.select_related("region"), pk=pk)
    own = None
    if request.user.is_authenticated:
        own = Application.objects.filter(call=call, applicant=request.user).first()
    return render(
        request,
        "programme/call_detail.html",
        {
            "call": call,
            "criteria": call.criteria.order_by("position"),
            "seats": call.committee_seats.order_by("organisation"),
            "own_application": own,
            "is_open": call.is_open(timezone.now()),
            "has_opened": call.opens_at <= timezone.now(),
        },
    )


def signup(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "programme_call_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is created. You can now apply."))
        return redirect(next_url or "programme_call_list")
    return render(request, "programme/signup.html", {"form": form, "next": next_url})
