"""The journal in plain words: every action code has a sentence, and its data is rendered for a reader.

Every page that shows audit entries goes through :func:`describe_entries`, never through the raw
``action`` code or ``data`` dictionary. Names (people, establishments, EPCIs, criteria) are looked up
when the page is shown, not copied into the log, so that a person whose account was erased reads as
such. A new action code needs its sentence here: ``tests/audit/test_display.py`` finds every code the
operations write and fails, naming it, when one has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import prefetch_related_objects
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

__all__ = ["ActionText", "DisplayedEntry", "describe", "describe_entries", "register", "registered_codes"]


@dataclass(frozen=True)
class ActionText:
    """How one action code reads: a sentence with ``%(name)s`` placeholders (names of the entry's data,
    or ``target``, ``person``, ``establishment``, ``territory``), and the data shown as details."""

    sentence: object  # a lazy string, or a callable(values) returning one
    details: tuple[str, ...] = ()
    #: "app_label.Model" whose field names the data's ``fields`` / ``changes`` keys are.
    fields_of: str = ""


@dataclass
class DisplayedEntry:
    entry: object
    at: dt.datetime
    actor: str
    sentence: str
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.entry.action


_REGISTRY: dict[str, ActionText] = {}


def register(code: str, sentence, *details: str, fields_of: str = "") -> None:
    _REGISTRY[code] = ActionText(sentence, tuple(details), fields_of)


def registered_codes() -> set[str]:
    return set(_REGISTRY)


# --- Values --------------------------------------------------------------------------------------------

ERASED_PERSON = _("an erased person")
REMOVED_CONTACT = _("(since removed)")
DELETED = _("(since deleted)")
NOTHING = "—"

DETAIL_LABELS = {
    "after": _("After"),
    "application_id": _("Application"),
    "before": _("Before"),
    "changes": _("Changes"),
    "consent": _("Consent"),
    "corrected": _("Correction of a year already entered"),
    "created": _("Created"),
    "decided_as": _("Decided as"),
    "due_on": _("Due on"),
    "eligible": _("Eligibility"),
    "email": _("E-mail address"),
    "establishment": _("Establishment"),
    "establishment_id": _("Establishment"),
    "establishments": _("Establishments counted"),
    "expected_on": _("Expected on"),
    "expires_at": _("Valid until"),
    "failures": _("Rules not met"),
    "fields": _("Fields"),
    "filename": _("File"),
    "frozen_at": _("Figures as of"),
    "function": _("Function"),
    "inputs": _("Needs (inputs)"),
    "justification": _("Justification"),
    "kept": _("Corrections by hand kept"),
    "kind": _("Kind"),
    "located_in_commune": _("Placed at the commune's centre"),
    "max_score": _("Highest score"),
    "member": _("Member"),
    "mode": _("Mode"),
    "note": _("Note"),
    "objective": _("Objective"),
    "organisation": _("Organisation"),
    "outputs": _("Gisements (outputs)"),
    "places": _("Places"),
    "position": _("Position"),
    "proposed": _("EPCIs proposed by the ranking"),
    "reason": _("Reason"),
    "rows": _("Rows read"),
    "score": _("Potential score"),
    "selected": _("EPCIs selected"),
    "siret": _("SIRET"),
    "skipped_inactive": _("Closed establishments skipped"),
    "skipped_outside": _("Establishments outside the territory skipped"),
    "synergies": _("Synergies"),
    "take_file": _("Corrections by hand replaced by the file's value"),
    "updated": _("Updated"),
    "via": _("How"),
    "weight": _("Weight"),
    "year": _("Year"),
    "confirmed": _("Confirmed"),
    "file_date": _("File date"),
    "flows_created": _("Flows created"),
    "flows_replaced": _("Flows replaced"),
    "installations": _("Installations"),
    "matched": _("Matched"),
    "matched_by": _("Matched by"),
    "outside": _("Outside the territory"),
    "rejected": _("Rejected"),
    "rubriques": _("Rubriques"),
    "source": _("Source"),
}

VIA_LABELS = {
    "access_request": _("request to join the team, accepted"),
    "admin": _("administration site"),
    "invitation": _("questionnaire invitation"),
    "programme": _("by the programme team"),
    "seed": _("demonstration data"),
    "selection": _("selection of the application"),
    "site": _("login form"),
    "team": _("by the territory team"),
}

DECIDED_AS_LABELS = {
    "territory_team": _("member of the territory team"),
    "programme_team": _("programme team"),
}

FLOW_LABEL = _("The flow")

FLOW_FIELD_LABELS = {
    "direction": _("direction"),
    "resource": _("resource"),
    "quantity": _("quantity"),
    "unit": _("unit"),
    "frequency": _("frequency"),
    "quality_notes": _("quality notes"),
    "current_route": _("current route"),
    "current_cost_eur_per_year": _("current cost (€ per year)"),
    "confidential": _("confidential"),
    "basis": _("basis"),
}


def _choice_label(choices_path: str, value) -> str:
    module_path, _sep, name = choices_path.rpartition(".")
    from importlib import import_module

    choices = getattr(import_module(module_path), name)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _yes_no(value) -> str:
    return str(_("Yes")) if value else str(_("No"))


def _plain(value) -> str:
    """Any JSON value, readable: no brackets, quotes or Python names."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int | float):
        return formats.number_format(value, use_l10n=True, force_grouping=abs(value) >= 10000)
    if isinstance(value, list | tuple):
        return ", ".join(_plain(item) for item in value) or NOTHING
    if isinstance(value, dict):
        return (
            "; ".join(f"{key.replace('_', ' ')} : {_plain(item)}" for key, item in value.items()) or NOTHING
        )
    if isinstance(value, str):
        return _date_or_text(value)
    return str(value)


