"""Establishments (établissements): the sites of companies and other organisations of a territory,
and the people the territory team deals with in each."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.engine.headcount import all_headcount_bands, headcount_band
from tremplin.engine.naf import (
    UnknownNafCode,
    all_naf2025_codes,
    all_naf_codes,
    naf_division,
    naf_label,
    naf_nomenclature,
    naf_section,
    normalise_naf,
)
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


class NafNomenclature(models.TextChoices):
    """The activity nomenclature an establishment's code is written in (SIRENE assigns NAF 2025 from 2027)."""

    REV2 = "rev2", _("NAF rév. 2")
    NAF2025 = "2025", _("NAF 2025")


def nomenclature_of(code: str) -> str:
    """The nomenclature of a valid NAF code, ``"rev2"`` when the code is not one (validation reports it)."""
    try:
        return naf_nomenclature(code)
    except (UnknownNafCode, TypeError):
        return NafNomenclature.REV2


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

    def search(self, text: str):
        """Name containing ``text``, or SIRET starting with it (spaces ignored: « 123 456 789 »)."""
        text = text.strip()
        if not text:
            return self
        compact = "".join(text.split())
        condition = models.Q(name__icontains=text)
        if compact.isdigit():
            condition |= models.Q(siret__startswith=compact)
        return self.filter(condition)

    # Sections and divisions are those of NAF rév. 2, the engine's: a NAF 2025 establishment belongs to the
    # section and division of its NAF rév. 2 correspondent (tremplin.engine.naf.naf_profile_code).

    def in_naf_section(self, section: str):
        divisions = [code for code in all_naf_codes("division") if naf_section(code) == section]
        condition = models.Q(naf_code=section)
        for division in divisions:
            condition |= models.Q(naf_code=division) | models.Q(naf_code__startswith=f"{division}.")
        naf2025 = [code for code in all_naf2025_codes() if naf_section(code) == section]
        return self.filter(
            (condition & models.Q(naf_nomenclature=NafNomenclature.REV2))
            | models.Q(naf_nomenclature=NafNomenclature.NAF2025, naf_code__in=naf2025)
        )

    def in_naf_division(self, division: str):
        rev2 = models.Q(naf_code=division) | models.Q(naf_code__startswith=f"{division}.")
        naf2025 = [code for code in all_naf2025_codes() if naf_division(code) == division]
        return self.filter(
            (rev2 & models.Q(naf_nomenclature=NafNomenclature.REV2))
            | models.Q(naf_nomenclature=NafNomenclature.NAF2025, naf_code__in=naf2025)
        )

    def in_headcount_group(self, group: str):
        return self.filter(headcount_band__in=HEADCOUNT_GROUPS[group].bands)

    def met(self):
        """Establishments the territory team has met (engaged ones included), as indicators count them."""
        return self.filter(engagement__in=[Engagement.MET, Engagement.ENGAGED])

    def engaged(self):
        return self.filter(engagement=Engagement.ENGAGED)


class DataOrigin(models.TextChoices):
    SIRENE = "sirene", _("SIRENE register")
    DECLARED = "declared", _("Declared")
    IMPORT = "import", _("Spreadsheet import")
    MANUAL = "manual", _("Entered by hand")
    DEMO = "demo", _("Demonstration data (generated)")
    HEAT_NETWORKS = "fcu", _("France Chaleur Urbaine open data (heat networks)")


class EstablishmentKind(models.TextChoices):
    """A site of a company or organisation (with its SIRET), or the record that stands for a heat network
    of the territory (``tremplin.heatnetworks``): the receiving party of its waste-heat leads, created by
    the import of the networks, whose SIRET (the operator's) is unknown until the team enters it."""

    SITE = "site", _("establishment")
    HEAT_NETWORK = "heat_network", _("heat network")


class Engagement(models.TextChoices):
    """How far the territory team has gone with an establishment (mobilisation indicators count these)."""

    IDENTIFIED = "identified", _("identified")
    CONTACTED = "contacted", _("contacted")
    MET = "met", _("met")
    ENGAGED = "engaged", _("engaged")


class LocationPrecision(models.TextChoices):
    ADDRESS = "address", _("at its address")
    COMMUNE = "commune", _("approximate: a point inside its commune")


@dataclass(frozen=True)
class HeadcountGroup:
    label: str
    bands: tuple[str, ...]


