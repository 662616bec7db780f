"""The audit entries of the coaching operations.

Action codes are ``coaching.<thing>.<verb>``. Entries about a territory's records carry the territory
(its team reads them) and the call; entries about the programme's calendar carry the call only (the
programme team's journal). Their data holds identifiers, kinds, dates and statuses, never a person's
name, e-mail or free text: the journal outlives a person's erasure without keeping their data.
"""

from tremplin.audit.log import log_action


def log_coaching(by, action: str, target=None, *, participation=None, call=None, **data):
    territory = participation.territory if participation is not None else None
    if call is None and participation is not None:
        call = participation.call
    return log_action(by, f"coaching.{action}", target, territory=territory, call=call, **data)


def changed_fields(before, after, names) -> dict:
    """``{field: [before, after]}`` for the fields that differ (values as text)."""
    changes = {}
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = [None if old is None else str(old), None if new is None else str(new)]
    return changes
