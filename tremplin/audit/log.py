from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tremplin.audit.models import AuditEntry


def log_action(actor, action: str, target=None, *, territory=None, call=None, at=None, **data) -> AuditEntry:
    """Record a business action. Call it inside the operation's transaction, after the change.

    ``data`` holds what a reader of the journal needs without the object's current state (old and new
    values, justification, counts); it must be JSON-serialisable.
    """
    by_person = actor is not None and actor.is_authenticated
    return AuditEntry.objects.create(
        actor=actor if by_person else None,
        by_person=by_person,
        action=action,
        territory=territory,
        call=call,
        at=at or timezone.now(),
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False) if target else None,
        target_id=str(target.pk) if target else "",
        data=data,
    )
