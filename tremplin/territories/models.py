"""A territory: the workspace of one EPCI taking part in an EIT programme."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class TerritoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Territory workspaces the user may open.

        The programme team follows every territory (aggregates only: establishment and flow details stay
        behind the establishment scope); a territory team sees its own; a company contact sees the
        territory of its establishment.
        """
        scope = scope_for(user)
        if scope.is_programme_team:
            return self.all()
        return self.filter(pk__in=scope.territory_ids)

    def workspace_of(self, user):
        """Territories whose workspace the user works in (territory team only)."""
        return self.filter(pk__in=scope_for(user).team_territory_ids)


@scoped
class Territory(models.Model):
    epci = models.OneToOneField("geo.Epci", on_delete=models.PROTECT, related_name="territory")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        ordering = ["epci__name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self):
        return self.epci.name

    @property
    def name(self) -> str:
        return self.epci.name
