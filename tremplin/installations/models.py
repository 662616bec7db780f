"""Installations classées (ICPE) of a territory, from Géorisques, and their rubriques.

An installation is linked to the territory's establishment with the same SIRET, or one of the same
name and commune is proposed for the officer to confirm. The rubriques of a linked installation tell
detection whether the establishment may receive a waste (tremplin.engine.authorisation).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class Match(models.TextChoices):
    SIRET = "siret", _("same SIRET")
    PROPOSED = "proposed", _("same name and commune, to confirm")
    CONFIRMED = "confirmed", _("confirmed by the team")
    REJECTED = "rejected", _("proposal refused")
    NONE = "none", _("no establishment found")


#: Matches whose rubriques count as the establishment's.
LINKED = (Match.SIRET, Match.CONFIRMED)


class InstallationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory team's working record, like the establishments they are linked to."""
        return self.filter(territory_id__in=scope_for(user).team_territory_ids)

    def for_territory(self, territory):
        return self.filter(territory=territory)

    def linked(self):
        return self.filter(match__in=LINKED, establishment__isnull=False)


@scoped
class Installation(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="installations"
    )
    establishment = models.ForeignKey(
        "establishments.Establishment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="installations",
    )
    match = models.CharField(_("match"), max_length=10, choices=Match.choices, default=Match.NONE)
    aiot_code = models.CharField(_("AIOT code"), max_length=20)
    name = models.CharField(_("raison sociale"), max_length=300)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    commune_insee = models.CharField(_("INSEE code"), max_length=5, blank=True)
    commune_name = models.CharField(_("commune"), max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    regime = models.CharField(_("regime"), max_length=100, blank=True)
    seveso = models.CharField(_("SEVESO status"), max_length=100, blank=True)
    activity_state = models.CharField(_("state of activity"), max_length=100, blank=True)
    naf_code = models.CharField(_("NAF code"), max_length=10, blank=True)
    ied = models.BooleanField(_("IED"), null=True)
    updated_in_source = models.CharField(_("updated in Géorisques"), max_length=40, blank=True)
    source_filename = models.CharField(_("file"), max_length=255, blank=True)
    source_date = models.DateField(_("date of the file"))
    imported_at = models.DateTimeField(auto_now=True)

    objects = InstallationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "aiot_code"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "aiot_code"], name="installation_unique_aiot"),
        ]

    def __str__(self):
        return f"{self.name} (AIOT {self.aiot_code})"

    @property
    def is_linked(self) -> bool:
        return self.establishment_id is not None and self.match in LINKED

    def source_text(self) -> str:
        """Where the rubriques come from, as a person reads it."""
        return (
            f"Géorisques, installations classées, AIOT {self.aiot_code} "
            f"(fichier {self.source_filename or '—'} du {self.source_date:%d/%m/%Y})"
        )


class Rubrique(models.Model):
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="rubriques")
    code = models.CharField(_("rubrique"), max_length=10)
    alinea = models.CharField(_("alinéa"), max_length=40, blank=True)
    regime = models.CharField(_("regime"), max_length=4, blank=True)
    regime_label = models.CharField(_("regime as written"), max_length=100, blank=True)
    nature = models.TextField(_("nature"), blank=True)
    quantity = models.CharField(_("total quantity"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)

    class Meta:
        ordering = ["code", "alinea"]

    def __str__(self):
        return self.code + (f"-{self.alinea}" if self.alinea else "")
