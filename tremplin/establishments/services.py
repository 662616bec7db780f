"""Operations on establishments: creation and edits by the territory team, contacts.

Each operation takes its actor (``by``), runs in one transaction and writes the audit log. Imports of
files (and the re-import rule) live in :mod:`tremplin.imports.services`, re-exported here.

**Concurrent edits.** Establishments and contacts carry a ``version`` raised by every change (imports
included). An edit that says which version it was made from (``expected_version``, the form's) is
refused with :class:`EditConflict` when the record changed since, so that nobody's change is lost
silently. Creations made from a form carry its one-time key (``submission_key``): posting the form
twice creates one record.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.establishments.location import OUTSIDE_COMMUNE, check_establishment_location
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
from tremplin.submissions.services import submit_once


class EstablishmentError(Exception):
    """An establishment or contact operation was refused; the message is shown to the user. ``field``
    names the field at fault when there is one (the API reports it)."""

    def __init__(self, message="", *, field: str | None = None):
        super().__init__(message)
        self.field = field


class EditConflict(EstablishmentError):
    """The record changed since the form was shown; ``current`` is the record as it is now."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            str(_("Someone else changed this record since you opened the form: your changes were not saved."))
        )


def _require_team(by, territory_id) -> None:
    """Establishment records are changed by their territory's team (``by=None``: the platform itself)."""
    if by is not None and territory_id not in scope_for(by).editor_territory_ids:
        raise EstablishmentError(str(_("Only the territory's team may change its establishments.")))


def _place(establishment: Establishment) -> None:
    """Without coordinates, an establishment stands at the reference point inside its commune."""
    if establishment.latitude is None or establishment.longitude is None:
        commune = establishment.commune
        if commune.centroid_lat is None:
            raise EstablishmentError(
                f"La commune {commune} n'a pas de point de référence : indiquez les coordonnées.",
                field="commune",
            )
        establishment.latitude, establishment.longitude = commune.centroid_lat, commune.centroid_lon
        establishment.location_precision = LocationPrecision.COMMUNE
    else:
        establishment.location_precision = LocationPrecision.ADDRESS


def _check_location(establishment: Establishment) -> None:
    """A point given by hand must lie in its commune (or, without a boundary for it, its territory)."""
    if establishment.location_precision != LocationPrecision.ADDRESS:
        return
    check = check_establishment_location(establishment)
    if not check.refused:
        return
    values = {
        "distance": check.check.distance_text(),
        "commune": check.commune_name,
        "code": check.commune_code,
    }
    if check.status == OUTSIDE_COMMUNE:
        message = _(
            "The point is %(distance)s outside the commune of %(commune)s (%(code)s): "
            "check the latitude and longitude."
        )
    else:
        message = _("The point is %(distance)s outside the territory: check the latitude and longitude.")
    raise EstablishmentError(str(message) % values, field="latitude")


#: What an edit changes, named as the re-import names it (``tremplin.imports.services.TRACKED_FIELDS``).
_HAND_CORRECTED = {
    "name": "name",
    "naf_code": "naf_code",
    "headcount_band": "headcount_band",
    "commune": "commune",
    "address": "address",
    "location": "location",
}


def _validate(establishment: Establishment) -> None:
    try:
        establishment.full_clean()
    except ValidationError as error:
        fields = [name for name in getattr(error, "error_dict", {}) if name != "__all__"]
        raise EstablishmentError(" ".join(error.messages), field=fields[0] if fields else None) from None


def _loggable(value):
    if hasattr(value, "pk"):
        return str(value)
    return value


@transaction.atomic
def create_establishment(territory, *, by, submission_key: str | None = None, **fields) -> Establishment:
    """Create an establishment by hand. Coordinates are optional (see :func:`_place`). With the form's
    ``submission_key``, a second call returns the establishment the first one created."""
    _require_team(by, territory.pk)

    def create():
        establishment = Establishment(territory=territory, origin=DataOrigin.MANUAL, **fields)
        _place(establishment)
        _validate(establishment)
        _check_location(establishment)
        establishment.save()
        log_action(by, "establishment.created", establishment, territory=territory, siret=establishment.siret)
        return establishment

    return submit_once(submission_key, by=by, create=create)


