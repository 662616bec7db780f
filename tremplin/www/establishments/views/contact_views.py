from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tremplin.establishments.services import (
    EditConflict,
    EstablishmentError,
    add_contact,
    remove_contact,
    update_contact,
)
from tremplin.submissions.services import AlreadySubmitted, was_replayed
from tremplin.www.access import team_establishment_or_404
from tremplin.www.conflicts import conflict_for
from tremplin.www.establishments.forms import ContactForm
from tremplin.www.establishments.views._access import team_contact


def _contacts_anchor(establishment) -> str:
    from django.urls import reverse

    return reverse("establishment_detail", kwargs={"pk": establishment.pk}) + "#contacts"


@login_required
def contact_add(request, pk):
    establishment = team_establishment_or_404(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = add_contact(
                establishment, by=request.user, **form.operation_arguments(), **form.values()
            )
        except (EstablishmentError, AlreadySubmitted) as error:
            form.add_error(None, str(error))
        else:
            if was_replayed(contact):
                messages.info(request, _("This form had already been sent: the contact was added once."))
            else:
                messages.success(request, _("Contact added."))
            return redirect(_contacts_anchor(establishment))
    return render(
        request,
        "establishments/contact_form.html",
        {"form": form, "establishment": establishment, "contact": None},
    )


@login_required
def contact_edit(request, pk):
    contact = team_contact(request.user, pk)
    establishment = contact.establishment
    form = ContactForm(request.POST or None, instance=contact)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            update_contact(contact, by=request.user, **form.operation_arguments(), **form.values())
        except EditConflict as error:
            current = error.current
            conflict = conflict_for(form, current, {name: getattr(current, name) for name in form.values()})
            form.add_error(None, str(error))
            form.rebase(current.version)
        except EstablishmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Contact saved."))
            return redirect(_contacts_anchor(establishment))
    return render(
        request,
        "establishments/contact_form.html",
        {"form": form, "establishment": establishment, "contact": contact, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
def contact_delete(request, pk):
    contact = team_contact(request.user, pk)
    establishment = contact.establishment
    changed = False
    if request.method == "POST":
        # The confirmation is of the contact as the page showed it: a page without its version (or showing
        # an older one) is asked again with the contact as it is now.
        version = request.POST.get("version", "")
        try:
            remove_contact(
                contact, by=request.user, expected_version=int(version) if version.isdigit() else 0
            )
        except EditConflict as error:
            contact, changed = error.current, True
        else:
            messages.success(request, _("Contact removed."))
            return redirect(_contacts_anchor(establishment))
    return render(
        request,
        "establishments/contact_confirm_delete.html",
        {"contact": contact, "establishment": establishment, "changed": changed},
        status=409 if changed else 200,
    )
