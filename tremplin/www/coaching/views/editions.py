"""Edition templates (programme team only): list, create, edit, duplicate, delete; their events and
deliverables; and applying one to a call, after a preview."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tremplin.coaching.models import EditionTemplate, TemplateDeliverable, TemplateEvent
from tremplin.coaching.services import editions as services
from tremplin.coaching.services.errors import CoachingError
from tremplin.programme.models import Call
from tremplin.submissions.services import AlreadySubmitted
from tremplin.www.coaching.edition_forms import (
    ApplyTemplateForm,
    DuplicateTemplateForm,
    EditionTemplateForm,
    TemplateDeliverableForm,
    TemplateEventForm,
)
from tremplin.www.coaching.permissions import programme_team_only

ITEMS = {
    "event": (TemplateEvent, TemplateEventForm, services.save_template_event, services.remove_template_event),
    "deliverable": (
        TemplateDeliverable,
        TemplateDeliverableForm,
        services.save_template_deliverable,
        services.remove_template_deliverable,
    ),
}


@programme_team_only
def coaching_templates(request):
    templates = services.templates_with_counts()
    return render(request, "coaching/edition_templates.html", {"templates": templates})


@programme_team_only
def coaching_template_create(request):
    form = EditionTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.save_template(
                form.instance, by=request.user, submission_key=form.submission_key
            )
        except AlreadySubmitted as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Template saved."))
            return redirect("coaching_template_detail", pk=template.pk)
    return render(
        request,
        "coaching/edition_template_form.html",
        {"form": form, "template": None, "here": _("New template")},
    )


@programme_team_only
def coaching_template_detail(request, pk):
    template = get_object_or_404(EditionTemplate, pk=pk)
    return render(
        request,
        "coaching/edition_template.html",
        {
            "template": template,
            "events": template.events.all(),
            "deliverables": template.deliverables.select_related("due_event"),
            "event_form": TemplateEventForm(instance=TemplateEvent(template=template), prefix="event"),
            "deliverable_form": TemplateDeliverableForm(
                instance=TemplateDeliverable(template=template), prefix="deliverable"
            ),
        },
    )


@programme_team_only
def coaching_template_edit(request, pk):
    template = get_object_or_404(EditionTemplate, pk=pk)
    form = EditionTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        services.save_template(form.instance, by=request.user)
        messages.success(request, _("Template saved."))
        return redirect("coaching_template_detail", pk=template.pk)
    return render(
        request,
        "coaching/edition_template_form.html",
        {"form": form, "template": template, "here": _("Edit the template")},
    )


@programme_team_only
def coaching_template_duplicate(request, pk):
    template = get_object_or_404(EditionTemplate, pk=pk)
    form = DuplicateTemplateForm(
        request.POST or None, initial={"name": _("%(name)s (copy)") % {"name": template.name}}
    )
    if request.method == "POST" and form.is_valid():
        copy = services.duplicate_template(template, name=form.cleaned_data["name"], by=request.user)
        messages.success(request, _("Template duplicated: adjust its events and deliverables."))
        return redirect("coaching_template_detail", pk=copy.pk)
    return render(
        request,
        "coaching/edition_template_form.html",
        {"form": form, "template": template, "here": _("Duplicate the template")},
    )


@require_POST
@programme_team_only
def coaching_template_delete(request, pk):
    template = get_object_or_404(EditionTemplate, pk=pk)
    services.delete_template(template, by=request.user)
    messages.success(request, _("Template deleted. Calendars created from it are kept."))
    return redirect("coaching_templates")


@programme_team_only
def coaching_template_item_create(request, pk, item_type):
    template = get_object_or_404(EditionTemplate, pk=pk)
    model, form_class, save, _remove = _item_type(item_type)
    form = form_class(request.POST or None, instance=model(template=template), prefix=item_type)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.instance, by=request.user, submission_key=form.submission_key)
        except AlreadySubmitted as error:
            form.add_error(None, error.message)
        except ValidationError as error:  # a second event of a kind, a deliverable twice
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Item added to the template."))
            return redirect("coaching_template_detail", pk=template.pk)
    return render(
        request,
        "coaching/edition_template_form.html",
        {"form": form, "template": template, "here": _("Add an item")},
    )


@programme_team_only
def coaching_template_item_edit(request, item_type, item_pk):
    model, form_class, save, _remove = _item_type(item_type)
    item = get_object_or_404(model, pk=item_pk)
    form = form_class(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Item saved."))
            return redirect("coaching_template_detail", pk=item.template_id)
    return render(
        request,
        "coaching/edition_template_form.html",
        {"form": form, "template": item.template, "here": _("Edit the item")},
    )


@require_POST
@programme_team_only
def coaching_template_item_delete(request, item_type, item_pk):
    model, _form, _save, remove = _item_type(item_type)
    item = get_object_or_404(model, pk=item_pk)
    try:
        remove(item, by=request.user)
    except CoachingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Item removed from the template."))
    return redirect("coaching_template_detail", pk=item.template_id)


@require_POST
@programme_team_only
def coaching_template_item_move(request, item_type, item_pk):
    model, *_rest = _item_type(item_type)
    item = get_object_or_404(model, pk=item_pk)
    services.move_template_item(item, up=request.POST.get("direction") == "up", by=request.user)
    return redirect("coaching_template_detail", pk=item.template_id)


def _item_type(slug):
    from django.http import Http404

    try:
        return ITEMS[slug]
    except KeyError:
        raise Http404 from None


@programme_team_only
def coaching_calendar_prefill(request, call_pk):
    """Fill a call's calendar from a template: choose it and the edition's start, preview, confirm."""
    call = get_object_or_404(Call, pk=call_pk)
    form = ApplyTemplateForm(request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        template, start = form.cleaned_data["template"], form.cleaned_data["start"]
        replace = form.cleaned_data["replace"]
        plan = services.plan_edition(template, call, start)
        # Create only what was previewed: a template or start changed since shows the new preview.
        if request.POST.get("action") == "apply" and request.POST.get("previewed") == plan.fingerprint:
            try:
                events = services.apply_template(template, call, start, by=request.user, replace=replace)
            except CoachingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(count)s events created from the template. Their dates stay editable.")
                    % {"count": len(events)},
                )
                return redirect("coaching_calendar", call_pk=call.pk)
    return render(request, "coaching/calendar_prefill.html", {"call": call, "form": form, "plan": plan})