def _date_or_text(value: str) -> str:
    if len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    return value


def _field_label(model_path: str, name: str) -> str:
    if model_path:
        try:
            return str(apps.get_model(model_path)._meta.get_field(name).verbose_name)
        except (LookupError, FieldDoesNotExist):
            pass
    if name == "location":
        return str(_("location"))
    return name.replace("_", " ")


class _Resolver:
    """Looks names up once per page (people, establishments, EPCIs)."""

    def __init__(self, entries: list):
        from tremplin.accounts.models import User
        from tremplin.establishments.models import Establishment, EstablishmentContact
        from tremplin.geo.models import Epci
        from tremplin.synergies.models import SynergyAction

        user_ids, establishment_ids, sirens, emails = set(), set(), set(), set()
        contact_ids, action_ids = set(), set()
        for entry in entries:
            data = entry.data or {}
            for key in ("user_id", "member_id"):
                if isinstance(data.get(key), int):
                    user_ids.add(data[key])
            for key in ("establishment_id", "establishment"):
                if isinstance(data.get(key), int):
                    establishment_ids.add(data[key])
            for key in ("epci", "selected", "proposed"):
                value = data.get(key)
                sirens.update(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
            if isinstance(data.get("member"), str):
                emails.add(data["member"].lower())
            if isinstance(data.get("contact_id"), int) and entry.action.startswith("establishment.contact."):
                contact_ids.add(data["contact_id"])
            if isinstance(data.get("action_id"), int) and entry.action.startswith("synergy.action."):
                action_ids.add(data["action_id"])
        self.users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
        self.users_by_email = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
        self.establishments = dict(
            Establishment.objects.filter(pk__in=establishment_ids).values_list("pk", "name")
        )
        self.epcis = dict(Epci.objects.filter(siren__in=sirens).values_list("siren", "name"))
        self.contacts = dict(
            EstablishmentContact.objects.filter(pk__in=contact_ids).values_list("pk", "name")
        )
        self.action_owners = {
            action.pk: action.owner_label
            for action in SynergyAction.objects.filter(pk__in=action_ids).select_related("owner")
        }

    def contact(self, pk) -> str:
        return self.contacts.get(pk) or str(REMOVED_CONTACT)

    def action_owner(self, pk) -> str:
        return self.action_owners.get(pk) or NOTHING

    def person(self, user_id) -> str:
        user = self.users.get(user_id)
        return str(user) if user is not None else str(ERASED_PERSON)

    def member(self, email) -> str:
        user = self.users_by_email.get(str(email).lower())
        return str(user) if user is not None else str(email)

    def establishment(self, pk) -> str:
        return self.establishments.get(pk) or str(DELETED)

    def epci(self, siren) -> str:
        return self.epcis.get(siren, siren)


def _criterion_label(entry, code) -> str:
    if entry.call_id is not None:
        from tremplin.programme.models import Criterion

        label = (
            Criterion.objects.filter(call_id=entry.call_id, code=code).values_list("label", flat=True).first()
        )
        if label:
            return label
    return str(code)


def _eligibility(value) -> str:
    if value is None:
        return str(_("not assessed"))
    return str(_("eligible")) if value else str(_("not eligible"))


def _score(value) -> str:
    if not value:
        return str(_("no score"))
    text = _plain(value.get("value"))
    if value.get("comment"):
        text += f" (« {value['comment']} »)"
    return text


def _failure_messages(codes) -> str:
    from tremplin.programme.services.eligibility import failure_message

    return " ".join(str(failure_message(code)) for code in codes or []) or NOTHING


def _flow_changes(before, after) -> str:
    before, after = before or {}, after or {}
    parts = []
    for name, label in FLOW_FIELD_LABELS.items():
        if before.get(name) != after.get(name):
            parts.append(
                f"{label} : {_flow_value(name, before.get(name))} → {_flow_value(name, after.get(name))}"
            )
    return "; ".join(parts) or NOTHING


def _flow_value(name, value) -> str:
    if value is None or value == "":
        return NOTHING
    if name == "resource":
        from tremplin.flows import catalogue

        return str(catalogue.resource_label(value))
    if name == "direction":
        return _choice_label("tremplin.flows.models.Direction", value)
    if name == "basis":
        return _choice_label("tremplin.flows.models.Basis", value)
    if name == "frequency":
        from tremplin.flows.quantities import Frequency

        return str(dict(Frequency.CHOICES).get(value, value))
    return _plain(value)


def _flow_summary(snapshot) -> str:
    if not snapshot:
        return NOTHING
    parts = [f"{_plain(snapshot.get('quantity'))} {snapshot.get('unit') or ''}".strip()]
    if snapshot.get("frequency"):
        parts.append(_flow_value("frequency", snapshot["frequency"]))
    if snapshot.get("current_route"):
        parts.append(str(snapshot["current_route"]))
    return " · ".join(part for part in parts if part)


class _Values:
    """The mapping a sentence is formatted with: each name computed on demand, readable."""

    def __init__(self, entry, resolver: _Resolver, text: ActionText):
        self.entry, self.resolver, self.text = entry, resolver, text
        self.data = entry.data or {}

    def __getitem__(self, name):
        return self.value(name)

    def get(self, name, default=None):
        return self.data.get(name, default)

    def value(self, name) -> str:
        entry, data, resolver = self.entry, self.data, self.resolver
        raw = data.get(name)
        if name == "target":
            return self._target()
        if name == "person":
            return resolver.person(data.get("user_id"))
        if name == "territory":
            return str(entry.territory) if entry.territory_id else NOTHING
        if name in ("establishment", "establishment_id"):
            return resolver.establishment(raw) if raw is not None else NOTHING
        if name == "role":
            return _choice_label("tremplin.accounts.models.Role", raw)
        if name == "function":
            return _choice_label("tremplin.accounts.models.TerritoryFunction", raw) if raw else NOTHING
        if name == "via":
            return str(VIA_LABELS.get(raw, raw or NOTHING))
        if name == "decided_as":
            return str(DECIDED_AS_LABELS.get(raw, raw or NOTHING))
        if name == "epci":
            return resolver.epci(raw)
        if name in ("selected", "proposed"):
            return ", ".join(resolver.epci(siren) for siren in raw or []) or NOTHING
        if name == "selected_count":
            return _plain(len(data.get("selected") or []))
        if name == "member":
            if "member_id" in data:
                return resolver.person(data["member_id"])
            return resolver.member(raw)  # entries written before members were stored by identifier
        if name == "invitee":
            return self._invitee()
        if name == "contact" and "contact_id" in data and entry.action.startswith("establishment.contact."):
            # Named when shown, from the contact record (entries written before quoted the name).
            return resolver.contact(data["contact_id"]) if raw is None else _plain(raw)
        if name == "owner_name" and entry.action == "synergy.action.added":
            return _plain(raw) if raw else resolver.action_owner(data.get("action_id"))
        if name == "criterion":
            return _criterion_label(entry, raw)
        if name == "eligible" or (name in ("before", "after") and entry.action.endswith(".overridden")):
            return _eligibility(raw)
        if name == "failures":
            return _failure_messages(raw)
        if name in ("before", "after") and entry.action == "score.changed":
            return _score(raw)
        if name == "changes" and entry.action.startswith("flow."):
            return _flow_changes(data.get("before"), data.get("after"))
        if name == "after" and entry.action.startswith("flow."):
            return _flow_summary(raw)
        if name == "before" and entry.action.startswith("flow."):
            return _flow_summary(raw)
        if name == "resource":
            return _flow_value("resource", raw)
        if name == "direction":
            return _flow_value("direction", raw)
        if name == "from_status" or name == "to_status":
            return _choice_label("tremplin.synergies.enums.Status", raw) if raw else NOTHING
        if name == "reason" and entry.action == "synergy.status.changed":
            return _choice_label("tremplin.synergies.enums.AbandonReason", raw) if raw else NOTHING
        if name == "previous" and entry.action == "synergy.consent.recorded":
            answered = raw in ("accepted", "declined")  # "it had not answered yet" tells nothing
            return _choice_label("tremplin.synergies.enums.Consent", raw) if answered else NOTHING
        if name == "consent":
            return _choice_label("tremplin.synergies.enums.Consent", raw)
        if name == "on_behalf":
            return str(_("recorded by the territory team") if raw else _("given by the company"))
        if name == "mode":
            return _choice_label("tremplin.synergies.enums.DetectionMode", raw)
        if name == "objective":
            return _choice_label("tremplin.synergies.enums.Objective", raw)
        if name == "kind" and entry.action == "report.frozen":
            return _choice_label("tremplin.reports.models.ReportKind", raw)
        if name == "kind" and entry.action == "establishments.imported":
            from tremplin.establishments.importers import IMPORTERS

            importer = IMPORTERS.get(raw)
            return str(importer.label) if importer else _plain(raw)
        if name in ("fields", "kept") and isinstance(raw, list):
            return ", ".join(_field_label(self.text.fields_of, item) for item in raw) or NOTHING
        if name in ("fields", "changes") and isinstance(raw, dict):
            return self._changes(raw)
        return _plain(raw)

    def _changes(self, changes: dict) -> str:
        parts = []
        for name, value in changes.items():
            label = _field_label(self.text.fields_of, name)
            if isinstance(value, list) and len(value) == 2 and name != "location":
                parts.append(f"{label} : {_plain(value[0])} → {_plain(value[1])}")
            elif name == "location":
                parts.append(str(label))
            else:
                parts.append(f"{label} : {_plain(value)}")
        return "; ".join(parts) or NOTHING

    def _invitee(self) -> str:
        """The invited address, read from the invitation itself: once the invitation is purged or the
        person erased, the journal keeps the action without the address."""
        invitation = self.entry.target if self.entry.target_type_id else None
        if invitation is not None and getattr(invitation, "email", ""):
            return invitation.email
        if self.data.get("email"):  # entries written before invitations were stored by identifier
            return str(self.data["email"])
        return str(ERASED_PERSON)

    def _target(self) -> str:
        entry = self.entry
        if entry.target_type_id is None:
            return NOTHING
        target = entry.target
        if target is None:
            user_model = apps.get_model("accounts", "User")
            if entry.target_type.model_class() is user_model:
                return str(ERASED_PERSON)
            return str(DELETED)
        if target._meta.label_lower == "programme.application":
            return target.epci.name  # the journal of a call: its title would only repeat itself
        return str(target)


def _actor(entry) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    if entry.by_person:
        return str(ERASED_PERSON).capitalize()
    return str(_("The platform"))


def _unknown_sentence(entry) -> str:
    # Never shown in a tested build (every code has its sentence); kept readable all the same.
    return str(_("Action recorded (%(code)s)")) % {"code": entry.action.replace(".", " ").replace("_", " ")}


def _describe(entry, resolver: _Resolver) -> DisplayedEntry:
    text = _REGISTRY.get(entry.action)
    if text is None:
        return DisplayedEntry(entry, entry.at, _actor(entry), _unknown_sentence(entry))
    values = _Values(entry, resolver, text)
    sentence = text.sentence(values) if callable(text.sentence) else text.sentence
    details = []
    for name in text.details:
        # The owner of an action is read from the action, never copied into the entry.
        if name not in values.data and name not in ("changes", "owner_name"):
            continue
        shown = values.value(name)
        if shown != NOTHING:
            label = FLOW_LABEL if entry.action.startswith("flow.") and name in ("before", "after") else None
            details.append((str(label or DETAIL_LABELS.get(name, name.replace("_", " "))), shown))
    return DisplayedEntry(entry, entry.at, _actor(entry), str(sentence) % values, details)


def describe_entries(entries: Iterable) -> list[DisplayedEntry]:
    entries = list(entries)
    prefetch_related_objects([entry for entry in entries if entry.target_type_id], "target")
    resolver = _Resolver(entries)
    return [_describe(entry, resolver) for entry in entries]


def describe(entry) -> DisplayedEntry:
    return describe_entries([entry])[0]


def _when(condition: Callable, if_true, if_false):
    return lambda values: if_true if condition(values) else if_false


# --- Sentences, one per action code (the journal's column "What") ---------------------------------------

# Accounts and roles
register(
    "account.signed_up", _("%(target)s signed up; the account waits for its e-mail address to be confirmed")
)
register("account.confirmed", _("Confirmed the e-mail address of the account and chose a password"))
register("account.login.succeeded", _("Signed in"), "via")
register(
    "account.login.failed",
    _when(
        lambda values: values.get("known_account"),
        _("Failed sign-in to the account of %(target)s"),
        _("Failed sign-in with an address that has no account"),
    ),
    "via",
)
register(
    "account.login.locked",
    _("Sign-in locked after %(failures)s failures for the account of %(target)s"),
    "via",
)
register("role.granted", _("Gave the role “%(role)s” to %(person)s"), "function", "establishment_id", "via")
register(
    "role.revoked", _("Removed the role “%(role)s” from %(person)s"), "function", "establishment_id", "reason"
)
register(
    "access.requested", _("Opened a request from %(person)s to join the territory's team"), "function", "via"
)
register(
    "access.accepted",
    _("Accepted the request of %(person)s to join the team"),
    "function",
    "decided_as",
    "note",
)
register("access.refused", _("Refused the request of %(person)s to join the team"), "decided_as", "note")

# Calls for applications, applications, committee, selection
register("call.created", _("Created the call “%(title)s”"))
register("call.changed", _("Changed the call"), "fields", fields_of="programme.Call")
register("criterion.created", _("Added the criterion “%(label)s”"), "weight", "max_score")
register("criterion.changed", _("Changed the criterion “%(label)s”"), "weight", "max_score", "position")
register("criterion.deleted", _("Deleted the criterion “%(code)s”"))
register("committee.seat.added", _("Seated %(member)s on the committee"), "organisation")
register("committee.seat.removed", _("Removed %(member)s from the committee"))
register(
    "committee.reminded",
    _("Reminded a committee member of the applications left to score"),
    "member_id",
    "not_scored",
)
DETAIL_LABELS.update({"not_scored": _("Applications left to score")})
register("application.created", _("Started an application for %(epci)s"))
register(
    "application.draft.saved",
    _("Saved the draft application of %(target)s"),
    "fields",
    fields_of="programme.Application",
)
register("application.submitted", _("Submitted the application of %(target)s"))
register(
    "application.eligibility.assessed", _("Assessed the eligibility of %(target)s: %(eligible)s"), "failures"
)
register(
    "application.eligibility.overridden",
    _("Overrode the eligibility of %(target)s"),
    "before",
    "after",
    "justification",
)
register(
    "application.potential.computed",
    _("Computed the synergy potential of %(target)s"),
    "score",
    "establishments",
)
register("application.deliberation.attached", _("Attached the council deliberation of %(target)s"))
register(
    "application.deliberation.expected",
    _("Gave the date the council deliberation of %(target)s is expected"),
    "expected_on",
)
register("application.selected", _("Selected the application of %(target)s"))
register("application.not_selected", _("Did not select the application of %(target)s"))
register("score.changed", _("Scored “%(criterion)s” for %(target)s"), "before", "after")
register(
    "selection.made",
    _("Made the selection: %(selected_count)s applications for %(places)s places"),
    "selected",
    "proposed",
    "justification",
)
register("selection.notified", _("Sent every applicant its outcome (%(messages)s e-mails)"))

# Establishments and their contacts
register("establishment.created", _("Entered the establishment %(target)s by hand"), "siret")
register(
    "establishment.updated",
    _("Changed the establishment %(target)s"),
    "changes",
    fields_of="establishments.Establishment",
)
register("establishment.contact.added", _("Added the contact %(contact)s to %(target)s"))
register(
    "establishment.contact.updated",
    _("Changed the contact %(contact)s of %(target)s"),
    "fields",
    fields_of="establishments.EstablishmentContact",
)
register("establishment.contact.removed", _("Removed the contact %(contact)s from %(target)s"))
register(
    "establishment.import.updated",
    _("An import changed the establishment %(target)s"),
    "changes",
    "kept",
    fields_of="establishments.Establishment",
)
register("establishments.import.confirmed", _("Confirmed the import %(target)s"), "take_file")
register("establishments.import.cancelled", _("Cancelled the import %(target)s"))
register(
    "establishments.import.expired",
    _("Cancelled the import %(target)s, left unconfirmed past its retention"),
    "retention_days",
)
register(
    "establishments.imported",
    _("Imported establishments: %(kind)s"),
    "filename",
    "rows",
    "created",
    "updated",
    "skipped_inactive",
    "skipped_outside",
    "located_in_commune",
)

# Flows and the company questionnaire
register("flow.created", _("Declared a flow of %(establishment_id)s: %(resource)s"), "after")
register("flow.updated", _("Changed a flow of %(establishment_id)s: %(resource)s"), "changes")
register("flow.deleted", _("Deleted a flow of %(establishment_id)s: %(resource)s"), "before")
register(
    "invitation.created", _("Invited %(invitee)s to the questionnaire of %(establishment_id)s"), "expires_at"
)
register("invitation.opened", _("Opened the questionnaire link of %(establishment_id)s"))
register("invitation.renewed", _("Sent a new questionnaire link for %(establishment_id)s"), "expires_at")
register("invitation.revoked", _("Revoked the questionnaire link of %(establishment_id)s"))
register(
    "invitation.expired",
    _("The questionnaire link of %(establishment_id)s expired; the access it granted ended"),
)
register("questionnaire.submitted", _("Sent the questionnaire of %(target)s"), "outputs", "inputs")

# Synergies, detection and reports
register("synergy.detection.started", _("Started a synergy detection"), "mode", "objective")
register("synergy.created", _("Took a lead into the pipeline: %(target)s"))
register("synergy.lead.dismissed", _("Dismissed the lead %(target)s"), "reason")
register("synergy.leads.dismissed", _("Dismissed %(count)s leads of a detection run"), "reason")
register("synergy.detection.failed", _("A synergy detection failed"), "failure", "error", "progress")
register(
    "synergy.status.changed",
    _("Moved %(target)s from “%(from_status)s” to “%(to_status)s”"),
    "reason",
    "note",
)
register("synergy.action.added", _("Added the action “%(title)s” to %(target)s"), "owner_name", "due_on")
register(
    "synergy.action.done",
    _when(
        lambda values: values.get("title"),
        _("Marked the action “%(title)s” of %(target)s as done"),
        _("Marked an action of %(target)s as done"),
    ),
)
register(
    "synergy.action.reopened",
    _when(
        lambda values: values.get("title"),
        _("Reopened the action “%(title)s” of %(target)s"),
        _("Reopened an action of %(target)s"),
    ),
)
register(
    "synergy.consent.recorded",
    lambda values: {
        "accepted": _("%(establishment)s accepts to be introduced to the other participants of %(target)s"),
        "declined": _("%(establishment)s declines to be introduced to the other participants of %(target)s"),
    }.get(values.get("consent"), _("Recorded the answer of %(establishment)s for %(target)s: %(consent)s")),
    "on_behalf",
    "previous",
)
register(
    "synergy.measurement.recorded",
    _("Recorded the measured figures of %(year)s for %(target)s"),
    "tonnes_diverted",
    "eur_saved",
    "eur_earned",
    "co2_avoided_t",
    "jobs",
    "corrected",
    "note",
)
register("report.frozen", _("Froze the report %(target)s"), "kind", "frozen_at", "synergies")

# Coaching (the programme's support of a territory) and personal data
register("coaching.calendar.prefilled", _("Filled the call's calendar from its template"), "created")
register("coaching.event.created", _("Added the event %(target)s to the calendar"))
register("coaching.template.created", _("Created the edition template %(target)s"))
register("coaching.template.updated", _("Changed the edition template %(target)s"), "fields", "changes")
register("coaching.template.duplicated", _("Created the edition template %(target)s as a copy"), "source_id")
register("coaching.template.deleted", _("Deleted an edition template"))
register("coaching.template.event.added", _("Added an event to the edition template %(target)s"), "kind")
register(
    "coaching.template.event.updated",
    _("Changed an event of the edition template %(target)s"),
    "kind",
    "changes",
)
register(
    "coaching.template.event.moved",
    _("Moved an event of the edition template %(target)s"),
    "kind",
    "position",
)
register(
    "coaching.template.event.removed", _("Removed an event from the edition template %(target)s"), "kind"
)
register(
    "coaching.template.deliverable.added", _("Added a deliverable to the edition template %(target)s"), "kind"
)
register(
    "coaching.template.deliverable.updated",
    _("Changed a deliverable of the edition template %(target)s"),
    "kind",
    "changes",
)
register(
    "coaching.template.deliverable.moved",
    _("Moved a deliverable of the edition template %(target)s"),
    "kind",
    "position",
)
register(
    "coaching.template.deliverable.removed",
    _("Removed a deliverable from the edition template %(target)s"),
    "kind",
)
register(
    "coaching.template.applied",
    _("Created the calendar of %(target)s from an edition template"),
    "start",
    "created",
    "deliverables",
    "replaced",
)
register("coaching.event.updated", _("Changed the event %(target)s"), "changes")
register("coaching.event.deleted", _("Deleted an event of the calendar"))
register("coaching.registration.created", _("Registered a participant to %(target)s"))
register("coaching.registration.cancelled", _("Cancelled a registration to an event"))
register("coaching.attendance.recorded", _("Recorded the attendance at %(target)s"))
register("coaching.deliverables.created", _("Opened the deliverables of the support programme"))
register("coaching.deliverable.start", _("Started the deliverable %(target)s"))
register("coaching.deliverable.submit", _("Submitted the deliverable %(target)s to the programme team"))
register("coaching.deliverable.withdraw", _("Withdrew the submission of the deliverable %(target)s"))
register("coaching.deliverable.validate", _("Validated the deliverable %(target)s"))
register("coaching.deliverable.send_back", _("Sent the deliverable %(target)s back for changes"))
register("coaching.item.added", _("Added an item to the deliverable %(target)s"))
register("coaching.item.removed", _("Removed an item from a deliverable"))
register("coaching.perimeter.saved", _("Saved the perimeter of the démarche"))
register("coaching.comment.added", _("Commented on the deliverable %(target)s"))
register("coaching.report.frozen", _("Froze the follow-up report %(target)s"), "as_of")
register("coaching.lessons.saved", _("Saved the lessons of the closing review"))
register("coaching.good_practice.added", _("Shared a good practice with the network"))
register("coaching.good_practice.updated", _("Changed a good practice shared with the network"))
register("coaching.good_practice.removed", _("Removed a good practice from the network"))
register("coaching.support_days.planned", _("Planned the individual support days"), "days")
register("coaching.support_day.added", _("Logged an individual support day"))
register("coaching.support_day.updated", _("Changed an individual support day"), "changes")
register("coaching.support_day.removed", _("Removed an individual support day"))
register(
    "coaching.registrations.bulk_created",
    _("Registered the territory's declared official and officer to the call's events"),
    "created",
    "duplicates",
)
register("coaching.convocations.sent", _("Sent the convocations to %(target)s"), "first", "updates")
register("coaching.calendar_feed.created", _("Created a calendar feed address"))
register("coaching.calendar_feed.renewed", _("Renewed the calendar feed address (the former one stops)"))
register("coaching.calendar_feed.revoked", _("Revoked the calendar feed address"))
register("privacy.exported", _("Exported the personal data held on a person"))
register("privacy.erased", _("Erased the personal data held on a person"))
register("privacy.purged", _("Deleted data past its retention period"))

DETAIL_LABELS.update(
    {
        "tonnes_diverted": _("tonnes diverted"),
        "eur_saved": _("€ saved"),
        "eur_earned": _("€ earned"),
        "co2_avoided_t": _("t CO2e avoided"),
        "jobs": _("jobs created or kept (FTE)"),
        "on_behalf": _("Answer"),
        "owner_name": _("Owner"),
        "previous": _("Previous answer"),
        "duplicates": _("Already registered, skipped"),
        "first": _("First convocations"),
        "updates": _("Updated convocations"),
    }
)

# Workspaces and the applicants' register extracts (issue 10, item 2)
register("territory.created", _("Opened the workspace of %(target)s"), "siren", "origin", "label")
register("register_extract.started", _("Uploaded a SIRENE extract for the applicants"), "filename", "size")
register(
    "register_extract.imported",
    _("Loaded the SIRENE extract %(filename)s into the applicants' workspaces"),
    "stock_date",
    "rows",
    "establishments_kept",
    "applicants",
    "workspaces_created",
)
DETAIL_LABELS.update(
    {
        "siren": _("SIREN"),
        "origin": _("Opened as"),
        "label": _("Name of the workspace"),
        "size": _("Size (bytes)"),
        "stock_date": _("Date of the register stock"),
        "establishments_kept": _("Establishments kept"),
        "applicants": _("Applicants covered"),
        "workspaces_created": _("Workspaces opened"),
        "start": _("Start of the edition"),
        "deliverables": _("Deliverables"),
        "replaced": _("Events replaced"),
        "source_id": _("Copy of"),
    }
)
