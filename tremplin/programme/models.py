"""An EIT programme edition: its call for applications, the applications, the committee's scores and
the selection. The reference edition is the Normandy 2019 call (shared/seed)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Call(models.Model):
    """A call for applications of one programme edition (e.g. "Tremplin EIT Normandie 2019")."""

    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="calls")
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opening"))
    deadline = models.DateTimeField(_("deadline"))
    places = models.PositiveSmallIntegerField(_("number of places"))
    # Eligibility rules, configurable per edition (the 2019 call uses all four).
    require_fiscalite_propre = models.BooleanField(_("EPCI à fiscalité propre required"), default=True)
    require_transition_strategy = models.BooleanField(
        _("ecological-transition strategy required"), default=True
    )
    require_plpdma = models.BooleanField(_("PLPDMA adopted or in progress required"), default=True)
    exclude_pnsi = models.BooleanField(_("PNSI beneficiaries excluded"), default=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")

    def __str__(self):
        return self.title


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
