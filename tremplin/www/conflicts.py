"""Showing an edit conflict: the fields where the record now differs from what the person typed."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from tremplin.audit.models import AuditEntry


@dataclass(frozen=True)
class ConflictRow:
    field: str
    label: str
    saved: str  # the value someone else saved
    typed: str  # what this person typed


@dataclass(frozen=True)
class Conflict:
    """What the conflict panel (``includes/edit_conflict.html``) shows."""

    rows: list[ConflictRow]
    changed_by: object  # a user, or None (the platform, or unknown)
    changed_at: object  # a datetime, or None


def _display(field: forms.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(field, forms.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        return str(_choice_labels(field.choices).get(value, value))
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral():
            value = value.quantize(Decimal(1))
    return str(localize(value))


def _choice_labels(choices) -> dict:
    """Value → label, groups of choices (« Biomasse » → its resources) flattened."""
    labels = {}
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            labels |= _choice_labels(label)
        else:
            labels[value] = label
    return labels


def _same(typed, saved) -> bool:
    if isinstance(typed, str) or isinstance(saved, str):
        return (typed or "").strip() == (saved or "").strip()
    numbers = (Decimal, int, float)
    if isinstance(typed, numbers) and isinstance(saved, numbers) and not isinstance(typed, bool):
        return Decimal(str(typed)) == Decimal(str(saved))
    return typed == saved


def conflict_rows(form: forms.Form, saved: dict) -> list[ConflictRow]:
    """``saved`` maps field names to the record's current values (Python values, as the form cleans
    them); the rows list the fields where they differ from the form's cleaned values, in form order."""
    rows = []
    for name, field in form.fields.items():
        if name not in saved or isinstance(field.widget, forms.HiddenInput):
            continue
        typed = form.cleaned_data.get(name)
        if _same(typed, saved[name]):
            continue
        rows.append(
            ConflictRow(name, str(field.label or name), _display(field, saved[name]), _display(field, typed))
        )
    return rows


def conflict_for(form: forms.Form, record, saved: dict) -> Conflict:
    """The conflict panel for ``record``; who changed it last and when come from the audit log."""
    last = AuditEntry.objects.about(record).select_related("actor").first()
    return Conflict(
        rows=conflict_rows(form, saved),
        changed_by=last.actor if last else None,
        changed_at=last.at if last else getattr(record, "updated_at", None),
    )
