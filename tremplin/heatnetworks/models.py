"""Heat networks (réseaux de chaleur) of a territory, read from France Chaleur Urbaine's open data.

Each network stands in the territory's establishments as one record of kind "heat network"
(:class:`tremplin.establishments.models.EstablishmentKind`), created by the import: that record is the
receiving party of its waste-heat leads and synergies, like any establishment; the network itself keeps
what the file says (identifier, operator, deliveries, trace).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class HeatNetworkQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory team's: the traces are public, but which networks a territory works with is not."""
        return self.filter(territory_id__in=scope_for(user).team_territory_ids)

    def for_territory(self, territory):
        return self.filter(territory=territory)


@scoped
class HeatNetwork(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="heat_networks"
    )
    establishment = models.OneToOneField(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="heat_network"
    )
    identifier = models.CharField(_("national identifier"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    deliveries_mwh = models.FloatField(_("heat delivered (MWh/year)"), null=True, blank=True)
    renewable_share = models.FloatField(_("renewable and recovered energy (%)"), null=True, blank=True)
    has_trace = models.BooleanField(_("trace published"), default=True)
    #: MultiLineString (or MultiPoint for a network without a published trace), WGS84 longitude/latitude.
    trace_geojson = models.TextField(_("trace (GeoJSON, WGS84)"))
    source_file = models.CharField(_("source file"), max_length=255)
    source_date = models.DateField(_("date of the data"))
    imported_at = models.DateTimeField(_("last imported"))

    objects = HeatNetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("heat network")
        verbose_name_plural = _("heat networks")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "identifier"], name="heat_network_unique_identifier"
            ),
        ]

    def __str__(self):
        return self.name
