"""Workshop deliverables: their lines, their perimeter, and their lifecycle.

Lifecycle (a state machine; every change is audited in ``DeliverableTransition``)::

    to_do ──start──▶ in_progress ──submit──▶ submitted ──validate──▶ validated
      └──────────────submit────────────────────▲   │                    │
                     in_progress ◀──withdraw───┘   │                    │
                     in_progress ◀──send_back──────┴────────────────────┘

The territory team fills, starts, submits and withdraws; only the programme team validates or sends back
(sending back needs a comment saying what must change).
"""

import json
from dataclasses import dataclass

from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from tremplin.coaching.models import (
    Actor,
    BudgetLine,
    CallDeliverable,
    CommunicationAction,
    Deliverable,
    DeliverableComment,
    DeliverableKind,
    DeliverableStatus,
    DeliverableTransition,
    GovernanceBody,
    GovernanceMember,
    MobilisationAction,
    Objective,
    Perimeter,
    PerimeterMode,
    SwotItem,
)
from tremplin.coaching.services.audit import log_coaching
from tremplin.coaching.services.errors import (
    CommentRequired,
    DeliverableLocked,
    EmptyDeliverable,
    InvalidPerimeter,
    InvalidTransition,
    NotAllowed,
)
from tremplin.coaching.services.roles import (
    is_editor_of,
    require_team_of,
    require_team_or_programme,
    runs_call,
)
from tremplin.flows import catalogue
from tremplin.flows.models import Basis as FlowBasis
from tremplin.flows.models import Direction
from tremplin.notifications.deliverables import send_transition_after_commit
from tremplin.submissions.services import submit_once

#: Lines whose text may name a person (members of a body, actors' contacts): their audit entries keep
#: the kind of line and its id only.
PERSONAL_ITEMS = (GovernanceMember, Actor)


@dataclass(frozen=True)
class ItemType:
    """A kind of line a deliverable is made of."""

    slug: str
    model: type
    deliverable: str
    label: str

    @property
    def plural(self) -> str:
        return self.model._meta.verbose_name_plural


ITEM_TYPES: dict[str, ItemType] = {
    item.slug: item
    for item in (
        ItemType("swot", SwotItem, DeliverableKind.W1_DIAGNOSIS, _("Diagnosis item")),
        ItemType("objective", Objective, DeliverableKind.W2_OBJECTIVES, _("Objective")),
        ItemType("body", GovernanceBody, DeliverableKind.W2_GOVERNANCE, _("Governance body")),
        ItemType("member", GovernanceMember, DeliverableKind.W2_GOVERNANCE, _("Member of a body")),
        ItemType("actor", Actor, DeliverableKind.W3_MOBILISATION, _("Actor")),
        ItemType("action", MobilisationAction, DeliverableKind.W3_MOBILISATION, _("Invitation or event")),
        ItemType("budget", BudgetLine, DeliverableKind.W4_ECONOMIC_MODEL, _("Budget line")),
        ItemType(
            "communication", CommunicationAction, DeliverableKind.W4_COMMUNICATION, _("Communication action")
        ),
    )
}


def item_types_of(kind: str) -> list[ItemType]:
    return [item for item in ITEM_TYPES.values() if item.deliverable == kind]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    by_programme_team: bool  # False: by the territory team
    label: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("start", (DeliverableStatus.TO_DO,), DeliverableStatus.IN_PROGRESS, False, _("Start")),
        Transition(
            "submit",
            (DeliverableStatus.TO_DO, DeliverableStatus.IN_PROGRESS),
            DeliverableStatus.SUBMITTED,
            False,
            _("Submit to the programme team"),
        ),
        Transition(
            "withdraw",
            (DeliverableStatus.SUBMITTED,),
            DeliverableStatus.IN_PROGRESS,
            False,
            _("Withdraw the submission"),
        ),
        Transition(
            "validate", (DeliverableStatus.SUBMITTED,), DeliverableStatus.VALIDATED, True, _("Validate")
        ),
        Transition(
            "send_back",
            (DeliverableStatus.SUBMITTED, DeliverableStatus.VALIDATED),
            DeliverableStatus.IN_PROGRESS,
            True,
            _("Send back for changes"),
        ),
    )
}


def deliverables_of(participation) -> list[Deliverable]:
    """The participation's deliverables in the programme's order (reads only: they are created with the
    participation, ``tremplin.coaching.services.participation.open_coaching``)."""
    order = {kind: position for position, kind in enumerate(DeliverableKind.values)}
    return sorted(Deliverable.objects.filter(participation=participation), key=lambda d: order[d.kind])


@transaction.atomic
def ensure_deliverables(participation) -> list[Deliverable]:
    """Every deliverable of a participation, created (to do) on first use; idempotent."""
    existing = {d.kind: d for d in Deliverable.objects.filter(participation=participation)}
    # An edition whose template asks fewer deliverables (e.g. three workshops) opens only those.
    scheduled = set(
        CallDeliverable.objects.filter(call_id=participation.call_id).values_list("kind", flat=True)
    )
    kinds = [
        kind for kind in DeliverableKind.values if not scheduled or kind in scheduled or kind in existing
    ]
    missing = [Deliverable(participation=participation, kind=kind) for kind in kinds if kind not in existing]
    if missing:
        Deliverable.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {d.kind: d for d in Deliverable.objects.filter(participation=participation)}
        log_coaching(
            None,
            "deliverables.created",
            participation,
            participation=participation,
            kinds=[deliverable.kind for deliverable in missing],
        )
    return [existing[kind] for kind in kinds]


