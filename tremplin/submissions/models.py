from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A create form that was sent, and the object it created.

    ``key`` is a digest of the form's random key and of the person who sent it, so that a key copied
    from someone else's page never reaches their object. Rows are purged after
    ``SUBMISSION_RETENTION_DAYS`` (``tremplin purge``): a form is not re-posted days later.
    """

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.target_type_id}:{self.target_id}"
