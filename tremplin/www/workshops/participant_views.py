"""The participant's side, from a phone and without an account: join by the workshop's link, declare,
read back its own declarations and, at the end, the matches concerning its company.

Small pages without JavaScript (a form, a list); htmx, when it loads, only fills the resource search as
one types. An unknown link is a 404; a closed workshop's link is refused (410), though a participant may
still read its own page.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tremplin.establishments.models import Establishment
from tremplin.workshops import services
from tremplin.workshops.exceptions import WorkshopError
from tremplin.workshops.models import Declaration, DeclarationKind, MatchState, Workshop
from tremplin.workshops.search import search
from tremplin.www.search_terms import search_term
from tremplin.www.workshops.forms import DeclarationForm, JoinForm
from tremplin.www.workshops.participant import bind, participant_of

COMPANY_RESULTS = 10


def _workshop_or_404(token) -> Workshop:
    return get_object_or_404(Workshop.objects.select_related("territory__epci"), token=token)


def _closed(request, workshop):
    return render(request, "workshops/participant_closed.html", {"workshop": workshop}, status=410)


def _company_choices(workshop, query: str):
    expected = list(workshop.expected.order_by("name").only("pk", "name"))
    if len(query.strip()) < 2:
        return expected[:COMPANY_RESULTS]
    found = Establishment.objects.filter(territory_id=workshop.territory_id, kind="site").search(query)
    return list(found.order_by("name").only("pk", "name")[:COMPANY_RESULTS])


def join(request, token):
    workshop = _workshop_or_404(token)
    if not workshop.is_open:
        return _closed(request, workshop)
    if participant_of(request, workshop) is not None:
        return redirect("workshop_me", token=token)
    form = JoinForm(request.POST or None)
    query = search_term(request.GET.get("q"))
    if request.method == "POST" and form.is_valid():
        establishment = None
        pk = request.POST.get("company")
        if pk and pk != "new":
            establishment = Establishment.objects.filter(
                pk=pk if pk.isdigit() else 0, territory_id=workshop.territory_id
            ).first()
        try:
            participant = services.join_workshop(
                workshop,
                establishment=establishment,
                new_company=form.cleaned_data["new_company"] if establishment is None else "",
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except WorkshopError as error:
            form.add_error(None, error.message)
        else:
            response = redirect("workshop_me", token=token)
            bind(response, workshop, participant, reverse("workshop_join", kwargs={"token": token}))
            return response
    return render(
        request,
        "workshops/join.html",
        {"workshop": workshop, "form": form, "query": query, "companies": _company_choices(workshop, query)},
    )


def _participant_or_join(request, token):
    workshop = _workshop_or_404(token)
    participant = participant_of(request, workshop)
    return workshop, participant


def me(request, token):
    """The participant's own page: its declarations, the form to add one, and (once the team converted
    the workshop) the matches concerning its company, the counterpart anonymised until both agreed."""
    workshop, participant = _participant_or_join(request, token)
    if participant is None:
        if not workshop.is_open:
            return _closed(request, workshop)
        return redirect("workshop_join", token=token)
    from tremplin.workshops.disclosure import matches_for_company

    declarations = Declaration.objects.filter(participant=participant).order_by("-created_at", "-pk")
    return render(
        request,
        "workshops/me.html",
        {
            "workshop": workshop,
            "participant": participant,
            "declarations": declarations,
            "matches": matches_for_company(workshop, participant.company) if workshop.converted_at else [],
        },
    )


def declare(request, token):
    """Step 1 (GET): search the catalogue by everyday words; step 2 (POST): the declaration."""
    workshop, participant = _participant_or_join(request, token)
    if not workshop.is_open:
        return _closed(request, workshop)
    if participant is None:
        return redirect("workshop_join", token=token)
    kind = request.GET.get("kind") or request.POST.get("kind") or DeclarationKind.HAVE
    if kind not in DeclarationKind.values:
        kind = DeclarationKind.HAVE
    query = search_term(request.GET.get("q") or request.POST.get("q"))
    form = DeclarationForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            services.declare(participant, **form.cleaned_data)
        except WorkshopError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return redirect(reverse("workshop_me", kwargs={"token": token}) + "?added=1")
    results = search(query) if query else []
    template = (
        "workshops/_resource_results.html"
        if request.htmx and request.method == "GET"
        else "workshops/declare.html"
    )
    return render(
        request,
        template,
        {
            "workshop": workshop,
            "participant": participant,
            "form": form,
            "kind": kind,
            "query": query,
            "results": results,
            "chosen": request.POST.get("resource", ""),
        },
    )


@require_POST
def withdraw(request, token, declaration_pk):
    workshop, participant = _participant_or_join(request, token)
    if not workshop.is_open:
        return _closed(request, workshop)
    if participant is None:
        raise Http404
    declaration = get_object_or_404(Declaration, pk=declaration_pk, participant=participant)
    services.withdraw_declaration(declaration, participant=participant)
    return redirect("workshop_me", token=token)


__all__ = ["MatchState", "declare", "join", "me", "withdraw"]
