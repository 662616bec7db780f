"""Flows: what an establishment gives off (gisements) and what it takes in (besoins), per year.

Only known flows are stored (declared by the company or its officer, stated in a detection workshop, or
read from a public register such as IREP).
Flows estimated from the sector profile are computed on the fly by the engine (see ``estimates.py``) and
never stored, so that a declared figure and an estimate can never be mistaken for one another.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.engine import UnknownResource
from tremplin.flows import catalogue
from tremplin.flows.quantities import Frequency


def validate_resource(code: str) -> None:
    try:
        catalogue.resource(code)
    except UnknownResource:
        raise ValidationError(_("Unknown resource code %(code)s."), params={"code": code}) from None


class Direction(models.TextChoices):
    OUT = "out", _("Output (gisement)")
    IN = "in", _("Input (besoin)")


class Basis(models.TextChoices):
    DECLARED = "declared", _("declared")
    WORKSHOP = "workshop", _("workshop")
    REGISTER = "register", _("register")
    ESTIMATED = "estimated", _("estimated")


class FlowQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A company's flows stay within its territory: the territory team and the establishment's own
        contacts, nobody else (the programme team sees aggregates only)."""
        scope = scope_for(user)
        return self.filter(
            Q(establishment__territory_id__in=scope.team_territory_ids)
            | Q(establishment_id__in=scope.contact_establishment_ids)
        )

    def for_territory(self, territory):
        return self.filter(establishment__territory=territory)

    def for_establishment(self, establishment):
        return self.filter(establishment=establishment)

    def declared(self):
        return self.filter(basis=Basis.DECLARED)

    def known(self):
        """Flows stated by the company (in a form or in a workshop) or read from a public register:
        everything but estimates."""
        return self.exclude(basis=Basis.ESTIMATED)

    def outputs(self):
        return self.filter(direction=Direction.OUT)

    def inputs(self):
        return self.filter(direction=Direction.IN)


@scoped
class Flow(models.Model):
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="flows"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    resource = models.CharField(_("resource"), max_length=64, validators=[validate_resource])
    quantity = models.DecimalField(
        _("quantity"), max_digits=16, decimal_places=4, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=16)
    quantity_per_year = models.FloatField(
        _("quantity per year"),
        help_text=_("In the resource's default unit, computed from quantity and frequency."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency.CHOICES, default=Frequency.YEAR
    )
    quality_notes = models.TextField(_("quality notes"), blank=True)
    current_route = models.CharField(
        _("current route"),
        max_length=300,
        blank=True,
        help_text=_("Today's disposal route or service provider (output), or supplier (input)."),
    )
    current_cost_eur_per_year = models.DecimalField(
        _("current cost (€ per year)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    confidential = models.BooleanField(_("confidential"), default=True)
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices, default=Basis.DECLARED)
    #: A register line below its reporting threshold: ``quantity`` is then the threshold, an upper bound
    #: (never 0), and the engine is told so.
    below_threshold = models.BooleanField(_("below the reporting threshold"), default=False)
    treatment_operation = models.CharField(
        _("treatment operation"),
        max_length=4,
        blank=True,
        help_text=_("Recovery (R1–R13) or disposal (D1–D15) code of the waste's current treatment."),
    )
    #: Where a register says the flow comes from, e.g. "IREP 2022", and its year (re-imports replace it).
    source = models.CharField(_("source"), max_length=60, blank=True)
    register_year = models.PositiveSmallIntegerField(_("register year"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Raised by every change: an edit made from a form showing an older version is refused (see
    #: ``services.update_flow``) instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FlowQuerySet.as_manager()

    class Meta:
        ordering = ["establishment", "-direction", "resource", "pk"]
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        constraints = [
            models.CheckConstraint(name="flow_quantity_not_negative", condition=Q(quantity__gte=0)),
            models.CheckConstraint(name="flow_direction_known", condition=Q(direction__in=["in", "out"])),
        ]
        indexes = [models.Index(fields=["establishment", "direction", "resource"])]

    def __str__(self):
        return f"{self.get_direction_display()} — {self.resource_label}"

    @property
    def resource_label(self) -> str:
        return catalogue.resource_label(self.resource)

    @property
    def resource_unit(self) -> str:
        """The resource's default unit, in which ``quantity_per_year`` is expressed."""
        entry = catalogue.catalogue_entry(self.resource)
        return entry.unit if entry else ""
