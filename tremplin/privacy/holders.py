"""Where personal data is held, and how each kind is exported and erased.

A person is found by e-mail address (case-insensitive) and, for the territory team, by the contact
records it picked; the names read on what was found are then looked for where only a name is stored
(members of a governance body, owners of synergy actions) and blanked in the audit log. Each holder
says whether the territory team may act on it (its records of its own territory) or only the platform
operator (user accounts, applications to a call, login records).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: What an erased name reads afterwards, where a name is required.
ERASED_NAME = "Personne effacée"


@dataclass
class Person:
    """Whom an export or an erasure is about."""

    email: str = ""
    contact_ids: set = field(default_factory=set)
    names: set = field(default_factory=set)  # learnt from the records found

    @property
    def needles(self) -> list[str]:
        """The strings that identify the person in free data (the audit log, frozen reports)."""
        return sorted({text for text in [self.email, *self.names] if text and len(text.strip()) >= 3})


def plain(value):
    """A field's value, JSON-ready and readable."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def fields_of(obj, *, exclude=()) -> dict:
    """Every stored field of a record (related records by their name), except ``exclude``."""
    values = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.name in exclude or model_field.name == "id":
            continue
        values[model_field.name] = plain(getattr(obj, model_field.name))
    return values


@dataclass(frozen=True)
class Holder:
    key: str
    label: str
    #: (person, territory or None for the whole platform) -> queryset of the person's records, or None
    #: when the holder is out of reach of that scope.
    find: Callable
    export: Callable
    #: (record, person) -> None: deletes or anonymises one record (the erasure's transaction is open).
    erase: Callable | None
    #: Names the record gives for the person (looked for elsewhere, blanked in the audit log).
    names: Callable = lambda record: []
    territory_team: bool = True  # False: the platform operator only


def _email_q(person: Person, *fields: str) -> Q | None:
    if not person.email:
        return None
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__iexact": person.email})
    return condition


def _in(territory, lookup: str) -> Q:
    return Q(**{lookup: territory}) if territory is not None else Q()


def _contacts(person: Person, territory):
    from tremplin.establishments.models import EstablishmentContact

    condition = Q(pk__in=person.contact_ids)
    if person.email:
        condition |= _email_q(person, "email")
    return EstablishmentContact.objects.filter(condition, _in(territory, "establishment__territory"))


def _contact_export(contact) -> dict:
    return {"establishment": str(contact.establishment), "siret": contact.establishment.siret} | fields_of(
        contact, exclude=("establishment", "version")
    )


def _invitations(person: Person, territory):
    from tremplin.questionnaire.models import Invitation

    if not person.email:
        return None
    return Invitation.objects.filter(_email_q(person, "email"), _in(territory, "establishment__territory"))


def _users(person: Person, territory):
    from tremplin.accounts.models import User

    if territory is not None or not person.email:
        return None
    return User.objects.filter(_email_q(person, "email"))


def _api_tokens(person: Person, territory):
    from tremplin.api.models import ApiToken

    if territory is not None or not person.email:
        return None
    return ApiToken.objects.filter(_email_q(person, "user__email"))


def _user_export(user) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": plain(user.date_joined),
        "last_login": plain(user.last_login),
        "is_active": user.is_active,
        "roles": [str(membership) for membership in user.memberships.all()],
    }


def _actors(person: Person, territory):
    from tremplin.coaching.models import Actor

    condition = _email_q(person, "email")
    if person.names:
        names = Q()
        for name in person.names:
            names |= Q(contact_name__iexact=name)
        condition = names if condition is None else condition | names
    if condition is None:
        return None
    return Actor.objects.filter(condition, _in(territory, "participation__territory"))


def _erase_actor(actor, person: Person) -> None:
    actor.contact_name, actor.email, actor.phone = "", "", ""
    actor.save(update_fields=["contact_name", "email", "phone"])


def _registrations(person: Person, territory):
    from tremplin.coaching.models import Registration

    condition = _email_q(person, "email")
    for name in person.names:
        condition = (
            Q(person_name__iexact=name) if condition is None else condition | Q(person_name__iexact=name)
        )
    if condition is None:
        return None
    return Registration.objects.filter(condition, _in(territory, "participation__territory"))


def _erase_registration(registration, person: Person) -> None:
    registration.person_name, registration.email = ERASED_NAME, ""
    registration.save(update_fields=["person_name", "email"])


def _by_name(model_label: str, name_field: str, territory_lookup: str):
    def find(person: Person, territory):
        if not person.names:
            return None
        condition = Q()
        for name in person.names:
            condition |= Q(**{f"{name_field}__iexact": name})
        return apps.get_model(model_label).objects.filter(condition, _in(territory, territory_lookup))

    return find


