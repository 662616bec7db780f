"""Public pages of the programme: the calls, and the sign-up of applicants."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from tremplin.accounts.signup import AccountExists, sign_up
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
        try:
            sign_up(
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                link_for=request.build_absolute_uri,
                next_url=next_url,
            )
        except AccountExists:
            form.add_error("email", _("An account already exists with this address: log in instead."))
        else:
            target = reverse("signup_sent")
            return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    return render(request, "programme/signup.html", {"form": form, "next": next_url})
