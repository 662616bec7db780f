"""The territory team's side of a workshop: prepare it, facilitate it live, close and convert it.

Every view is the team's: 404 outside its scope, 403 for the other roles that may open the territory.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tremplin.accounts.scoping import scope_for
from tremplin.establishments.models import Establishment
from tremplin.workshops import services
from tremplin.workshops.closing import convert_workshop
from tremplin.workshops.exceptions import WorkshopError
from tremplin.workshops.models import Declaration, Match, MatchState, Workshop, WorkshopCompany
from tremplin.workshops.pdf import summary_pdf
from tremplin.www.access import get_visible_or_404, team_territory_or_404
from tremplin.www.downloads import download
from tremplin.www.workshops.forms import NoteForm, WorkshopForm

#: Matches and declarations the live screen lists (the best first, the latest first).
SCREEN_MATCHES = 40
SCREEN_DECLARATIONS = 40
SCREEN_LATEST = 10
MERGE_OPTIONS = 6


def _team_workshop_or_404(user, pk) -> Workshop:
    """404 for a workshop out of the user's team scope (the model's scope is the team's alone); 403 for
    a signed-in person who may open its territory otherwise (a company contact)."""
    try:
        return Workshop.objects.visible_to(user).select_related("territory__epci").get(pk=pk)
    except Workshop.DoesNotExist:
        workshop = Workshop.objects.filter(pk=pk).values_list("territory_id", flat=True).first()
        if workshop is not None and workshop in scope_for(user).contact_territory_ids:
            raise PermissionDenied from None
        raise Http404 from None


@login_required
def workshop_list(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    form = WorkshopForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.create_workshop(territory, by=request.user, **form.cleaned_data)
        except WorkshopError as error:
            form.add_error(error.field or None, error.message)
        else:
            return redirect("workshop_detail", pk=workshop.pk)
    workshops = Workshop.objects.for_territory(territory)
    return render(
        request, "workshops/list.html", {"territory": territory, "form": form, "workshops": workshops}
    )


def join_url(request, workshop) -> str:
    return request.build_absolute_uri(reverse("workshop_join", kwargs={"token": workshop.token}))


@login_required
def workshop_detail(request, pk):
    workshop = _team_workshop_or_404(request.user, pk)
    url = join_url(request, workshop)
    # segno writes the SVG itself from the link alone (no user text in it): safe to insert as is.
    qr_svg = mark_safe(
        segno.make(url, error="m").svg_inline(scale=6, border=2, title=_("QR code of the link"))
    )
    companies = workshop.companies.select_related("establishment").order_by("id")
    return render(
        request,
        "workshops/detail.html",
        {
            "workshop": workshop,
            "territory": workshop.territory,
            "join_url": url,
            "qr_svg": qr_svg,
            "expected": workshop.expected.order_by("name"),
            "companies": companies,
            "unchecked": [c for c in companies if c.pending_check],
            "establishments": workshop.territory.establishments.order_by("name").only("pk", "name"),
            "participant_count": workshop.participants.count(),
            "pinned_count": workshop.matches.filter(state=MatchState.PINNED).count(),
        },
    )


def _screen_context(workshop) -> dict:
    """The ranked matches (every pinned one first, then the best others by the engine's rank), the ones
    just found (a new declaration's matches may rank low: the facilitator sees them arrive), and the
    latest declarations."""
    base = (
        Match.objects.filter(workshop=workshop)
        .exclude(state=MatchState.MERGED)
        .defer("data")
        .prefetch_related(
            "companies__establishment",
            Prefetch("absorbed", Match.objects.only("pk", "resource_label", "merged_into")),
        )
    )
    kept = list(base.filter(state__in=[MatchState.PINNED, MatchState.CONVERTED]).order_by("rank", "pk"))
    others = base.exclude(state__in=[MatchState.PINNED, MatchState.CONVERTED]).order_by("rank", "pk")
    matches = kept + list(others[:SCREEN_MATCHES])
    order = {MatchState.PINNED: 0, MatchState.CONVERTED: 1, MatchState.PROPOSED: 2, MatchState.REJECTED: 3}
    matches.sort(key=lambda m: (order.get(m.state, 9), m.rank, m.pk))
    shown = {m.pk for m in matches}
    latest = list(base.filter(state=MatchState.PROPOSED).order_by("-found_at", "-pk")[:SCREEN_LATEST])
    latest = [m for m in latest if m.pk not in shown]
    # A match merges with another of the same resource sharing a company (two suppliers of one receiver).
    open_matches = [m for m in matches + latest if m.state in (MatchState.PROPOSED, MatchState.PINNED)]
    for m in matches + latest:
        m.company_list = list(m.companies.all())
        m.company_names = ", ".join(c.name for c in m.company_list)
    for m in matches + latest:
        ids = {c.pk for c in m.company_list}
        m.merge_options = [
            o
            for o in open_matches
            if o.pk != m.pk and o.resource == m.resource and ids & {c.pk for c in o.company_list}
        ][:MERGE_OPTIONS]
    declarations = (
        Declaration.objects.filter(workshop=workshop)
        .select_related("company__establishment", "participant")
        .order_by("-created_at", "-pk")[:SCREEN_DECLARATIONS]
    )
    return {
        "workshop": workshop,
        "matches": matches,
        "latest": latest,
        "match_count": base.count(),
        "declarations": declarations,
        "declaration_count": Declaration.objects.filter(workshop=workshop).count(),
        "participant_count": workshop.participants.count(),
    }


@login_required
def workshop_screen(request, pk):
    workshop = _team_workshop_or_404(request.user, pk)
    return render(
        request, "workshops/screen.html", {**_screen_context(workshop), "territory": workshop.territory}
    )


@login_required
@require_GET
def workshop_screen_live(request, pk):
    """The fragment the screen polls every 2 s. ``?v=`` is the version the screen shows: unchanged, the
    answer is an empty 204 (htmx keeps the page as it is) after one query, which is also the access
    check."""
    team = scope_for(request.user).team_territory_ids
    version = Workshop.objects.filter(pk=pk, territory_id__in=team).values_list("version", flat=True).first()
    if version is None:
        _team_workshop_or_404(request.user, pk)  # the right refusal (404 or 403)
        raise Http404
    if request.GET.get("v") == str(version):
        return HttpResponse(status=204)
    workshop = _team_workshop_or_404(request.user, pk)
    try:
        return render(request, "workshops/_screen_live.html", _screen_context(workshop))
    except OperationalError:
        # SQLite while the matches are being written ("table is locked"): the screen keeps what it shows
        # and asks again at its next poll.
        return HttpResponse(status=204)


@login_required
@require_POST
def match_action(request, pk, match_pk):
    workshop = _team_workshop_or_404(request.user, pk)
    match = get_object_or_404(Match, pk=match_pk, workshop=workshop)
    action = request.POST.get("action", "")
    try:
        if action == "note":
            form = NoteForm(request.POST)
            if form.is_valid():
                services.note_match(match, form.cleaned_data["note"], by=request.user)
        elif action == "merge":
            other = get_object_or_404(Match, pk=request.POST.get("other") or 0, workshop=workshop)
            services.merge_matches(match, other, by=request.user)
        else:
            services.set_match_state(match, action, by=request.user)
    except WorkshopError as error:
        messages.error(request, error.message)
    except ValueError:
        raise Http404 from None
    return redirect("workshop_screen", pk=workshop.pk)


@login_required
@require_POST
def company_check(request, pk, company_pk):
    workshop = _team_workshop_or_404(request.user, pk)
    company = get_object_or_404(WorkshopCompany, pk=company_pk, workshop=workshop)
    try:
        establishment = get_visible_or_404(
            Establishment, request.user, pk=int(request.POST.get("establishment", 0))
        )
        services.check_company(company, establishment, by=request.user)
    except WorkshopError as error:
        messages.error(request, error.message)
    except ValueError:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("%(name)s is now %(establishment)s.")
            % {"name": company.typed_name, "establishment": establishment.name},
        )
    return redirect("workshop_detail", pk=workshop.pk)


@login_required
@require_POST
def workshop_close(request, pk):
    workshop = _team_workshop_or_404(request.user, pk)
    try:
        services.close_workshop(workshop, by=request.user)
    except WorkshopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The workshop is closed: its link no longer works."))
    return redirect("workshop_detail", pk=workshop.pk)


@login_required
@require_POST
def workshop_convert(request, pk):
    workshop = _team_workshop_or_404(request.user, pk)
    summary = convert_workshop(workshop, by=request.user)
    messages.success(
        request,
        _(
            "%(synergies)s synergies added to the pipeline (status detected, basis "
            "workshop), %(flows)s flows recorded."
        )
        % {"synergies": len(summary.synergies), "flows": summary.flows},
    )
    left = []
    if summary.matches_unchecked:
        left.append(
            _("%(n)s pinned matches wait for a company to be checked") % {"n": summary.matches_unchecked}
        )
    if summary.matches_in_pipeline:
        left.append(
            _("%(n)s pinned matches were already in the pipeline") % {"n": summary.matches_in_pipeline}
        )
    if summary.declarations_unchecked:
        left.append(
            _("%(n)s declarations wait for a company to be checked") % {"n": summary.declarations_unchecked}
        )
    if summary.declarations_without_quantity:
        left.append(
            _("%(n)s declarations without quantity were not turned into flows")
            % {"n": summary.declarations_without_quantity}
        )
    if left:
        messages.warning(request, "; ".join(left) + ".")
    return redirect("workshop_detail", pk=workshop.pk)


@login_required
def workshop_attendance(request, pk):
    workshop = _team_workshop_or_404(request.user, pk)
    participants = workshop.participants.select_related("company__establishment").order_by(
        "company__id", "joined_at"
    )
    expected = list(workshop.expected.order_by("name"))
    present = {p.company.establishment_id for p in participants}
    return render(
        request,
        "workshops/attendance.html",
        {
            "workshop": workshop,
            "territory": workshop.territory,
            "participants": participants,
            "absent": [e for e in expected if e.pk not in present],
        },
    )


@login_required
@download
def workshop_summary_pdf(request, pk):
    workshop = _team_workshop_or_404(request.user, pk)
    response = HttpResponse(summary_pdf(workshop), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="atelier-{workshop.pk}-synthese.pdf"'
    return response