def _erase_member(member, person: Person) -> None:
    member.name = ERASED_NAME
    member.save(update_fields=["name"])


def _erase_action_owner(action, person: Person) -> None:
    action.owner_name = ""
    action.save(update_fields=["owner_name"])


APPLICATION_PEOPLE = (("official_name", "official_email"), ("officer_name", "officer_email"))


def _applications(person: Person, territory):
    from tremplin.programme.models import Application

    if territory is not None or not person.email:
        return None
    return Application.objects.filter(_email_q(person, "official_email", "officer_email"))


def _application_export(application) -> dict:
    data = {"call": str(application.call), "epci": str(application.epci), "status": application.status}
    for name_field, email_field in APPLICATION_PEOPLE:
        data[name_field] = getattr(application, name_field)
        data[email_field] = getattr(application, email_field)
    return data


def _application_names(application) -> list[str]:
    return [getattr(application, name) for name, _email in APPLICATION_PEOPLE if getattr(application, name)]


def _erase_application_person(application, person: Person) -> None:
    changed = []
    for name_field, email_field in APPLICATION_PEOPLE:
        if getattr(application, email_field).lower() == person.email.lower():
            setattr(application, name_field, ERASED_NAME)
            setattr(application, email_field, "")
            changed += [name_field, email_field]
    if changed:
        application.save(update_fields=changed)


def _calls(person: Person, territory):
    from tremplin.programme.models import Call

    if territory is not None or not person.email:
        return None
    return Call.objects.filter(_email_q(person, "contact_email"))


def _erase_call_contact(call, person: Person) -> None:
    call.contact_email = ""
    call.save(update_fields=["contact_email"])


def _login_records(model_name: str):
    """django-axes keeps login attempts by username (the e-mail address) and IP address."""

    def find(person: Person, territory):
        if territory is not None or not person.email or not apps.is_installed("axes"):
            return None
        return apps.get_model("axes", model_name).objects.filter(username__iexact=person.email)

    return find


def _delete(record, person: Person) -> None:
    record.delete()


def _export_fields(*exclude):
    return lambda record: fields_of(record, exclude=exclude)


HOLDERS: tuple[Holder, ...] = (
    Holder(
        "establishment_contacts",
        _("Contacts of establishments"),
        _contacts,
        _contact_export,
        _delete,
        names=lambda contact: [contact.name],
    ),
    Holder(
        "invitations",
        _("Questionnaire invitations"),
        _invitations,
        _export_fields("token_hash"),
        _delete,
    ),
    Holder(
        "user_accounts",
        _("Platform account"),
        _users,
        _user_export,
        None,  # anonymised by the service (roles removed, sessions ended): see services.erase_person
        names=lambda user: [user.get_full_name()],
        territory_team=False,
    ),
    Holder(
        "api_tokens",
        _("Personal API tokens"),
        _api_tokens,
        _export_fields("key_hash", "user"),
        _delete,  # a token of an erased account must never work again
        territory_team=False,
    ),
    Holder(
        "actors",
        _("Actor directory (W3)"),
        _actors,
        _export_fields(),
        _erase_actor,
        names=lambda actor: [actor.contact_name],
    ),
    Holder(
        "registrations",
        _("Registrations to programme events"),
        _registrations,
        _export_fields(),
        _erase_registration,
        names=lambda registration: [registration.person_name],
    ),
    Holder(
        "governance_members",
        _("Members of governance bodies (W2)"),
        _by_name("coaching.GovernanceMember", "name", "participation__territory"),
        _export_fields(),
        _erase_member,
    ),
    Holder(
        "synergy_actions",
        _("Owners of synergy actions"),
        _by_name("synergies.SynergyAction", "owner_name", "synergy__territory"),
        _export_fields(),
        _erase_action_owner,
    ),
    Holder(
        "applications",
        _("Applications to a call (referent official, officer)"),
        _applications,
        _application_export,
        _erase_application_person,
        names=_application_names,
        territory_team=False,
    ),
    Holder(
        "calls",
        _("Contact of a call for applications"),
        _calls,
        _export_fields("description"),
        _erase_call_contact,
        territory_team=False,
    ),
    *(
        Holder(
            f"login_{name.lower()}",
            _("Login records"),
            _login_records(name),
            _export_fields(),
            _delete,
            territory_team=False,
        )
        for name in ("AccessAttempt", "AccessFailureLog", "AccessLog")
    ),
)
