"""Calls for applications: creation and edition by the programme team, criteria, committee."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.accounts.models import Role
from tremplin.audit.log import log_action
from tremplin.programme.exceptions import ProgrammeError
from tremplin.programme.models import Call, CommitteeSeat, Criterion
from tremplin.programme.services.permissions import require_programme_team

CALL_FIELDS = (
    "title",
    "region",
    "description",
    "opens_at",
    "deadline",
    "places",
    "require_fiscalite_propre",
    "require_transition_strategy",
    "require_plpdma",
    "exclude_pnsi",
    "contact_email",
)
CRITERION_FIELDS = ("code", "label", "weight", "max_score", "position")


def _check_dates(fields):
    if fields["deadline"] <= fields["opens_at"]:
        raise ProgrammeError(_("The deadline must come after the opening."))


@transaction.atomic
def create_call(*, by, fields: dict, now=None) -> Call:
    require_programme_team(by, Call(region=fields["region"]) if fields.get("region") else None)
    _check_dates(fields)
    call = Call.objects.create(**{name: fields[name] for name in CALL_FIELDS if name in fields})
    log_action(by, "call.created", call, call=call, at=now, title=call.title)
    return call


@transaction.atomic
def update_call(call: Call, *, by, fields: dict, now=None) -> Call:
    require_programme_team(by, call)
    if fields.get("region") is not None:
        require_programme_team(by, Call(region=fields["region"]))
    if call.is_decided:
        raise ProgrammeError(_("The selection of this call has been made: it can no longer be changed."))
    _check_dates(fields)
    changed = {}
    for name in CALL_FIELDS:
        if name in fields and getattr(call, name) != fields[name]:
            changed[name] = str(fields[name])
            setattr(call, name, fields[name])
    call.save()
    if changed:
        log_action(by, "call.changed", call, call=call, at=now, fields=changed)
    return call


@transaction.atomic
def save_criteria(call: Call, rows: list[dict], *, by, now=None) -> list[Criterion]:
    """Create, change or delete the call's criteria. ``rows`` are dicts of CRITERION_FIELDS with an
    optional ``criterion`` (the existing one) and ``delete`` flag. A criterion already scored cannot be
    deleted, and nothing changes once the selection is made."""
    require_programme_team(by, call)
    if call.is_decided:
        raise ProgrammeError(_("The selection of this call has been made: it can no longer be changed."))
    now = now or timezone.now()
    # Compared with what is recorded, not with the instances given (a form's validation writes into
    # its instance: compared with itself, a change would never be seen, nor saved).
    stored = {criterion.pk: criterion for criterion in call.criteria.select_for_update()}
    rows = [
        row | {"criterion": stored.get(row["criterion"].pk, row["criterion"])}
        if row.get("criterion")
        else row
        for row in rows
    ]
    _check_codes_stay_unique(call, rows)
    # A code handed from one criterion to another (a swap) must not meet itself on the way: the
    # criteria whose code changes take a provisional one first.
    for row in rows:
        criterion = row.get("criterion")
        if criterion is not None and not row.get("delete") and criterion.code != row["code"]:
            Criterion.objects.filter(pk=criterion.pk).update(code=f"~{criterion.pk}")
    for row in rows:
        criterion = row.get("criterion")
        if row.get("delete"):
            if criterion is None:
                continue
            if criterion.scores.exists():
                raise ProgrammeError(
                    _("“%(label)s” has already been scored: it cannot be deleted.")
                    % {"label": criterion.label}
                )
            log_action(by, "criterion.deleted", call, call=call, at=now, code=criterion.code)
            criterion.delete()
            continue
        values = {name: row[name] for name in CRITERION_FIELDS}
        if criterion is None:
            criterion = Criterion.objects.create(call=call, **values)
            log_action(by, "criterion.created", call, call=call, at=now, **_plain(values))
        elif any(getattr(criterion, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(criterion, name, value)
            criterion.save()
            log_action(by, "criterion.changed", call, call=call, at=now, **_plain(values))
    return list(call.criteria.all())


def _check_codes_stay_unique(call: Call, rows: list[dict]) -> None:
    """Each criterion of a call has its own code (the ranking and the scores name them by it)."""
    codes = dict(call.criteria.values_list("pk", "code"))
    new_codes = []
    for row in rows:
        criterion = row.get("criterion")
        if criterion is not None and criterion.call_id != call.pk:
            raise ProgrammeError(_("This criterion belongs to another call."))
        if criterion is not None:
            if row.get("delete"):
                codes.pop(criterion.pk, None)
            else:
                codes[criterion.pk] = row["code"]
        elif not row.get("delete"):
            new_codes.append(row["code"])
    seen = set()
    for code in [*codes.values(), *new_codes]:
        if code in seen:
            raise ProgrammeError(
                _("Two criteria have the code “%(code)s”: give each criterion its own code.") % {"code": code}
            )
        seen.add(code)


def _plain(values: dict) -> dict:
    return {name: str(value) for name, value in values.items()}


@transaction.atomic
def add_committee_member(call: Call, *, by, member, organisation: str = "", now=None) -> CommitteeSeat:
    require_programme_team(by, call)
    if not member.memberships.filter(role=Role.COMMITTEE_MEMBER).exists():
        raise ProgrammeError(_("This person does not hold the committee-member role."))
    seat, created = CommitteeSeat.objects.get_or_create(
        call=call, member=member, defaults={"organisation": organisation}
    )
    if created:
        log_action(
            by,
            "committee.seat.added",
            call,
            call=call,
            at=now,
            member_id=member.pk,  # the name is read when shown: an erased member reads as such
            organisation=organisation,
        )
    return seat


@transaction.atomic
def remove_committee_member(seat: CommitteeSeat, *, by, now=None) -> None:
    require_programme_team(by, seat.call)
    if seat.member.scores.filter(application__call=seat.call).exists():
        raise ProgrammeError(_("This member has already scored applications: the seat is kept."))
    log_action(by, "committee.seat.removed", seat.call, call=seat.call, at=now, member_id=seat.member_id)
    seat.delete()
