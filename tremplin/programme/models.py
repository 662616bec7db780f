"""An EIT programme edition: its call for applications, the applications, the committee's scores and
the selection. The reference edition is the Normandy 2019 call (shared/seed)."""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scoped


class Call(models.Model):
    """A call for applications of one programme edition (e.g. "Tremplin EIT Normandie 2019")."""

    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="calls")
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opening"))
    deadline = models.DateTimeField(_("deadline"))
    places = models.PositiveSmallIntegerField(_("number of places"))
    # Set by the edition template applied to the call (tremplin.coaching.services.editions).
    support_days = models.PositiveSmallIntegerField(_("individual support days per territory"), default=2)
    # Eligibility rules, configurable per edition (the 2019 call uses all four).
    require_fiscalite_propre = models.BooleanField(_("EPCI à fiscalité propre required"), default=True)
    require_transition_strategy = models.BooleanField(
        _("ecological-transition strategy required"), default=True
    )
    require_plpdma = models.BooleanField(_("PLPDMA adopted or in progress required"), default=True)
    exclude_pnsi = models.BooleanField(_("PNSI beneficiaries excluded"), default=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    selection_made_at = models.DateTimeField(_("selection made at"), null=True, blank=True)
    selection_made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    selection_justification = models.TextField(_("justification of the selection"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")

    def __str__(self):
        return self.title

    def is_open(self, now) -> bool:
        """Whether applications may be submitted at ``now`` (deadline included)."""
        return self.opens_at <= now <= self.deadline

    @property
    def is_decided(self) -> bool:
        return self.selection_made_at is not None


class Criterion(models.Model):
    """A scoring criterion of a call, with its weight in the ranking."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=5)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="criterion_unique_code")]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")

    def __str__(self):
        return self.label


class CommitteeSeat(models.Model):
    """A committee member sitting on one call's selection committee."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="committee_seats")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_seats"
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "member"], name="committee_seat_unique")]
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")

    def __str__(self):
        return f"{self.member} — {self.call}"


class ParticipationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from tremplin.accounts.scoping import scope_for

        scope = scope_for(user)
        if scope.is_programme_team:
            return self.all()
        return self.filter(territory_id__in=scope.team_territory_ids)


@scoped
class Participation(models.Model):
    """A territory selected by a call: it follows the programme's start-up and operational phases.

    Created by the selection (see services); the coaching app hangs events, deliverables and support
    days on it.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="participations")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="participations"
    )
    selected_at = models.DateTimeField(_("selected at"))

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "territory__epci__name"]
        constraints = [models.UniqueConstraint(fields=["call", "territory"], name="participation_unique")]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self):
        return f"{self.territory} — {self.call}"


# --- Applications -------------------------------------------------------------------------------------


class StrategyType(models.TextChoices):
    """Ecological-transition strategies the 2019 call gives as examples (footnote 1), and "other"."""

    CITERGIE = "citergie", _("Cit'ergie")
    ENR_100 = "enr100", _("100 % renewable energy (100 % EnR)")
    CODEC = "codec", _("CODEC (circular-economy contract)")
    COTEC = "cotec", _("COTEC (Contrat d'Objectif Territoire Énergie Climat)")
    TERRITOIRE_DURABLE_2030 = "td2030", _("Territoire durable 2030")
    OTHER = "other", _("Other (give its name)")
    NONE = "none", _("No strategy yet")


def normalise_strategies(items) -> list[dict]:
    """The strategies of an application as stored: ``[{"type": code, "name": text}, …]``, known types
    only, once each, in the order of :class:`StrategyType`; "no strategy yet" only on its own."""
    names: dict[str, str] = {}
    for item in items or []:
        code = (item.get("type") or "").strip()
        if code in StrategyType.values and code not in names:
            names[code] = (item.get("name") or "").strip()[:200]
    if len(names) > 1:
        names.pop(StrategyType.NONE, None)
    return [{"type": code, "name": names[code]} for code in StrategyType.values if code in names]


class PlpdmaStatus(models.TextChoices):
    """Local household-waste prevention programme (PLPDMA)."""

    ADOPTED = "adopted", _("Adopted")
    IN_PROGRESS = "in_progress", _("Being drawn up")
    NONE = "none", _("None")


class DeliberationStatus(models.TextChoices):
    ATTACHED = "attached", _("Attached")
    EXPECTED = "expected", _("Expected (after the deadline)")


class ApplicationStatus(models.TextChoices):
    """The application's lifecycle; transitions are the services' business (see services/)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


class PrivateStorage(FileSystemStorage):
    """Uploaded documents served only by views that check access: they live outside any public URL
    (``MEDIA_ROOT/private``) and have no ``url()``."""

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name):
        raise ValueError("Private files have no public URL: serve them through a view that checks access.")


def private_storage():
    return PrivateStorage()


def _document_path(kind: str, instance, filename: str) -> str:
    # The user's file name is kept in the database only; the stored name is unguessable.
    return f"programme/{kind}/call-{instance.call_id}/{uuid.uuid4().hex}.pdf"


def letter_path(instance, filename):
    return _document_path("letters", instance, filename)


