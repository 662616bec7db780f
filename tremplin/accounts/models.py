"""Users and their roles.

A user holds one or more memberships; each membership is a role, bound to what the role is about: a
territory for a territory team member, an establishment for a company contact. The programme team
and committee members are programme-wide roles.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.scoping import scope_for, scoped


class EmailUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        return super().create_superuser(email, email, password, **extra_fields)


class User(AbstractUser):
    """A person; signs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    #: Raised to end every open session of the person at once (see accounts.services.end_sessions).
    session_version = models.PositiveIntegerField(default=0, editable=False)
    #: A person who signed up stays inactive, with no password, until the link sent to the address is
    #: opened and a password chosen (see accounts.signup): whoever holds the mailbox owns the account.
    awaits_confirmation = models.BooleanField(default=False, editable=False)
    email_confirmed_at = models.DateTimeField(
        _("address confirmed on"), null=True, blank=True, editable=False
    )
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.username = self.email
        super().save(*args, **kwargs)

    def get_session_auth_hash(self):
        """Sessions are bound to the password hash (Django) and to ``session_version`` (ours)."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "tremplin.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_version}",
            algorithm="sha256",
        ).hexdigest()


class Role(models.TextChoices):
    PROGRAMME_TEAM = "programme_team", _("Programme team")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    TERRITORY_TEAM = "territory_team", _("Territory team")
    COMPANY_CONTACT = "company_contact", _("Company contact")


class TerritoryFunction(models.TextChoices):
    """What a territory team member does for the EPCI (the call asks for both)."""

    ELECTED_OFFICIAL = "elected_official", _("Referent elected official")
    OFFICER = "officer", _("EIT officer")
    OTHER = "other", _("Other")


class MemberAccess(models.TextChoices):
    """What a territory team member may do in the workspace (an elected official often only reads)."""

    EDIT = "edit", _("Edit")
    READ = "read", _("Read only")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    establishment = models.ForeignKey(
        "establishments.Establishment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    function = models.CharField(_("function"), max_length=32, choices=TerritoryFunction.choices, blank=True)
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("e.g. Région Normandie, ADEME, DREAL")
    )
    #: Territory team only: read-only members see the workspace but change nothing in it.
    access = models.CharField(
        _("access"), max_length=8, choices=MemberAccess.choices, default=MemberAccess.EDIT
    )
    #: Programme team only: bound to a region, the member runs that region's calls only; unbound, all.
    region = models.ForeignKey(
        "geo.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_memberships",
        verbose_name=_("region"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_binding_matches_role",
                condition=(
                    Q(role="territory_team", territory__isnull=False, establishment__isnull=True)
                    | Q(role="company_contact", territory__isnull=True, establishment__isnull=False)
                    | Q(
                        role__in=["programme_team", "committee_member"],
                        territory__isnull=True,
                        establishment__isnull=True,
                    )
                ),
            ),
            models.CheckConstraint(
                name="membership_region_only_for_programme_team",
                condition=Q(region__isnull=True) | Q(role="programme_team"),
            ),
            models.UniqueConstraint(
                fields=["user", "territory"],
                condition=Q(role="territory_team"),
                name="membership_unique_team",
            ),
            models.UniqueConstraint(
                fields=["user", "establishment"],
                condition=Q(role="company_contact"),
                name="membership_unique_contact",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(role__in=["programme_team", "committee_member"]),
                name="membership_unique_programme_role",
            ),
        ]

    def __str__(self):
        target = self.territory or self.establishment or self.region or ""
        return f"{self.user} — {self.get_role_display()} {target}".strip()

    def clean(self):
        if self.role == Role.TERRITORY_TEAM and not self.territory_id:
            raise ValidationError({"territory": _("A territory team member belongs to a territory.")})
        if self.role == Role.COMPANY_CONTACT and not self.establishment_id:
            raise ValidationError({"establishment": _("A company contact belongs to an establishment.")})

    @property
    def can_edit(self) -> bool:
        return self.access == MemberAccess.EDIT


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class AccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The programme team sees every request; a territory team those of its territories."""
        scope = scope_for(user)
        if scope.is_programme_team:
            return self.all()
        return self.filter(territory_id__in=scope.team_territory_ids)

    def pending(self):
        return self.filter(status=AccessRequestStatus.PENDING)


@scoped
class AccessRequest(models.Model):
    """A person asks to join a territory's team; the team (or, explicitly, the programme team) decides.

    Nothing but a decision grants the role: being the applicant of a selected application only opens a
    request (see accounts.access_requests).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_requests")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="access_requests"
    )
    function = models.CharField(_("function"), max_length=32, choices=TerritoryFunction.choices, blank=True)
    application = models.ForeignKey(
        "programme.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_requests",
        verbose_name=_("application"),
    )
    via = models.CharField(max_length=32, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    requested_at = models.DateTimeField(_("requested on"), default=timezone.now)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decision_note = models.TextField(_("note"), blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "territory"],
                condition=Q(status="pending"),
                name="access_request_one_pending_per_person",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.territory}"

    @property
    def is_pending(self) -> bool:
        return self.status == AccessRequestStatus.PENDING


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=InvitationStatus.PENDING)


class Invitation(models.Model):
    """A role offered to an e-mail address, granted when the person follows the link sent to it.

    The link is signed, names the invitation and its secret, and works once, until ``expires_at``; the
    person may not have an account yet (see accounts.invitations).
    """

    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    call = models.ForeignKey(
        "programme.Call",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("call for applications"),
    )
    region = models.ForeignKey(
        "geo.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    function = models.CharField(_("function"), max_length=32, choices=TerritoryFunction.choices, blank=True)
    access = models.CharField(
        _("access"), max_length=8, choices=MemberAccess.choices, default=MemberAccess.EDIT
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    secret = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    invited_at = models.DateTimeField(_("invited on"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "territory"],
                condition=Q(status="pending", role="territory_team"),
                name="invitation_one_pending_per_team",
            ),
            models.UniqueConstraint(
                fields=["email", "call"],
                condition=Q(status="pending", role="committee_member"),
                name="invitation_one_pending_per_committee",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(status="pending", role="programme_team"),
                name="invitation_one_pending_programme_team",
            ),
        ]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING

    def has_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at