@transaction.atomic
def update_establishment(
    establishment: Establishment, *, by, expected_version: int | None = None, **changes
) -> Establishment:
    """Change an establishment's identity, location or engagement; the audit records each change.

    ``expected_version``: the version the change was made from; :class:`EditConflict` when the
    establishment changed since (unless the change asks for exactly what is recorded now).

    A point given by hand is checked against the commune's boundary. The identity and location fields
    this edit changes are recorded as corrected by hand (``hand_corrected``): a re-import keeps them
    unless the officer takes the file's value.
    """
    establishment = (
        Establishment.objects.select_for_update().select_related("territory").get(pk=establishment.pk)
    )
    _require_team(by, establishment.territory_id)
    current_version = establishment.version
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
    if expected_version is not None and expected_version != current_version:
        raise EditConflict(Establishment.objects.get(pk=establishment.pk))
    if "location" in changed:
        _check_location(establishment)
        establishment.location_note = ""
    corrected = [_HAND_CORRECTED[name] for name in changed if name in _HAND_CORRECTED]
    if "location" in corrected and establishment.location_precision != LocationPrecision.ADDRESS:
        corrected.remove("location")  # coordinates emptied: the file's point is welcome
    establishment.hand_corrected = sorted(set(establishment.hand_corrected) | set(corrected))
    establishment.version = current_version + 1
    establishment.save()
    log_action(
        by,
        "establishment.updated",
        establishment,
        territory=establishment.territory,
        changes=changed,
        version=establishment.version,
    )
    return establishment


CONTACT_FIELDS = ("name", "job_title", "email", "phone", "notes")


@transaction.atomic
def add_contact(
    establishment: Establishment, *, by, submission_key: str | None = None, **fields
) -> EstablishmentContact:
    """Add a person to an establishment's contacts (once per form: see ``submission_key``)."""
    _require_team(by, establishment.territory_id)

    def create():
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
            contact_id=contact.pk,
        )
        return contact

    return submit_once(submission_key, by=by, create=create)


@transaction.atomic
def update_contact(
    contact: EstablishmentContact, *, by, expected_version: int | None = None, **fields
) -> EstablishmentContact:
    """Change a contact; :class:`EditConflict` when it changed since ``expected_version``."""
    contact = (
        EstablishmentContact.objects.select_for_update()
        .select_related("establishment__territory")
        .get(pk=contact.pk)
    )
    _require_team(by, contact.establishment.territory_id)
    changed = [name for name, value in fields.items() if getattr(contact, name) != value]
    for name, value in fields.items():
        setattr(contact, name, value)
    try:
        contact.full_clean()
    except ValidationError as error:
        raise EstablishmentError(" ".join(error.messages)) from None
    if changed:
        if expected_version is not None and expected_version != contact.version:
            raise EditConflict(EstablishmentContact.objects.get(pk=contact.pk))
        contact.version += 1
        contact.save()
        establishment = contact.establishment
        log_action(
            by,
            "establishment.contact.updated",
            establishment,
            territory=establishment.territory,
            contact_id=contact.pk,
            fields=changed,
        )
    return contact


@transaction.atomic
def remove_contact(contact: EstablishmentContact, *, by, expected_version: int | None = None) -> None:
    """Remove a contact; :class:`EditConflict` when it changed since ``expected_version`` (the person
    confirmed the removal of what they saw, not of what someone recorded since)."""
    contact = (
        EstablishmentContact.objects.select_for_update()
        .select_related("establishment__territory")
        .get(pk=contact.pk)
    )
    establishment = contact.establishment
    _require_team(by, establishment.territory_id)
    if expected_version is not None and expected_version != contact.version:
        raise EditConflict(contact)
    pk = contact.pk
    contact.delete()
    log_action(
        by,
        "establishment.contact.removed",
        establishment,
        territory=establishment.territory,
        contact_id=pk,
    )
