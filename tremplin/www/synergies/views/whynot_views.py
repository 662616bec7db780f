"""Why two establishments were not matched: a form, and the engine's reasons in plain French."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tremplin.engine import default_knowledge_base
from tremplin.synergies.exceptions import SynergyError
from tremplin.synergies.whynot import explain_pair
from tremplin.www.access import team_territory_or_404
from tremplin.www.synergies.forms import WhyNotForm


@login_required
def detection_why_not(request, territory_pk):
    territory = team_territory_or_404(request.user, territory_pk)
    # The form is read once two establishments are chosen; a link may preset the mode alone.
    chosen = "first" in request.GET or "second" in request.GET
    form = WhyNotForm(
        request.GET if chosen else None,
        territory=territory,
        initial={"mode": request.GET.get("mode", "deductive")},
    )
    explanation, error = None, None
    if form.is_bound and form.is_valid():
        try:
            explanation = explain_pair(
                territory,
                form.cleaned_data["first"],
                form.cleaned_data["second"],
                mode=form.cleaned_data["mode"],
                by=request.user,
            )
        except SynergyError as failure:
            error = str(failure)
    rows = []
    if explanation is not None:
        kb = default_knowledge_base()
        names = {str(e.pk): e.name for e in (explanation.first, explanation.second)}

        def label(code):
            return kb.resources[code].label if code in kb.resources else code

        rows = [
            {
                "supplier": names.get(r.supplier_id, r.supplier_id),
                "receiver": names.get(r.receiver_id, r.receiver_id),
                "found": r.code == "found",
                "code": r.code,
                "message": r.message,
                "resource": label(r.resource) if r.resource else "",
                "input_resource": label(r.input_resource) if r.input_resource else "",
                "rule_id": r.rule_id or "",
            }
            for r in explanation.reasons
        ]
    return render(
        request,
        "synergies/why_not.html",
        {"territory": territory, "form": form, "explanation": explanation, "rows": rows, "error": error},
    )
