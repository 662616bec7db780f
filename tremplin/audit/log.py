from django.contrib.contenttypes.models import ContentType

from tremplin.audit.models import AuditEntry


def log_action(actor, action: str, target=None, *, territory=None, **data) -> AuditEntry:
    """Record a business action. Call it inside the operation's transaction, after the change."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        territory=territory,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False) if target else None,
        target_id=str(target.pk) if target else "",
        data=data,
    )