# Size groups offered by the list filter, built on INSEE bands (0, 1–9, 10–49, 50–249, 250 and more).
HEADCOUNT_GROUPS: dict[str, HeadcountGroup] = {
    "none": HeadcountGroup(_("No employee or unknown"), ("NN", "00")),
    "micro": HeadcountGroup(_("1 to 9 employees"), ("01", "02", "03")),
    "small": HeadcountGroup(_("10 to 49 employees"), ("11", "12")),
    "medium": HeadcountGroup(_("50 to 249 employees"), ("21", "22", "31")),
    "large": HeadcountGroup(_("250 employees or more"), ("32", "41", "42", "51", "52", "53")),
}


@scoped
class Establishment(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="establishments"
    )
    #: Null only for a heat network's record (its operator's SIRET unknown): NULLs never collide in the
    #: unique constraint, on which the establishment imports' upsert (ON CONFLICT) relies.
    siret = models.CharField(  # noqa: DJ001 (see above: "" would collide, NULLs do not)
        _("SIRET"), max_length=14, validators=[validate_siret], null=True, blank=True
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=EstablishmentKind.choices, default=EstablishmentKind.SITE
    )
    name = models.CharField(_("name"), max_length=200)
    naf_code = models.CharField(_("activity code (NAF)"), max_length=6, validators=[validate_naf])
    #: Kept with the code as given: the engine maps a NAF 2025 code to its NAF rév. 2 profile itself.
    naf_nomenclature = models.CharField(
        _("activity nomenclature"),
        max_length=4,
        choices=NafNomenclature.choices,
        default=NafNomenclature.REV2,
        editable=False,
    )
    headcount_band = models.CharField(
        _("headcount band (INSEE)"), max_length=2, choices=headcount_band_choices, default="NN"
    )
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="establishments")
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    location_precision = models.CharField(
        _("location"), max_length=8, choices=LocationPrecision.choices, default=LocationPrecision.ADDRESS
    )
    #: Why the point is not at the address (e.g. the file's point was outside the commune).
    location_note = models.CharField(_("note on the location"), max_length=300, blank=True)
    #: Fields the territory team corrected by hand (names as in ``tremplin.imports.services.TRACKED_FIELDS``):
    #: a re-import keeps them unless the officer takes the file's value.
    hand_corrected = models.JSONField(_("fields corrected by hand"), default=list, blank=True)
    origin = models.CharField(
        _("origin"), max_length=16, choices=DataOrigin.choices, default=DataOrigin.IMPORT
    )
    imported_at = models.DateTimeField(_("last imported"), null=True, blank=True)
    engagement = models.CharField(
        _("engagement"), max_length=16, choices=Engagement.choices, default=Engagement.IDENTIFIED
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    notes = models.TextField(_("notes of the territory team"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    #: Raised by every change (edits and imports): an edit made from a form showing an older version is
    #: refused instead of silently overwriting the other change (see ``services.update_establishment``).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        constraints = [
            models.UniqueConstraint(fields=["territory", "siret"], name="establishment_unique_siret"),
            # Only a heat network's record may lack a SIRET.
            models.CheckConstraint(
                condition=models.Q(siret__isnull=False) | models.Q(kind="heat_network"),
                name="establishment_siret_unless_network",
            ),
        ]
        indexes = [
            models.Index(fields=["territory", "naf_code"]),
            models.Index(fields=["territory", "name"], name="establishment_territory_name"),
            models.Index(fields=["territory", "engagement"], name="establishment_engagement"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.naf_nomenclature = nomenclature_of(self.naf_code)
        if kwargs.get("update_fields") is not None and "naf_code" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "naf_nomenclature"}
        super().save(*args, **kwargs)

    @property
    def naf_label(self) -> str:
        return naf_label(self.naf_code)

    @property
    def naf_display(self) -> str:
        """The code with its nomenclature, e.g. « NAF 2025 62.10Y » or « NAF rév. 2 62.01Z »."""
        return f"{NafNomenclature(self.naf_nomenclature).label} {self.naf_code}"

    @property
    def representative_headcount(self) -> int:
        return headcount_band(self.headcount_band).representative


class EstablishmentContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory team of the establishment's territory only: the people it deals with, and its notes
        on them, are the team's working record, not something the company's own contact reads."""
        return self.filter(establishment__territory_id__in=scope_for(user).team_territory_ids)


@scoped
class EstablishmentContact(models.Model):
    """A person the territory team deals with in an establishment (not necessarily a platform user)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("role or job title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    #: Raised by every change, as ``Establishment.version``.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EstablishmentContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("establishment contact")
        verbose_name_plural = _("establishment contacts")

    def __str__(self):
        return f"{self.name} ({self.job_title})" if self.job_title else self.name
