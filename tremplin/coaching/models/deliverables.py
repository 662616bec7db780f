"""Workshop deliverables of a territory: one per workshop topic, each with its status, its comments and
the audit of its transitions; and the lines (items) each deliverable is made of."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tremplin.accounts.scoping import scoped
from tremplin.coaching.models.base import ParticipationItem, TerritoryOwnedQuerySet


class DeliverableKind(models.TextChoices):
    W1_DIAGNOSIS = "w1_diagnosis", _("W1 · Territorial diagnosis")
    W2_PERIMETER = "w2_perimeter", _("W2 · Perimeter")
    W2_OBJECTIVES = "w2_objectives", _("W2 · Strategic objectives")
    W2_GOVERNANCE = "w2_governance", _("W2 · Governance")
    W3_MOBILISATION = "w3_mobilisation", _("W3 · Mobilisation of actors")
    W4_ECONOMIC_MODEL = "w4_economic_model", _("W4 · Economic model")
    W4_COMMUNICATION = "w4_communication", _("W4 · Communication plan")


class DeliverableStatus(models.TextChoices):
    TO_DO = "to_do", pgettext_lazy("deliverable status", "To do")
    IN_PROGRESS = "in_progress", pgettext_lazy("deliverable status", "In progress")
    SUBMITTED = "submitted", pgettext_lazy("deliverable status", "Submitted")
    VALIDATED = "validated", pgettext_lazy("deliverable status", "Validated")


class DeliverableQuerySet(TerritoryOwnedQuerySet):
    def validated(self):
        return self.filter(status=DeliverableStatus.VALIDATED)


@scoped
class Deliverable(models.Model):
    participation = models.ForeignKey(
        "programme.Participation", on_delete=models.CASCADE, related_name="deliverables"
    )
    kind = models.CharField(_("deliverable"), max_length=20, choices=DeliverableKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliverableStatus.choices, default=DeliverableStatus.TO_DO
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["participation", "kind"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.UniqueConstraint(fields=["participation", "kind"], name="coaching_deliverable_unique"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.participation.territory}"

    @property
    def is_locked(self) -> bool:
        """Submitted and validated deliverables are read-only until sent back."""
        return self.status in (DeliverableStatus.SUBMITTED, DeliverableStatus.VALIDATED)


class DeliverableChildQuerySet(TerritoryOwnedQuerySet):
    territory_lookup = "deliverable__participation__territory_id"


@scoped
class DeliverableTransition(models.Model):
    """Audit of a deliverable's status changes: who, when, why."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=50)  # namespaced code, e.g. deliverable.validated
    from_status = models.CharField(max_length=12, choices=DeliverableStatus.choices)
    to_status = models.CharField(max_length=12, choices=DeliverableStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = DeliverableChildQuerySet.as_manager()

    class Meta:
        ordering = ["deliverable", "at", "pk"]
        verbose_name = _("deliverable transition")
        verbose_name_plural = _("deliverable transitions")

    def __str__(self):
        return f"{self.action} {self.from_status} → {self.to_status}"


@scoped
class DeliverableComment(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliverableChildQuerySet.as_manager()

    class Meta:
        ordering = ["deliverable", "created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.text[:60]


# W1 — diagnosis


class SwotCategory(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    WEAKNESS = "weakness", _("Weakness")
    OPPORTUNITY = "opportunity", _("Opportunity")
    THREAT = "threat", _("Threat")


@scoped
class SwotItem(ParticipationItem):
    category = models.CharField(_("category"), max_length=12, choices=SwotCategory.choices)
    text = models.TextField(_("text"))
    # The detection lead or known flow the team pulled the item from (the text keeps what it said then).
    lead = models.ForeignKey(
        "synergies.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flow = models.ForeignKey("flows.Flow", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(ParticipationItem.Meta):
        verbose_name = _("diagnosis item")
        verbose_name_plural = _("diagnosis items")

    def __str__(self):
        return self.text


# W2 — perimeter, objectives, governance


class PerimeterMode(models.TextChoices):
    WHOLE_EPCI = "whole_epci", _("The whole EPCI")
    COMMUNES = "communes", _("Chosen communes")
    ZONES = "zones", _("Activity zones drawn on the map")


@scoped
class Perimeter(models.Model):
    participation = models.OneToOneField(
        "programme.Participation", on_delete=models.CASCADE, related_name="perimeter"
    )
    mode = models.CharField(
        _("perimeter"), max_length=12, choices=PerimeterMode.choices, default=PerimeterMode.WHOLE_EPCI
    )
    communes = models.ManyToManyField(
        "geo.Commune", blank=True, related_name="coaching_perimeters", verbose_name=_("communes")
    )
    # A GeoJSON FeatureCollection of polygons (WGS84), each feature with a "name" property.
    zones_geojson = models.TextField(_("activity zones (GeoJSON)"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TerritoryOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("perimeter")
        verbose_name_plural = _("perimeters")

    def __str__(self):
        return str(self.get_mode_display())

    # Communes are read and written through the join table: these never need Commune's reverse
    # relation, which the browser tests' registry (geography left out of available_apps) lacks.
    def chosen_communes(self):
        from tremplin.geo.models import Commune

        through = Perimeter.communes.through
        return Commune.objects.filter(
            pk__in=through.objects.filter(perimeter_id=self.pk).values("commune_id")
        ).order_by("name")

    def set_communes(self, communes) -> None:
        through = Perimeter.communes.through
        through.objects.filter(perimeter_id=self.pk).delete()
        through.objects.bulk_create([through(perimeter_id=self.pk, commune_id=c.pk) for c in communes])

    @property
    def zones(self) -> list[dict]:
        if not self.zones_geojson:
            return []
        return json.loads(self.zones_geojson).get("features", [])


@scoped
class Objective(ParticipationItem):
    """A strategic objective: where the indicator stood (baseline), where it should be (target), and
    the values recorded since (:class:`ObjectiveValue`)."""

    label = models.CharField(_("objective"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50)
    # Null only for objectives recorded before baselines were asked for.
    baseline_value = models.DecimalField(_("baseline value"), max_digits=14, decimal_places=2, null=True)
    baseline_date = models.DateField(_("baseline date"), null=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("target date"), null=True, blank=True)
    #: Raised by every change: an edit made from an older form is refused (an edit conflict).
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(ParticipationItem.Meta):
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self):
        return self.label

    def clean(self):
        if self.baseline_date and self.due_date and self.due_date <= self.baseline_date:
            raise ValidationError({"due_date": _("The target date comes after the baseline date.")})


class ValueBasis(models.TextChoices):
    DECLARED = "declared", _("declared")
    MEASURED = "measured", _("measured")
    ESTIMATED = "estimated", _("estimated")


class ObjectiveValueQuerySet(TerritoryOwnedQuerySet):
    def at(self, day):
        """Values dated at or before ``day``."""
        return self.filter(date__lte=day)


@scoped
class ObjectiveValue(ParticipationItem):
    """The value an objective's indicator had at a date, with its basis and where it comes from."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    basis = models.CharField(_("basis"), max_length=10, choices=ValueBasis.choices)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the value comes from (survey, meter…)")
    )
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ObjectiveValueQuerySet.as_manager()

    class Meta(ParticipationItem.Meta):
        ordering = ["objective", "date", "pk"]
        verbose_name = _("value of an objective")
        verbose_name_plural = _("values of an objective")
        constraints = [
            models.UniqueConstraint(fields=["objective", "date"], name="coaching_objective_value_unique"),
        ]

    def __str__(self):
        return f"{self.objective} — {self.date}"


@scoped
class GovernanceBody(ParticipationItem):
    name = models.CharField(_("body"), max_length=200, help_text=_("e.g. steering committee"))
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    frequency = models.CharField(_("meets"), max_length=100, blank=True, help_text=_("e.g. twice a year"))

    class Meta(ParticipationItem.Meta):
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")

    def __str__(self):
        return self.name


@scoped
class GovernanceMember(ParticipationItem):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=200)

    class Meta(ParticipationItem.Meta):
        verbose_name = _("governance member")
        verbose_name_plural = _("governance members")

    def __str__(self):
        return self.name


# W3 — mobilisation


class ActorScope(models.TextChoices):
    INTERNAL = "internal", _("Internal (the EPCI's services and elected officials)")
    EXTERNAL = "external", _("External (companies, chambers, associations, partners)")


@scoped
class Actor(ParticipationItem):
    scope = models.CharField(_("internal or external"), max_length=10, choices=ActorScope.choices)
    organisation = models.CharField(_("organisation"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    role = models.CharField(_("role in the approach"), max_length=200, blank=True)

    class Meta(ParticipationItem.Meta):
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def __str__(self):
        return self.organisation


class MobilisationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    EVENT = "event", _("Event with companies")


@scoped
class MobilisationAction(ParticipationItem):
    kind = models.CharField(_("kind"), max_length=10, choices=MobilisationKind.choices)
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    audience = models.CharField(_("who"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ParticipationItem.Meta):
        verbose_name = _("mobilisation action")
        verbose_name_plural = _("mobilisation actions")

    def __str__(self):
        return self.title


# W4 — economic model and communication


class BudgetKind(models.TextChoices):
    COST = "cost", _("Cost")
    FUNDING = "funding", _("Funding source")
    SAVING = "saving", _("Expected saving")


@scoped
class BudgetLine(ParticipationItem):
    kind = models.CharField(_("kind"), max_length=10, choices=BudgetKind.choices)
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the amount comes from (quote, estimate…)")
    )

    class Meta(ParticipationItem.Meta):
        ordering = ["kind", "year", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self):
        return self.label


@scoped
class CommunicationAction(ParticipationItem):
    title = models.CharField(_("action"), max_length=200)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=200, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ParticipationItem.Meta):
        verbose_name = _("communication action")
        verbose_name_plural = _("communication actions")

    def __str__(self):
        return self.title
