"""The applicant's pages: fill the fiche (draft), submit, follow the status, add the deliberation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.accounts.scoping import scope_for
from tremplin.programme.exceptions import IncompleteApplication, ProgrammeError
from tremplin.programme.models import Application, Call
from tremplin.programme.services.applications import (
    FICHE_FIELDS,
    create_draft,
    deadline_message,
    missing_fields,
    record_deliberation,
    submit_application,
    update_draft,
)
from tremplin.programme.services.eligibility import assess_eligibility, failure_message
from tremplin.www.access import get_visible_or_404
from tremplin.www.downloads import download
from tremplin.www.programme.forms import ApplicationForm, DeliberationForm

# Fields the form shows under another name (the uploads).
FORM_FIELD = {
    "letter": "letter_upload",
    "deliberation": "deliberation_upload",
    "strategies": "strategy_types",
}


def _handle_fiche(request, call, application, form):
    """Save the draft, then submit it if asked; on refusal, the errors go back onto the form."""
    try:
        if application is None:
            application = create_draft(
                call, by=request.user, fields=form.fields_data(), documents=form.documents()
            )
        else:
            application = update_draft(
                application, by=request.user, fields=form.fields_data(), documents=form.documents()
            )
    except IncompleteApplication as error:
        for name, message in error.missing.items():
            form.add_error(FORM_FIELD.get(name, name), message)
        return None
    except ProgrammeError as error:
        form.add_error(None, error.message)
        return None
    if "submit" not in request.POST:
        messages.success(request, _("Draft saved. You can come back to it until the deadline."))
        return redirect("programme_application_edit", pk=application.pk)
    try:
        application = submit_application(application, by=request.user, link_for=request.build_absolute_uri)
    except IncompleteApplication as error:
        messages.error(request, error.message)
        # The draft is saved: show it again with each missing field marked.
        return redirect(reverse("programme_application_edit", kwargs={"pk": application.pk}) + "?verifier=1")
    except ProgrammeError as error:
        messages.error(request, error.message)
        return redirect("programme_application_edit", pk=application.pk)
    messages.success(request, _("Your application is submitted."))
    return redirect("programme_application_detail", pk=application.pk)


def _form_context(call, form, application=None):
    return {
        "call": call,
        "form": form,
        "application": application,
        "is_open": call.is_open(timezone.now()),
        "deadline_passed": timezone.now() > call.deadline,
        "deadline_message": deadline_message(call),
    }


@login_required
def apply(request, pk):
    call = get_object_or_404(Call.objects.select_related("region"), pk=pk)
    existing = Application.objects.filter(call=call, applicant=request.user).first()
    if existing is not None:
        return redirect(
            "programme_application_edit" if existing.is_draft else "programme_application_detail",
            pk=existing.pk,
        )
    now = timezone.now()
    if not call.is_open(now):
        return render(request, "programme/apply_closed.html", _form_context(call, None), status=200)
    form = ApplicationForm(request.POST or None, request.FILES or None, call=call)
    if request.method == "POST" and form.is_valid():
        response = _handle_fiche(request, call, None, form)
        if response is not None:
            return response
    return render(request, "programme/application_form.html", _form_context(call, form))


@login_required
def application_edit(request, pk):
    application = get_object_or_404(
        Application.objects.select_related("call__region"), pk=pk, applicant=request.user
    )
    if not application.is_draft:
        return redirect("programme_application_detail", pk=application.pk)
    call = application.call
    form = ApplicationForm(request.POST or None, request.FILES or None, call=call, instance=application)
    if request.method == "POST":
        if form.is_valid():
            response = _handle_fiche(request, call, application, form)
            if response is not None:
                return response
    elif request.GET.get("verifier"):
        # Show the saved draft as a bound form so that each missing field carries its message.
        data = model_to_dict(application, fields=FICHE_FIELDS)
        data["pnsi_participation"] = {True: "true", False: "false"}.get(application.pnsi_participation, "")
        data = {name: "" if value is None else value for name, value in data.items()}
        form = ApplicationForm(data, call=call, instance=application)
        form.is_valid()
        for name, message in missing_fields(application).items():
            form.add_error(FORM_FIELD.get(name, name), message)
    return render(request, "programme/application_form.html", _form_context(call, form, application))


@login_required
def my_applications(request):
    applications = Application.objects.filter(applicant=request.user).select_related("call", "epci")
    return render(request, "programme/my_applications.html", {"applications": applications})


@login_required
def application_detail(request, pk):
    application = get_visible_or_404(Application, request.user, pk=pk)
    scope = scope_for(request.user)
    is_applicant = application.applicant_id == request.user.pk
    eligibility = None
    if application.status != "draft":
        eligibility = assess_eligibility(application)
    access_request = application.access_requests.filter(user=request.user).first() if is_applicant else None
    territory_pk = getattr(getattr(application.epci, "territory", None), "pk", None)
    return render(
        request,
        "programme/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "is_applicant": is_applicant,
            "is_programme_team": scope.is_programme_team,
            "eligibility": eligibility,
            "failure_reasons": [failure_message(code) for code in application.eligibility_failures],
            "deliberation_form": DeliberationForm() if is_applicant and not application.is_draft else None,
            "access_request": access_request,
            "is_team_member": territory_pk in scope.team_territory_ids,
            "territory_pk": territory_pk,
        },
    )


@login_required
@require_POST
def application_deliberation(request, pk):
    application = get_object_or_404(Application, pk=pk, applicant=request.user)
    form = DeliberationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            record_deliberation(
                application,
                by=request.user,
                document=form.cleaned_data["document"],
                expected_on=form.cleaned_data["expected_on"],
            )
        except ProgrammeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The council deliberation is recorded."))
        return redirect("programme_application_detail", pk=application.pk)
    return render(
        request,
        "programme/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "is_applicant": True,
            "is_programme_team": False,
            "eligibility": assess_eligibility(application) if not application.is_draft else None,
            "failure_reasons": [failure_message(code) for code in application.eligibility_failures],
            "deliberation_form": form,
            "access_request": None,
            "is_team_member": False,
            "territory_pk": None,
        },
        status=400,
    )


@login_required
@download
def application_document(request, pk, kind):
    """Serve a private document as a download, never inline, to those who may read the application."""
    if kind not in {"courrier", "deliberation"}:
        raise Http404
    application = get_visible_or_404(Application, request.user, pk=pk)
    field, name = (
        (application.letter, application.letter_filename)
        if kind == "courrier"
        else (application.deliberation, application.deliberation_filename)
    )
    if not field:
        raise Http404
    response = FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=name or f"{kind}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
