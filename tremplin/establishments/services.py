"""Operations on establishments: creation and edits by the territory team, contacts.

Each operation takes its actor (``by``), runs in one transaction and writes the audit log. Imports of
files (and the re-import rule) live in :mod:`tremplin.imports.services`, re-exported here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from tremplin.audit.log import log_action
from tremplin.establishments.models import (
    DataOrigin,
    Establishment,
    EstablishmentContact,
    LocationPrecision,
)
from tremplin.imports.services import (  # noqa: F401  (re-exported: imports are establishment operations)
    IMPORT_UPDATED_FIELDS,
    ImportRejected,
    import_establishments,
)


class EstablishmentError(Exception):
    """An establishment or contact operation was refused; the message is shown to the user."""


def _place(establishment: Establishment) -> None:
    """Without coordinates, an establishment stands at the reference point inside its commune."""
    if establishment.latitude is None or establishment.longitude is None:
        commune = establishment.commune
        if commune.centroid_lat is None:
            raise EstablishmentError(
                f"La commune {commune} n'a pas de point de référence : indiquez les coordonnées."
            )
        establishment.latitude, establishment.longitude = commune.centroid_lat, commune.centroid_lon
        establishment.location_precision = LocationPrecision.COMMUNE
    else:
        establishment.location_precision = LocationPrecision.ADDRESS


def _validate(establishment: Establishment) -> None:
    try:
        establishment.full_clean()
    except ValidationError as error:
        raise EstablishmentError(" ".join(error.messages)) from None


def _loggable(value):
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def create_establishment(territory, *, by, **fields) -> Establishment:
    """Create an establishment by hand. Coordinates are optional (see :func:`_place`)."""
    establishment = Establishment(territory=territory, origin=DataOrigin.MANUAL, **fields)
    _place(establishment)
    _validate(establishment)
    establishment.save()
    log_action(by, "establishment.created", establishment, territory=territory, siret=establishment.siret)
    return establishment


@transaction.atomic
def update_establishment(establishment: Establishment, *, by, **changes) -> Establishment:
    """Change an establishment's identity, location or engagement; the audit records each change."""
    before = {name: getattr(establishment, name) for name in changes}
    before_location = (establishment.latitude, establishment.longitude, establishment.location_precision)
    for name, value in changes.items():
        setattr(establishment, name, value)
    _place(establishment)
    _validate(establishment)
    changed = {
        name: [_loggable(before[name]), _loggable(getattr(establishment, name))]
        for name in changes
        if before[name] != getattr(establishment, name)
    }
    after_location = (establishment.latitude, establishment.longitude, establishment.location_precision)
    if after_location != before_location:
        changed["location"] = [list(before_location), list(after_location)]
    changed.pop("latitude", None)
    changed.pop("longitude", None)
    if not changed:
        return establishment
    establishment.save()
    log_action(by, "establishment.updated", establishment, territory=establishment.territory, changes=changed)
    return establishment


CONTACT_FIELDS = ("name", "job_title", "email", "phone", "notes")


@transaction.atomic
def add_contact(establishment: Establishment, *, by, **fields) -> EstablishmentContact:
    contact = EstablishmentContact(establishment=establishment, **fields)
    try:
        contact.full_clean()
    except ValidationError as error:
        raise EstablishmentError(" ".join(error.messages)) from None
    contact.save()
    log_action(
        by,
        "establishment.contact.added",
        establishment,
        territory=establishment.territory,
        contact=contact.name,
    )
    return contact


@transaction.atomic
def update_contact(contact: EstablishmentContact, *, by, **fields) -> EstablishmentContact:
    changed = [name for name, value in fields.items() if getattr(contact, name) != value]
    for name, value in fields.items():
        setattr(contact, name, value)
    try:
        contact.full_clean()
    except ValidationError as error:
        raise EstablishmentError(" ".join(error.messages)) from None
    if changed:
        contact.save()
        establishment = contact.establishment
        log_action(
            by,
            "establishment.contact.updated",
            establishment,
            territory=establishment.territory,
            contact=contact.name,
            fields=changed,
        )
    return contact


@transaction.atomic
def remove_contact(contact: EstablishmentContact, *, by) -> None:
    establishment = contact.establishment
    name = contact.name
    contact.delete()
    log_action(
        by, "establishment.contact.removed", establishment, territory=establishment.territory, contact=name
    )
