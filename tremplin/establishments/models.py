"""Establishments (établissements): the sites of companies and other organisations of a territory."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.engine.headcount import all_headcount_bands, headcount_band
from tremplin.engine.naf import UnknownNafCode, naf_label, normalise_naf
from tremplin.establishments.siret import siret_error


def validate_siret(value: str) -> None:
    error = siret_error(value)
    if error:
        raise ValidationError(error)


def validate_naf(value: str) -> None:
    try:
        normalise_naf(value)
    except UnknownNafCode as error:
        raise ValidationError(str(error)) from None


def headcount_band_choices():
    return [(band.code, band.label) for band in all_headcount_bands()]


class EstablishmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Establishment records are confidential to their territory team and their own contacts.

        The programme team sees aggregates computed per territory, never this list.
        """
        scope = scope_for(user)
        return self.filter(
            models.Q(territory_id__in=scope.team_territory_ids)
            | models.Q(pk__in=scope.contact_establishment_ids)
        )

    def for_territory(self, territory):
        return self.filter(territory=territory)

    def demonstration(self):
        return self.filter(is_demo=True)


class DataOrigin(models.TextChoices):
    SIRENE = "sirene", _("SIRENE register")
    DECLARED = "declared", _("Declared")
    IMPORT = "import", _("Spreadsheet import")
    DEMO = "demo", _("Demonstration data (generated)")


@scoped
class Establishment(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="establishments"
    )
    siret = models.CharField(_("SIRET"), max_length=14, validators=[validate_siret])
    name = models.CharField(_("name"), max_length=200)
    naf_code = models.CharField(_("activity code (NAF rév. 2)"), max_length=6, validators=[validate_naf])
    headcount_band = models.CharField(
        _("headcount band (INSEE)"), max_length=2, choices=headcount_band_choices, default="NN"
    )
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="establishments")
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    origin = models.CharField(
        _("origin"), max_length=16, choices=DataOrigin.choices, default=DataOrigin.IMPORT
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        constraints = [
            models.UniqueConstraint(fields=["territory", "siret"], name="establishment_unique_siret"),
        ]
        indexes = [models.Index(fields=["territory", "naf_code"])]

    def __str__(self):
        return self.name

    @property
    def naf_label(self) -> str:
        return naf_label(self.naf_code)

    @property
    def representative_headcount(self) -> int:
        return headcount_band(self.headcount_band).representative
