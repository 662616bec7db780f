"""What every coaching record owned by a territory shares: its participation, and who may see it."""

from django.db import models

from tremplin.accounts.scoping import scope_for


class TerritoryOwnedQuerySet(models.QuerySet):
    """Records of a territory's participation: its team and the programme team see them, nobody else.

    Subclasses name the lookup that leads from the record to its territory.
    """

    territory_lookup = "participation__territory_id"

    def visible_to(self, user):
        scope = scope_for(user)
        if scope.is_programme_team:
            return self.all()
        return self.filter(**{f"{self.territory_lookup}__in": scope.team_territory_ids})

    def of(self, participation):
        return self.filter(participation=participation)


class ParticipationItem(models.Model):
    """A line of a workshop deliverable, owned by one participation."""

    participation = models.ForeignKey(
        "programme.Participation", on_delete=models.CASCADE, related_name="%(class)s_items"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TerritoryOwnedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["pk"]
