"""Operations on flows. Each takes its actor, runs in one transaction and writes the audit log.

Two people may edit the same flow from forms shown at different times: every change raises the flow's
``version``, and an edit or a deletion that says which version it was made from
(``expected_version``) is refused with :class:`FlowConflict` when the flow changed since, so that
nobody's change is lost silently. A declaration made from a form carries a one-time key
(``submission_key``): posting the form twice records one flow.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.flows.models import Basis, Direction, Flow
from tremplin.flows.quantities import Frequency, QuantityError, yearly_quantity
from tremplin.submissions.services import submit_once

EDITABLE_FIELDS = (
    "direction",
    "resource",
    "quantity",
    "unit",
    "frequency",
    "quality_notes",
    "current_route",
    "current_cost_eur_per_year",
    "confidential",
    "basis",
)


class FlowError(ValueError):
    """A flow that cannot be recorded; ``field`` names the form field at fault (or ``None``)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(message)


class FlowNotAllowed(FlowError):
    """The actor may not change this establishment's flows (a read-only member, another role)."""


class FlowConflict(FlowError):
    """The flow changed since the form was shown; ``current`` is the flow as it is now."""

    def __init__(self, current: Flow) -> None:
        self.current = current
        super().__init__(
            _("Someone else changed this flow since you opened the form: your changes were not saved.")
        )


def _require_may_change(by, establishment) -> None:
    """The territory team and the establishment's own contacts change its flows (``by=None``: the
    platform itself, an import or a command)."""
    if by is None:
        return
    scope = scope_for(by)
    if (
        establishment.territory_id in scope.editor_territory_ids
        or establishment.pk in scope.contact_establishment_ids
    ):
        return
    raise FlowNotAllowed(_("You may not change the flows of this establishment."))


def _plain(value: Decimal | None) -> str | None:
    """A decimal as text without trailing zeros, whether it was just typed or read back from the database."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def snapshot(flow: Flow) -> dict:
    """The audited state of a flow (JSON-ready)."""
    return {
        "direction": flow.direction,
        "resource": flow.resource,
        "quantity": _plain(flow.quantity),
        "unit": flow.unit,
        "frequency": flow.frequency,
        "quantity_per_year": flow.quantity_per_year,
        "quality_notes": flow.quality_notes,
        "current_route": flow.current_route,
        "current_cost_eur_per_year": _plain(flow.current_cost_eur_per_year),
        "confidential": flow.confidential,
        "basis": flow.basis,
    }


def _apply(flow: Flow, values: dict) -> None:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in values.items():
        setattr(flow, name, value)
    flow.unit = (flow.unit or "").strip()
    flow.quantity = Decimal(str(flow.quantity)) if flow.quantity is not None else None
    if flow.direction not in Direction.values:
        raise FlowError(_("Choose output (gisement) or input (besoin)."), field="direction")
    if flow.basis not in Basis.values or flow.basis == Basis.ESTIMATED:
        # Estimates are computed from the sector profile, never stored as if someone had stated them.
        raise FlowError(_("A stored flow is declared or stated in a workshop."), field="basis")
    try:
        flow.quantity_per_year = yearly_quantity(flow.resource, flow.quantity, flow.unit, flow.frequency)
    except QuantityError as error:
        raise FlowError(error.message, field=error.field) from None


def _log(by, action: str, flow: Flow, **data) -> None:
    log_action(
        by,
        action,
        flow,
        territory=flow.establishment.territory,
        establishment_id=flow.establishment_id,
        resource=flow.resource,
        direction=flow.direction,
        **data,
    )


@transaction.atomic
def declare_flow(
    establishment,
    *,
    by,
    direction: str,
    resource: str,
    quantity,
    unit: str,
    frequency: str = Frequency.YEAR,
    submission_key: str | None = None,
    **fields,
) -> Flow:
    """Record a flow of ``establishment`` stated by ``by`` (a company contact or the territory team).

    With ``submission_key`` (the one-time key of the form), a second call with the same key returns the
    flow the first one recorded.
    """
    _require_may_change(by, establishment)
    if fields.get("basis") == Basis.REGISTER:
        # Register flows come from a register import (tremplin.registers), never from a form.
        raise FlowError(_("A register flow is read from a register file, not declared."), field="basis")
    return submit_once(
        submission_key,
        by=by,
        create=lambda: _declare(
            establishment,
            by=by,
            values={
                "direction": direction,
                "resource": resource,
                "quantity": quantity,
                "unit": unit,
                "frequency": frequency,
            }
            | fields,
        ),
    )


def _declare(establishment, *, by, values: dict) -> Flow:
    flow = Flow(establishment=establishment, declared_by=by if by and by.is_authenticated else None)
    _apply(flow, values)
    flow.save()
    _log(by, "flow.created", flow, before=None, after=snapshot(flow))
    return flow


def _locked(flow: Flow) -> Flow:
    """The flow as it is in the database, locked until the end of the transaction (on SQLite the
    write transaction itself serialises writers)."""
    return (
        Flow.objects.select_for_update(of=("self",))
        .select_related("establishment__territory")
        .get(pk=flow.pk)
    )


@transaction.atomic
def update_flow(flow: Flow, *, by, expected_version: int | None = None, **changes) -> Flow:
    """Change a flow; the audit entry keeps the state before and after. A change that changes nothing
    writes nothing.

    ``expected_version`` is the version the change was made from (the form's); when the flow has
    changed since, :class:`FlowConflict` is raised and nothing is written, unless the change asks for
    exactly what is recorded now (nothing would be lost).
    """
    flow = _locked(flow)
    _require_may_change(by, flow.establishment)
    before = snapshot(flow)
    current_version = flow.version
    _apply(flow, changes)
    after = snapshot(flow)
    if after == before:
        return flow
    if expected_version is not None and expected_version != current_version:
        raise FlowConflict(_locked(flow))
    if by is not None and by.is_authenticated:
        flow.declared_by = by
    flow.version = current_version + 1
    flow.save()
    _log(by, "flow.updated", flow, before=before, after=after, version=flow.version)
    return flow


@transaction.atomic
def delete_flow(flow: Flow, *, by, expected_version: int | None = None) -> None:
    """Delete a flow; refused with :class:`FlowConflict` when it changed since ``expected_version``
    (the person confirmed the deletion of what they saw, not of what someone recorded since)."""
    flow = _locked(flow)
    _require_may_change(by, flow.establishment)
    if expected_version is not None and expected_version != flow.version:
        raise FlowConflict(flow)
    _log(by, "flow.deleted", flow, before=snapshot(flow), after=None)
    flow.delete()