def has_content(deliverable: Deliverable) -> bool:
    if deliverable.kind == DeliverableKind.W2_PERIMETER:
        return Perimeter.objects.filter(participation_id=deliverable.participation_id).exists()
    return any(
        item.model.objects.filter(participation_id=deliverable.participation_id).exists()
        for item in item_types_of(deliverable.kind)
    )


def _may(transition: Transition, deliverable: Deliverable, user) -> bool:
    if transition.by_programme_team:
        return runs_call(user, deliverable.participation.call)
    return is_editor_of(user, deliverable.participation)


def available_transitions(deliverable: Deliverable, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if deliverable.status in t.sources and _may(t, deliverable, user)]


@transaction.atomic
def change_status(deliverable: Deliverable, action: str, *, by, comment: str = "") -> Deliverable:
    """Apply one named transition; raise a typed error if the actor or the status forbids it."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition
    deliverable = (
        Deliverable.objects.select_for_update().select_related("participation__call").get(pk=deliverable.pk)
    )
    if not _may(transition, deliverable, by):
        raise NotAllowed
    if deliverable.status not in transition.sources:
        raise InvalidTransition
    comment = comment.strip()
    if action == "send_back" and not comment:
        raise CommentRequired
    if action == "submit" and not has_content(deliverable):
        raise EmptyDeliverable
    previous = deliverable.status
    deliverable.status = transition.target
    deliverable.save(update_fields=["status", "updated_at"])
    DeliverableTransition.objects.create(
        deliverable=deliverable,
        action=f"deliverable.{action}",
        from_status=previous,
        to_status=transition.target,
        comment=comment,
        by=by,
    )
    if comment:
        DeliverableComment.objects.create(deliverable=deliverable, author=by, text=comment)
    log_coaching(
        by,
        f"deliverable.{action}",
        deliverable,
        participation=deliverable.participation,
        kind=deliverable.kind,
        from_status=previous,
        to_status=transition.target,
        with_comment=bool(comment),
    )
    send_transition_after_commit(deliverable, action, by=by, comment=comment)
    return deliverable


def prepare_edit(deliverable: Deliverable, by) -> None:
    require_team_of(by, deliverable.participation)
    if deliverable.is_locked:
        raise DeliverableLocked
    if deliverable.status == DeliverableStatus.TO_DO:
        change_status(deliverable, "start", by=by)
        deliverable.status = DeliverableStatus.IN_PROGRESS


def _item_data(item) -> dict:
    slug = next(t.slug for t in ITEM_TYPES.values() if t.model is type(item))
    data = {"item_type": slug, "item_id": item.pk}
    if not isinstance(item, PERSONAL_ITEMS):
        data["label"] = str(item)[:200]
    return data


@transaction.atomic
def add_item(deliverable: Deliverable, item, *, by, submission_key: str | None = None):
    """Add a line (an unsaved instance of one of the deliverable's item models) to a deliverable; once
    per form (``submission_key``)."""
    if type(item) not in {t.model for t in item_types_of(deliverable.kind)}:
        raise NotAllowed
    prepare_edit(deliverable, by)
    item.participation = deliverable.participation
    if isinstance(item, GovernanceMember) and item.body.participation_id != deliverable.participation_id:
        raise NotAllowed
    item.full_clean()

    def create():
        item.save()
        log_coaching(
            by,
            "item.added",
            item,
            participation=deliverable.participation,
            deliverable=deliverable.kind,
            **_item_data(item),
        )
        return item

    return submit_once(submission_key, by=by, create=create)


def _number(value: float) -> str:
    return floatformat(value, "-1g")


def lead_swot_text(lead) -> str:
    """What a SWOT item pulled from a detection lead says: the resource and the engine's estimates,
    without naming the companies (the programme team reads the diagnosis)."""
    return gettext(
        "%(resource)s: %(kind)s synergy detected (lead no. %(rank)s), %(tonnes)s t/year that could be "
        "diverted, %(gain)s €/year of gains (estimated at detection)"
    ) % {
        "resource": lead.resource_label,
        "kind": lead.get_kind_display().lower(),
        "rank": lead.rank,
        "tonnes": _number(lead.tonnes_diverted_per_year),
        "gain": _number(lead.gain_eur_per_year),
    }


def flow_swot_text(flow) -> str:
    """What a SWOT item pulled from a known flow says: resource, direction, yearly quantity and basis,
    without naming the establishment."""
    entry = catalogue.catalogue_entry(flow.resource)
    return gettext("%(resource)s: %(direction)s of %(quantity)s %(unit)s/year (%(basis)s)") % {
        "resource": flow.resource_label,
        "direction": gettext("gisement") if flow.direction == Direction.OUT else gettext("need"),
        "quantity": _number(flow.quantity_per_year),
        "unit": entry.unit if entry else flow.unit,
        "basis": flow.get_basis_display(),
    }


@transaction.atomic
def pull_into_swot(deliverable: Deliverable, *, category: str, lead=None, flow=None, by) -> SwotItem:
    """Add to the W1 diagnosis an item drawn from one of the territory's detection leads or known flows,
    keeping the reference to it."""
    if deliverable.kind != DeliverableKind.W1_DIAGNOSIS or (lead is None) == (flow is None):
        raise NotAllowed
    territory_id = deliverable.participation.territory_id
    if lead is not None and lead.territory_id != territory_id:
        raise NotAllowed
    if flow is not None and (
        flow.establishment.territory_id != territory_id or flow.basis == FlowBasis.ESTIMATED
    ):
        raise NotAllowed
    text = lead_swot_text(lead) if lead is not None else flow_swot_text(flow)
    item = SwotItem(category=category, text=text, lead=lead, flow=flow)
    prepare_edit(deliverable, by)
    item.participation = deliverable.participation
    item.full_clean()
    item.save()
    log_coaching(
        by,
        "item.added",
        item,
        participation=deliverable.participation,
        deliverable=deliverable.kind,
        **_item_data(item),
        **({"lead_id": lead.pk} if lead is not None else {"flow_id": flow.pk}),
    )
    return item


@transaction.atomic
def remove_item(deliverable: Deliverable, item, *, by) -> None:
    if item.participation_id != deliverable.participation_id:
        raise NotAllowed
    prepare_edit(deliverable, by)
    log_coaching(
        by,
        "item.removed",
        item,
        participation=deliverable.participation,
        deliverable=deliverable.kind,
        **_item_data(item),
    )
    item.delete()


def _validated_zones(zones_geojson: str) -> str:
    """A FeatureCollection of valid polygons, normalised; raises InvalidPerimeter otherwise."""
    if not zones_geojson.strip():
        return ""
    try:
        data = json.loads(zones_geojson)
        features = data["features"] if data.get("type") == "FeatureCollection" else [data]
        cleaned = []
        for index, feature in enumerate(features, start=1):
            geometry = shape(feature["geometry"])
            if geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid:
                raise ValueError
            name = str((feature.get("properties") or {}).get("name") or "").strip()
            cleaned.append(
                {
                    "type": "Feature",
                    "geometry": feature["geometry"],
                    "properties": {"name": name or f"Zone {index}"},
                }
            )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InvalidPerimeter(_("The drawn zones are not valid polygons.")) from None
    return json.dumps({"type": "FeatureCollection", "features": cleaned}) if cleaned else ""


@transaction.atomic
def save_perimeter(deliverable: Deliverable, *, mode, communes=(), zones_geojson="", rationale="", by):
    """Set the W2 perimeter: the whole EPCI, some of its communes, or activity zones drawn on the map."""
    if deliverable.kind != DeliverableKind.W2_PERIMETER:
        raise NotAllowed
    prepare_edit(deliverable, by)
    participation = deliverable.participation
    communes = list(communes)
    epci_id = participation.territory.epci_id
    if any(commune.epci_id != epci_id for commune in communes):
        raise InvalidPerimeter(_("Choose communes of the EPCI only."))
    zones = _validated_zones(zones_geojson)
    if mode == PerimeterMode.COMMUNES and not communes:
        raise InvalidPerimeter(_("Choose at least one commune."))
    if mode == PerimeterMode.ZONES and not zones:
        raise InvalidPerimeter(_("Draw at least one activity zone on the map."))
    if mode not in PerimeterMode.values:
        raise InvalidPerimeter
    perimeter, _created = Perimeter.objects.get_or_create(participation=participation)
    perimeter.mode = mode
    perimeter.zones_geojson = zones if mode == PerimeterMode.ZONES else ""
    perimeter.rationale = rationale
    perimeter.save()
    perimeter.set_communes(communes if mode == PerimeterMode.COMMUNES else [])
    log_coaching(
        by,
        "perimeter.saved",
        perimeter,
        participation=participation,
        mode=mode,
        communes=sorted(commune.insee_code for commune in communes) if mode == PerimeterMode.COMMUNES else [],
        zones=len(json.loads(zones)["features"]) if mode == PerimeterMode.ZONES and zones else 0,
    )
    return perimeter


@transaction.atomic
def comment_on(
    deliverable: Deliverable, text: str, *, by, submission_key: str | None = None
) -> DeliverableComment:
    require_team_or_programme(by, deliverable.participation)
    text = text.strip()
    if not text:
        raise CommentRequired(_("Write a comment."))

    def create():
        comment = DeliverableComment.objects.create(deliverable=deliverable, author=by, text=text)
        log_coaching(
            by,
            "comment.added",
            comment,
            participation=deliverable.participation,
            deliverable=deliverable.kind,
        )
        return comment

    return submit_once(submission_key, by=by, create=create)
