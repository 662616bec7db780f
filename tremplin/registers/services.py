"""Operations on register imports: read and match an IREP zip (``prepare_irep_import``), then write its
flows once the name-and-commune matches are confirmed (``apply_irep_import``). Each takes its actor,
checks that it is the territory's team (``by=None``: the platform itself, the command line), runs in one
transaction and writes the audit log.

Every waste line of a matched establishment becomes a flow of basis "register" (its source "IREP
<year>"): production lines are outputs, treatment lines inputs (the site receives and treats that
waste). The List of Waste code gives the catalogue's resource (the first resource listing the code);
a code the catalogue does not know is counted in the report, not imported. Re-importing a year replaces
the register flows of that year of the establishments it matches, and never touches declared flows.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import cache

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin import engine
from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.establishments.models import Establishment
from tremplin.flows.models import Basis, Flow
from tremplin.flows.quantities import QuantityError, yearly_quantity
from tremplin.registers.irep import IrepRejected, read_irep
from tremplin.registers.matching import match_establishments
from tremplin.registers.models import RegisterImport

__all__ = [
    "IrepRejected",
    "RegisterImportError",
    "apply_irep_import",
    "cancel_irep_import",
    "prepare_irep_import",
    "resource_for_waste_code",
]


class RegisterImportError(ValueError):
    pass


def _require_team(by, territory) -> None:
    if by is not None and territory.pk not in scope_for(by).editor_territory_ids:
        raise RegisterImportError(_("Only the territory team may import a register."))


@cache
def _waste_code_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for resource in engine.default_knowledge_base().resources.values():
        for code in resource.waste_codes:
            index.setdefault(code.code, resource.code)
    return index


def resource_for_waste_code(code: str) -> str | None:
    """The catalogue's resource for a List of Waste code ("15 01 01"), or None (also when the resource
    is not counted in a unit that tonnes convert to)."""
    resource = _waste_code_index().get(code)
    if resource is None:
        return None
    try:
        yearly_quantity(resource, Decimal(1), "t", "year")
    except QuantityError:
        return None
    return resource


def _line_payload(line, resource: str) -> dict:
    return {
        "file": line.file,
        "row": line.row,
        "direction": line.direction,
        "resource": resource,
        "waste_code": line.waste_code + ("*" if line.hazardous else ""),
        "waste_label": line.waste_label,
        "quantity_t": line.quantity_t,
        "below_threshold": line.below_threshold,
        "operation": line.operation,
        "operation_label": line.operation_label,
        "destination": line.destination,
    }


@transaction.atomic
def prepare_irep_import(
    territory, stream, *, by, filename: str = "", year: int | None = None
) -> RegisterImport:
    """Read and match the zip; record what applying it would write. Raises :class:`IrepRejected` (with
    every bad row named by file, row and field) when the zip is refused: nothing is recorded then."""
    _require_team(by, territory)
    irep = read_irep(stream, year=year)
    rows = Establishment.objects.filter(territory=territory).values_list(
        "pk", "siret", "name", "commune__insee_code", "commune__name"
    )
    certain, proposed = match_establishments(irep.establishments, list(rows))
    matched = {m.register_id: m for m in (*certain, *proposed)}
    names = dict(
        Establishment.objects.filter(pk__in=[m.establishment_id for m in matched.values()]).values_list(
            "pk", "name"
        )
    )
    lines: dict[str, list[dict]] = {}
    unmapped: Counter[str] = Counter()
    for line in irep.lines:
        if line.identifier not in matched:
            continue
        resource = resource_for_waste_code(line.waste_code)
        if resource is None:
            unmapped[line.waste_code + ("*" if line.hazardous else "")] += 1
            continue
        lines.setdefault(line.identifier, []).append(_line_payload(line, resource))

    def entry(match):
        register = irep.establishments[match.register_id]
        return {
            "register_id": match.register_id,
            "register_name": register.name,
            "register_siret": register.siret,
            "register_commune": register.commune,
            "establishment_id": match.establishment_id,
            "establishment_name": names.get(match.establishment_id, ""),
            "how": match.how,
            "lines": lines.get(match.register_id, []),
        }

    job = RegisterImport.objects.create(
        territory=territory,
        year=irep.year,
        filename=filename[:255],
        created_by=by if by is not None and by.is_authenticated else None,
        payload={
            "matched": [entry(m) for m in certain],
            "proposed": [entry(m) for m in proposed],
            "unmapped_codes": dict(sorted(unmapped.items())),
            "register_establishments": len(irep.establishments),
            "encodings": irep.encodings,
        },
    )
    log_action(
        by,
        "register.irep.prepared",
        job,
        territory=territory,
        year=irep.year,
        filename=job.filename,
        matched=len(certain),
        proposed=len(proposed),
    )
    return job


def _locked(job: RegisterImport) -> RegisterImport:
    return RegisterImport.objects.select_for_update().select_related("territory").get(pk=job.pk)


@transaction.atomic
def apply_irep_import(job: RegisterImport, *, by, confirmed: set[str] | frozenset[str] = frozenset()) -> dict:
    """Write the flows of the establishments matched by SIRET and of the proposals whose register
    identifier is in ``confirmed`` (the others are rejected). Returns the counts."""
    job = _locked(job)
    _require_team(by, job.territory)
    if job.status != RegisterImport.Status.PENDING:
        raise RegisterImportError(_("This import was already applied or cancelled."))
    entries = list(job.payload.get("matched", []))
    accepted = [p for p in job.payload.get("proposed", []) if p["register_id"] in confirmed]
    rejected = [
        p["register_id"] for p in job.payload.get("proposed", []) if p["register_id"] not in confirmed
    ]
    entries += accepted
    establishments = {
        e.pk: e
        for e in Establishment.objects.filter(
            territory=job.territory, pk__in=[x["establishment_id"] for x in entries]
        )
    }
    created = replaced = 0
    for item in entries:
        establishment = establishments.get(item["establishment_id"])
        if establishment is None:
            continue  # deleted since the file was read
        previous = Flow.objects.filter(
            establishment=establishment,
            basis=Basis.REGISTER,
            register_year=job.year,
            source__startswith="IREP",
        )
        removed = previous.count()
        previous.delete()
        new = [_flow(establishment, job, line) for line in item["lines"]]
        Flow.objects.bulk_create(new)
        replaced += removed
        created += len(new)
        log_action(
            by,
            "flow.register.imported",
            establishment,
            territory=job.territory,
            establishment_id=establishment.pk,
            source=job.source,
            register_id=item["register_id"],
            matched_by=item["how"],
            flows_created=len(new),
            flows_replaced=removed,
        )
    job.status = RegisterImport.Status.APPLIED
    job.applied_at = timezone.now()
    job.outcome = {
        "establishments": len(entries),
        "confirmed": len(accepted),
        "rejected": len(rejected),
        "flows_created": created,
        "flows_replaced": replaced,
    }
    job.save(update_fields=["status", "applied_at", "outcome"])
    log_action(by, "register.irep.applied", job, territory=job.territory, year=job.year, **job.outcome)
    return job.outcome


def _flow(establishment, job, line: dict) -> Flow:
    quantity = Decimal(str(round(line["quantity_t"], 4)))
    per_year = yearly_quantity(line["resource"], quantity, "t", "year")
    route = " · ".join(
        part
        for part in (
            line["operation"] and f"{line['operation']} {line['operation_label']}".strip(),
            line["destination"],
        )
        if part
    )
    notes = f"{line['waste_code']} {line['waste_label']}".strip()
    return Flow(
        establishment=establishment,
        direction=line["direction"],
        resource=line["resource"],
        quantity=quantity,
        unit="t",
        frequency="year",
        quantity_per_year=per_year,
        quality_notes=notes,
        current_route=route[:300],
        confidential=False,
        basis=Basis.REGISTER,
        below_threshold=line["below_threshold"],
        treatment_operation=line["operation"],
        source=job.source,
        register_year=job.year,
    )


@transaction.atomic
def cancel_irep_import(job: RegisterImport, *, by) -> None:
    job = _locked(job)
    _require_team(by, job.territory)
    if job.status != RegisterImport.Status.PENDING:
        raise RegisterImportError(_("This import was already applied or cancelled."))
    job.status = RegisterImport.Status.CANCELLED
    job.save(update_fields=["status"])
    log_action(by, "register.irep.cancelled", job, territory=job.territory, year=job.year)