def deliberation_path(instance, filename):
    return _document_path("deliberations", instance, filename)


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Applications a user may read.

        Its own, always (an applicant needs no role); for the programme team every application that
        was submitted; for a committee member the submitted applications of the calls it sits on.
        Territory teams and company contacts see nothing but their own.
        """
        from tremplin.accounts.scoping import scope_for

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = scope_for(user)
        own = models.Q(applicant=user)
        if scope.is_programme_team:
            return self.filter(own | ~models.Q(status=ApplicationStatus.DRAFT))
        if scope.is_committee_member:
            return self.filter(
                own
                | (~models.Q(status=ApplicationStatus.DRAFT) & models.Q(call__committee_seats__member=user))
            ).distinct()
        return self.filter(own)

    def submitted(self):
        return self.exclude(status=ApplicationStatus.DRAFT)

    def eligible(self):
        """Applications the committee ranks: eligible ones, before and after the decision."""
        return self.submitted().filter(eligible=True)

    def for_call(self, call):
        return self.filter(call=call)


class Application(models.Model):
    """An EPCI's application to a call: the fiche de candidature, its documents and its outcome."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="applications")
    epci = models.ForeignKey("geo.Epci", on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    # Referent elected official and EIT officer (the call asks for both).
    official_name = models.CharField(_("referent official: name"), max_length=200, blank=True)
    official_role = models.CharField(_("referent official: role"), max_length=200, blank=True)
    official_email = models.EmailField(_("referent official: e-mail"), blank=True)
    officer_name = models.CharField(_("officer: name"), max_length=200, blank=True)
    officer_role = models.CharField(_("officer: role"), max_length=200, blank=True)
    officer_email = models.EmailField(_("officer: e-mail"), blank=True)
    # Ecological-transition strategies (a territory may have several), waste prevention, previous
    # programmes. Strategies: [{"type": StrategyType code, "name": its name}, …], see normalise_strategies.
    strategies = models.JSONField(_("transition strategies"), default=list, blank=True)
    plpdma_status = models.CharField(
        _("PLPDMA status"), max_length=16, choices=PlpdmaStatus.choices, blank=True
    )
    pnsi_participation = models.BooleanField(_("took part in PNSI"), null=True, blank=True)
    ambitions = models.TextField(_("ambitions in ecological transition"), blank=True)
    expectations = models.TextField(_("expectations of industrial and territorial ecology"), blank=True)
    # Documents.
    letter = models.FileField(
        _("signed letter (PDF)"), upload_to=letter_path, storage=private_storage, blank=True, max_length=200
    )
    letter_filename = models.CharField(_("letter file name"), max_length=200, blank=True)
    deliberation_status = models.CharField(
        _("council deliberation"), max_length=16, choices=DeliberationStatus.choices, blank=True
    )
    deliberation = models.FileField(
        _("council deliberation (PDF)"),
        upload_to=deliberation_path,
        storage=private_storage,
        blank=True,
        max_length=200,
    )
    deliberation_filename = models.CharField(_("deliberation file name"), max_length=200, blank=True)
    deliberation_expected_on = models.DateField(_("deliberation expected on"), null=True, blank=True)
    # Lifecycle.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    eligible = models.BooleanField(
        _("eligible"), null=True, blank=True, help_text=_("Verdict after any override; empty until assessed.")
    )
    eligibility_failures = models.JSONField(
        _("failed eligibility rules"), default=list, blank=True, help_text=_("Codes of the rules not met.")
    )
    eligibility_assessed_at = models.DateTimeField(_("eligibility assessed at"), null=True, blank=True)
    eligibility_overridden = models.BooleanField(_("eligibility overridden"), default=False)
    override_justification = models.TextField(_("justification of the override"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    # Objective synergy potential (engine, deductive mode), stored with its computation date.
    potential_score = models.FloatField(_("synergy-potential figure"), null=True, blank=True)
    potential_figures = models.JSONField(_("synergy-potential details"), default=dict, blank=True)
    potential_establishments = models.PositiveIntegerField(_("establishments used"), null=True, blank=True)
    potential_computed_at = models.DateTimeField(_("synergy potential computed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("applicant notified at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "epci__name"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "epci"], name="application_unique_epci"),
        ]

    def __str__(self):
        return f"{self.epci} — {self.call}"

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in {ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED}

    @property
    def strategy_labels(self) -> list[str]:
        """Each declared strategy as read: its type, with its name when given ("other": its name)."""
        labels = []
        for item in normalise_strategies(self.strategies):
            code, name = item["type"], item["name"]
            if code == StrategyType.OTHER:
                labels.append(name or str(_("Other")))
            else:
                label = str(StrategyType(code).label)
                labels.append(f"{label} — {name}" if name else label)
        return labels

    @property
    def strategy_label(self) -> str:
        return "; ".join(self.strategy_labels)

    @property
    def strategy_types(self) -> list[str]:
        return [item["type"] for item in normalise_strategies(self.strategies)]

    @property
    def has_transition_strategy(self) -> bool:
        """At least one strategy (not "none"; an "other" one named)."""
        return any(
            item["type"] != StrategyType.NONE and (item["type"] != StrategyType.OTHER or item["name"])
            for item in normalise_strategies(self.strategies)
        )


class Score(models.Model):
    """One committee member's score of one application on one criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["application", "criterion__position", "member_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion", "member"], name="score_unique"),
        ]

    def __str__(self):
        return f"{self.application} · {self.criterion.code} · {self.member}: {self.value}"
