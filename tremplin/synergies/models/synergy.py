"""A synergy carried through the pipeline, and its participants (with their consent to be introduced)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.synergies.enums import (
    OPERATIONAL_STATUSES,
    AbandonReason,
    Basis,
    Consent,
    ParticipantRole,
    Status,
    SynergyKind,
)


class SynergyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory team sees its synergies; a company contact those its establishment takes part in
        (the counterparts' identity is withheld by the views until everyone consented); nobody else."""
        scope = scope_for(user)
        team = models.Q(territory_id__in=scope.team_territory_ids)
        if not scope.contact_establishment_ids:
            return self.filter(team)
        involved = SynergyParticipant.objects.filter(
            establishment_id__in=scope.contact_establishment_ids
        ).values("synergy_id")
        return self.filter(team | models.Q(pk__in=involved))

    def for_territory(self, territory):
        return self.filter(territory=territory)

    def operational(self):
        return self.filter(status__in=OPERATIONAL_STATUSES)

    def active(self):
        return self.exclude(status=Status.ABANDONED)

    def involving(self, establishment_ids):
        return self.filter(participants__establishment_id__in=establishment_ids).distinct()


@scoped
class Synergy(models.Model):
    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="synergies")
    kind = models.CharField(_("kind"), max_length=16, choices=SynergyKind.choices)
    #: The engine's substitution rule (e.g. SUB-BIO-01) or mutualisation kind (e.g. achat_groupe_energie).
    rule = models.CharField(_("rule"), max_length=64, blank=True)
    resource = models.CharField(_("resource"), max_length=64)
    resource_label = models.CharField(_("resource"), max_length=200)
    input_resource = models.CharField(_("input replaced"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DETECTED)
    abandon_reason = models.CharField(
        _("reason for abandoning"), max_length=20, choices=AbandonReason.choices, blank=True
    )
    abandon_note = models.TextField(_("note on abandoning"), blank=True)
    basis = models.CharField(_("basis of the quantities"), max_length=16, choices=Basis.choices)
    confidence = models.CharField(_("confidence"), max_length=16, choices=Basis.choices)
    distance_km = models.FloatField(_("distance (km)"), default=0.0)
    quantity = models.FloatField(_("quantity per year"), default=0.0)
    unit = models.CharField(_("unit"), max_length=16)
    # Estimated at detection (yearly). Measured figures live in Measurement, never mixed in here.
    gain_eur_per_year = models.FloatField(_("estimated gain (€/year)"), default=0.0)
    revenue_eur_per_year = models.FloatField(
        _("of which earned from by-products (€/year)"),
        default=0.0,
        help_text=_("Transfer price the supplier receives; the rest of the gain is saved."),
    )
    tonnes_diverted_per_year = models.FloatField(_("estimated tonnes diverted per year"), default=0.0)
    co2_avoided_t_per_year = models.FloatField(_("estimated t CO2e avoided per year"), default=0.0)
    jobs = models.FloatField(_("estimated jobs created or kept (FTE)"), null=True, blank=True)
    breakdown = models.JSONField(_("calculation"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    signature = models.CharField(max_length=255, db_index=True)
    source_run = models.ForeignKey(
        "synergies.DetectionRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="synergies"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = SynergyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("synergy")
        verbose_name_plural = _("synergies")
        indexes = [models.Index(fields=["territory", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.resource_label}"

    @property
    def eur_saved_per_year(self) -> float:
        """Estimated saving: the gain that is not revenue from a by-product."""
        return self.gain_eur_per_year - self.revenue_eur_per_year

    @property
    def is_operational(self) -> bool:
        return self.status in OPERATIONAL_STATUSES

    @property
    def became_operational(self) -> bool:
        """The synergy has been operational (it may be paused or abandoned since): its history says so."""
        return self.is_operational or self.history.filter(to_status__in=OPERATIONAL_STATUSES).exists()

    @property
    def introductions_agreed(self) -> bool:
        """Every participant accepted to be introduced: the counterparts may now see each other."""
        consents = [p.consent for p in self.participants.all()]
        return bool(consents) and all(c == Consent.ACCEPTED for c in consents)

    @property
    def is_demo(self) -> bool:
        return any(p.establishment.is_demo for p in self.participants.all())


class SynergyParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The territory team sees every participation; a company contact only its own."""
        scope = scope_for(user)
        return self.filter(
            models.Q(synergy__territory_id__in=scope.team_territory_ids)
            | models.Q(establishment_id__in=scope.contact_establishment_ids)
        )


@scoped
class SynergyParticipant(models.Model):
    synergy = models.ForeignKey(Synergy, on_delete=models.CASCADE, related_name="participants")
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="synergy_participations"
    )
    role = models.CharField(_("role"), max_length=8, choices=ParticipantRole.choices)
    estimated_gain_eur_per_year = models.FloatField(_("estimated gain (€/year)"), default=0.0)
    gain_items = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    consent = models.CharField(
        _("consent to be introduced"), max_length=8, choices=Consent.choices, default=Consent.PENDING
    )
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SynergyParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["synergy", "role", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["synergy", "establishment"], name="participant_unique_per_synergy"
            )
        ]

    def __str__(self):
        return f"{self.establishment} ({self.get_role_display()})"
