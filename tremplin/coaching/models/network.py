"""The programme's network (Club EIT): good practices the territories choose to share."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scoped
from tremplin.coaching.models.base import TerritoryOwnedQuerySet


class GoodPracticeQuerySet(TerritoryOwnedQuerySet):
    def shared(self):
        return self.filter(shared=True)


@scoped
class GoodPractice(models.Model):
    participation = models.ForeignKey(
        "programme.Participation", on_delete=models.CASCADE, related_name="good_practices"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(
        _("description"),
        help_text=_(
            "Never write confidential company data here: shared practices are read by the whole network."
        ),
    )
    shared = models.BooleanField(_("shared with the network"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoodPracticeQuerySet.as_manager()

    class Meta:
        ordering = ["participation", "-created_at"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self):
        return self.title
