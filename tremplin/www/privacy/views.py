"""The territory team exports or erases what its territory holds on a person (RGPD rights of access
and erasure). Reading what is held is a GET; the export (a JSON file) and the erasure are POSTs,
audited by the operations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.establishments.models import EstablishmentContact
from tremplin.privacy.holders import Person
from tremplin.privacy.services import (
    PrivacyError,
    erase_person_data,
    export_json,
    export_person_data,
    find_person_data,
)
from tremplin.www.access import team_territory_or_404
from tremplin.www.privacy.forms import EraseForm, PersonForm


def _person(territory, data) -> Person:
    """The person the form designates; a contact id outside the territory designates nobody."""
    person = Person(email=data.get("email") or "")
    contact_id = data.get("contact")
    if contact_id:
        contact = EstablishmentContact.objects.filter(
            pk=contact_id, establishment__territory=territory
        ).first()
        if contact is not None:
            person.contact_ids.add(contact.pk)
    return person


@login_required
def territory_personal_data(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    if request.method == "POST":
        return _act(request, territory)
    form = PersonForm(request.GET or None)
    findings = None
    if form.is_bound and form.is_valid():
        try:
            findings = find_person_data(_person(territory, form.cleaned_data), territory=territory)
        except PrivacyError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "privacy/person.html",
        {
            "territory": territory,
            "form": form,
            "findings": findings,
            "erase_form": EraseForm(initial=form.cleaned_data if findings else None),
        },
    )


def _act(request, territory):
    action = request.POST.get("action")
    form = (EraseForm if action == "erase" else PersonForm)(request.POST)
    if not form.is_valid() or action not in ("export", "erase"):
        person = PersonForm(request.POST)
        findings = None
        if person.is_valid():
            try:
                findings = find_person_data(_person(territory, person.cleaned_data), territory=territory)
            except PrivacyError as error:
                person.add_error(None, error.message)
        return render(
            request,
            "privacy/person.html",
            {"territory": territory, "form": person, "findings": findings, "erase_form": form},
            status=400,
        )
    person = _person(territory, form.cleaned_data)
    if not person.email and not person.contact_ids:  # a contact of another territory designates nobody
        form.add_error(None, _("Give an e-mail address or choose a contact."))
        return render(
            request,
            "privacy/person.html",
            {"territory": territory, "form": form, "findings": None, "erase_form": form},
            status=400,
        )
    if action == "export":
        document = export_person_data(person, by=request.user, territory=territory)
        response = HttpResponse(export_json(document), content_type="application/json; charset=utf-8")
        name = f"donnees-personnelles-{territory.epci.siren}-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
    counts = erase_person_data(person, by=request.user, territory=territory)
    messages.success(
        request,
        _("Erased: %(n)s records; the audit log keeps the actions without the person's data.")
        % {"n": sum(counts.values())},
    )
    return redirect("territory_personal_data", territory_pk=territory.pk)
