"""The audit log of business actions: who did what to which object, when, with what data.

Operations (services) write it; nothing else does. Action codes are namespaced, e.g.
``flow.updated``, ``synergy.status.changed``, ``application.submitted``. Entries about a territory's
data carry the territory (its team reads them); entries about a call for applications carry the call
(the programme team's journal).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_for(user)
        if scope.is_programme_team:
            return self.filter(territory__isnull=True)
        return self.filter(territory_id__in=scope.team_territory_ids)

    def for_call(self, call):
        return self.filter(call=call)

    def about(self, obj):
        return self.filter(
            target_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            target_id=str(obj.pk),
        )


@scoped
class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Whether a person did it (False: the platform itself, e.g. a command or an automatic assessment).
    #: Kept apart from ``actor`` so that a person whose account was erased still reads as a person.
    by_person = models.BooleanField(default=False)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    call = models.ForeignKey(
        "programme.Call", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
