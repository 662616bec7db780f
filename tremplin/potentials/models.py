"""A loaded potential result (a *release*) and its rows: one per EPCI, and per EPCI and resource family.

The figures are those of the file ``tremplin potential`` wrote, as it wrote them; the release keeps the
run's own source sentence, computation date and knowledge-base version, and who loaded it when. A release
is never edited: a new run is a new release, and older ones stay readable.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tremplin.synergies.enums import Basis


class PotentialReleaseQuerySet(models.QuerySet):
    def newest_first(self):
        """The newest result first: by computation date, then by loading (the default release)."""
        return self.order_by("-computed_at", "-loaded_at", "-pk")


class PotentialRelease(models.Model):
    """One result of ``tremplin potential`` (national or regional), loaded by the programme team."""

    # Each row carries the run's sentence about it; this is the sentence when every row has the same.
    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("The run's own sentence: SIRENE file, establishments read and kept, stock date."),
    )
    #: SHA-256 of the potentials file: the same file is loaded once.
    digest = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    computed_at = models.DateTimeField(_("computed at"))
    kb_version = models.CharField(_("knowledge-base version"), max_length=100)
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default=Basis.ESTIMATED)
    file_name = models.CharField(_("file name"), max_length=255)
    family_file_name = models.CharField(_("file of figures by family"), max_length=255, blank=True)
    epci_count = models.PositiveIntegerField(_("EPCIs"), default=0)
    skipped_epcis = models.PositiveIntegerField(
        _("EPCIs left aside"), default=0, help_text=_("Rows of EPCIs the platform's geography does not hold.")
    )
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"))

    objects = PotentialReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-computed_at", "-loaded_at", "-pk"]
        verbose_name = _("potential release")
        verbose_name_plural = _("potential releases")

    def __str__(self):
        return f"{self.file_name} ({self.computed_at:%Y-%m-%d %H:%M} UTC)"


#: Columns the table sorts by, and what each means (ties broken by name, then id). Figures put rows
#: without a value (leads per 100 establishments of an EPCI without any) last, both ways.
SORTS = {
    "name": ("name",),
    "siren": ("epci__siren",),
    "departement": ("department_code",),
    "region": ("region_code",),
    "establishments": ("establishments",),
    "employees": ("employees",),
    "leads": ("leads",),
    "leads_per_100": ("leads_per_100",),
    "substitution_leads": ("substitution_leads",),
    "mutualisation_leads": ("mutualisation_leads",),
    "tonnes_per_year": ("tonnes_per_year",),
    "co2e_t_per_year": ("co2e_t_per_year",),
    "gain_eur_per_year": ("gain_eur_per_year",),
    "score": ("score",),
}
DEFAULT_SORT = "-score"


class EpciPotentialQuerySet(models.QuerySet):
    def in_region(self, code: str):
        return self.filter(region_code=code) if code else self

    def in_department(self, code: str):
        return self.filter(department_code=code) if code else self

    def search(self, text: str):
        """By part of the EPCI's name, or its SIREN."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(epci__siren=text))

    def sorted_by(self, sort: str):
        """``sort``: a key of :data:`SORTS`, ``-`` in front for descending; unknown keys: the default."""
        key = sort.lstrip("-")
        if key not in SORTS:
            return self.sorted_by(DEFAULT_SORT)
        descending = sort.startswith("-")
        columns = [
            F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
            for column in SORTS[key]
        ]
        return self.order_by(*columns, "name", "pk")

    def newest_for(self, epci):
        """The row of ``epci`` in the newest release that covers it, or None."""
        return (
            self.filter(epci=epci)
            .select_related("release")
            .order_by("-release__computed_at", "-release__loaded_at", "-release__pk")
            .first()
        )


class EpciPotential(models.Model):
    """The potential of one EPCI in one release (figures per year, as the run computed them)."""

    release = models.ForeignKey(PotentialRelease, on_delete=models.CASCADE, related_name="rows")
    epci = models.ForeignKey("geo.Epci", on_delete=models.PROTECT, related_name="potentials")
    name = models.CharField(_("name"), max_length=200)
    department_code = models.CharField(_("département"), max_length=3, blank=True)
    region_code = models.CharField(_("region"), max_length=3, blank=True)
    establishments = models.PositiveIntegerField(_("establishments"))
    employees = models.FloatField(_("employees"))
    leads = models.PositiveIntegerField(_("leads"))
    substitution_leads = models.PositiveIntegerField(_("substitution leads"))
    mutualisation_leads = models.PositiveIntegerField(_("mutualisation leads"))
    # Derived at loading, so that the table sorts on it: leads × 100 / establishments (none without any).
    leads_per_100 = models.FloatField(_("leads per 100 establishments"), null=True, blank=True)
    tonnes_per_year = models.FloatField(_("tonnes per year"))
    co2e_t_per_year = models.FloatField(_("t CO2e per year"))
    gain_eur_per_year = models.FloatField(_("€ per year"))
    score = models.FloatField(_("score (k€ per year)"))
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default=Basis.ESTIMATED)
    source = models.TextField(_("source"), help_text=_("The run's sentence about this EPCI's figures."))

    objects = EpciPotentialQuerySet.as_manager()

    class Meta:
        ordering = ["release", "name"]
        verbose_name = _("EPCI potential")
        verbose_name_plural = _("EPCI potentials")
        constraints = [models.UniqueConstraint(fields=["release", "epci"], name="epci_potential_unique")]
        indexes = [models.Index(fields=["epci", "release"], name="epci_potential_epci_idx")]

    def __str__(self):
        return f"{self.name} — {self.release}"

    @property
    def siren(self) -> str:
        return self.epci.siren


class FamilyPotential(models.Model):
    """The share of one resource family (knowledge-base family code) in an EPCI's potential."""

    row = models.ForeignKey(EpciPotential, on_delete=models.CASCADE, related_name="families")
    family = models.CharField(_("resource family"), max_length=100)
    leads = models.PositiveIntegerField(_("leads"))
    tonnes_per_year = models.FloatField(_("tonnes per year"))
    co2e_t_per_year = models.FloatField(_("t CO2e per year"))
    gain_eur_per_year = models.FloatField(_("€ per year"))

    class Meta:
        ordering = ["row", "-gain_eur_per_year", "family"]
        verbose_name = _("potential of a resource family")
        verbose_name_plural = _("potentials of resource families")
        constraints = [models.UniqueConstraint(fields=["row", "family"], name="family_potential_unique")]

    def __str__(self):
        return f"{self.row.name} · {self.family}"
