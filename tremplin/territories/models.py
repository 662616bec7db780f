"""A territory: the workspace of one EPCI, in an EIT programme or outside any.

**Who owns a workspace.** Nobody by creating it: the territory team is the people holding the
"territory team" role on it (``tremplin.accounts``), granted by an invitation or an accepted access
request (the selection opens such a request for the applicant). Until then a workspace has no team: it
is opened either by the programme team for an applicant (``origin`` "applicant": it holds the
applicant EPCI's public register establishments, loaded from a SIRENE extract, so that the objective
synergy potential can be computed before the committee meets) or for a démarche outside any programme
(``origin`` "standalone", ``tremplin create-territory``). The programme team sees every workspace
(aggregates; establishment records stay behind the establishment scope), as it does the others.
"""

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


class TerritoryOrigin(models.TextChoices):
    """Why a workspace was opened."""

    PROGRAMME = "programme", _("Programme territory")
    APPLICANT = "applicant", _("Applicant to a call (register data only)")
    STANDALONE = "standalone", _("Démarche outside any programme")


@scoped
class Territory(models.Model):
    epci = models.OneToOneField("geo.Epci", on_delete=models.PROTECT, related_name="territory")
    #: A name of the démarche, when it is not simply the EPCI's (e.g. a consultancy's mission).
    label = models.CharField(_("name of the workspace"), max_length=200, blank=True)
    origin = models.CharField(
        _("opened as"), max_length=16, choices=TerritoryOrigin.choices, default=TerritoryOrigin.PROGRAMME
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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
