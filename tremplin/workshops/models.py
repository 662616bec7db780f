"""A live synergy workshop (atelier de détection de synergies): companies of the territory state in the
room what they have and what they need, and the engine matches them while they speak.

Participants join from a phone, without an account: a participant is bound to its browser by a signed
cookie (``tremplin.www.workshops.participant``), never by a platform user. Everything here belongs to the
workshop's territory: the team sees it all, a participant only its own declarations and, at the end, the
matches concerning its company with the counterpart anonymised until both consented.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped
from tremplin.flows import catalogue
from tremplin.flows.models import validate_resource


def new_token() -> str:
    """The join link's secret: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


class WorkshopStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DeclarationKind(models.TextChoices):
    HAVE = "have", _("Have")
    WANT = "want", _("Want")


class Confidentiality(models.TextChoices):
    FACILITATOR = "facilitator", _("Shown to the facilitator only")
    SUMMARY = "summary", _("May appear in the participants' summary")


class MatchState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PINNED = "pinned", _("Pinned")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another")
    CONVERTED = "converted", _("In the pipeline")


class _TeamScoped(models.QuerySet):
    #: Path from the model to its territory id.
    territory_path = "workshop__territory_id"

    def visible_to(self, user):
        """The workshop's territory team only: participants reach their own rows through their cookie,
        not through a user's scope; a company contact, the programme team and the committee see none."""
        return self.filter(**{f"{self.territory_path}__in": scope_for(user).team_territory_ids})


class WorkshopQuerySet(_TeamScoped):
    territory_path = "territory_id"

    def for_territory(self, territory):
        return self.filter(territory=territory)

    def open(self):
        return self.filter(status=WorkshopStatus.OPEN)


@scoped
class Workshop(models.Model):
    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="workshops")
    theme = models.CharField(_("theme"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300)
    expected = models.ManyToManyField(
        "establishments.Establishment", blank=True, related_name="+", verbose_name=_("expected companies")
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=WorkshopStatus.choices, default=WorkshopStatus.OPEN
    )
    #: Raised by every change the facilitator's screen shows (a participant joins, a declaration, a new
    #: set of matches, a match pinned…): the screen's poll compares it and costs nothing when unchanged.
    version = models.PositiveIntegerField(default=1, editable=False)
    #: Raised by every change the matches depend on (a company joins or is checked, a declaration).
    inputs_version = models.PositiveIntegerField(default=1, editable=False)
    #: The ``inputs_version`` the current matches were computed from.
    matched_version = models.PositiveIntegerField(default=0, editable=False)
    matching_seconds = models.FloatField(default=0.0, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def __str__(self):
        return f"{self.theme} ({self.date:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == WorkshopStatus.OPEN


def bump(workshop_id: int, *, inputs: bool = False) -> None:
    """Tell the facilitator's screen that something changed, and with ``inputs`` that the matches are to
    be computed again (one UPDATE, inside the caller's transaction)."""
    changes = {"version": F("version") + 1}
    if inputs:
        changes["inputs_version"] = F("inputs_version") + 1
    Workshop.objects.filter(pk=workshop_id).update(**changes)


class WorkshopCompanyQuerySet(_TeamScoped):
    def unchecked(self):
        return self.filter(establishment__isnull=True)


@scoped
class WorkshopCompany(models.Model):
    """A company present at the workshop: one of the territory's establishments, or a name typed by a
    participant, to be checked by the team (linked to an establishment) before anything leaves the
    workshop under its name."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="companies")
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    typed_name = models.CharField(_("name given"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkshopCompanyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("workshop company")
        verbose_name_plural = _("workshop companies")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "establishment"],
                condition=Q(establishment__isnull=False),
                name="workshop_company_once_per_establishment",
            ),
            models.CheckConstraint(
                condition=Q(establishment__isnull=False) | ~Q(typed_name=""),
                name="workshop_company_named",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.establishment.name if self.establishment_id else self.typed_name

    @property
    def pending_check(self) -> bool:
        """A new company typed by a participant: the team has not linked it to an establishment yet."""
        return self.establishment_id is None


@scoped
class Participant(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    company = models.ForeignKey(WorkshopCompany, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("your name"), max_length=200, blank=True)
    email = models.EmailField(_("your e-mail address"), blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = _TeamScoped.as_manager()

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("workshop participant")
        verbose_name_plural = _("workshop participants")

    def __str__(self):
        return f"{self.name or _('Participant')} ({self.company})"


@scoped
class Declaration(models.Model):
    """A "have" (ressource disponible: an output) or a "want" (a need: an input), stated at the workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="declarations")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="declarations")
    company = models.ForeignKey(WorkshopCompany, on_delete=models.CASCADE, related_name="declarations")
    kind = models.CharField(_("have or want"), max_length=4, choices=DeclarationKind.choices)
    resource = models.CharField(_("resource"), max_length=64, validators=[validate_resource])
    #: Optional: a match without it is shown, its gain is not figured.
    quantity = models.FloatField(_("quantity per year"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    #: ``quantity`` in the resource's default unit (what the engine reads).
    quantity_per_year = models.FloatField(null=True, blank=True, editable=False)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    confidentiality = models.CharField(
        _("who may see it"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.FACILITATOR,
    )
    #: The flow it became after the workshop (basis "workshop" until the company confirms it).
    flow = models.ForeignKey("flows.Flow", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _TeamScoped.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        indexes = [models.Index(fields=["workshop", "created_at"], name="workshop_declaration_time")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.resource_label}"

    @property
    def resource_label(self) -> str:
        return catalogue.resource_label(self.resource)

    @property
    def resource_unit(self) -> str:
        entry = catalogue.catalogue_entry(self.resource)
        return entry.unit if entry else ""

    @property
    def direction(self) -> str:
        return "out" if self.kind == DeclarationKind.HAVE else "in"

    @property
    def in_summary(self) -> bool:
        return self.confidentiality == Confidentiality.SUMMARY


@scoped
class Match(models.Model):
    """A lead the engine found among the workshop's declarations, and what the facilitator made of it."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="matches")
    #: Kind, resource and sorted WorkshopCompany ids: the same match from one computation to the next.
    signature = models.CharField(max_length=255)
    kind = models.CharField(_("kind"), max_length=16)
    #: The engine's substitution rule or mutualisation kind (the screen shows it without reading ``data``).
    rule = models.CharField(max_length=64, blank=True)
    resource = models.CharField(_("resource"), max_length=64)
    resource_label = models.CharField(_("resource"), max_length=200)
    companies = models.ManyToManyField(WorkshopCompany, related_name="matches")
    #: The engine's opportunity (``Opportunity.as_dict()``, company ids being WorkshopCompany ids).
    data = models.JSONField(default=dict)
    rank = models.PositiveIntegerField(default=0)
    distance_km = models.FloatField(_("distance (km)"), default=0.0)
    gain_eur_per_year = models.FloatField(_("estimated gain (€/year)"), default=0.0)
    #: Every side of the match stated its quantity: the gain is figured on them (else it is not shown).
    quantified = models.BooleanField(default=False)
    #: Still found by the last computation (a pinned match the declarations no longer support stays).
    current = models.BooleanField(default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MatchState.choices, default=MatchState.PROPOSED
    )
    note = models.TextField(_("note"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="absorbed"
    )
    synergy = models.ForeignKey(
        "synergies.Synergy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    found_at = models.DateTimeField(auto_now_add=True)

    objects = _TeamScoped.as_manager()

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = _("workshop match")
        verbose_name_plural = _("workshop matches")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "signature"], name="workshop_match_signature"),
        ]

    def __str__(self):
        return f"{self.resource_label} ({self.kind})"
