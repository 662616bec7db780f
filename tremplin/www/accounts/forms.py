import hashlib

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import MemberAccess, TerritoryFunction
from tremplin.accounts.signup import RESEND_INTERVAL


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note (required when the programme team decides for a territory that has a team)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemovalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class SparingPasswordResetForm(PasswordResetForm):
    """Django's form, sending at most one reset link per address every :data:`RESEND_INTERVAL`: the page
    is open to anyone, and would otherwise let anyone flood a person's mailbox (and the platform's
    sending reputation). The page answers the same either way, as Django's does for unknown addresses.
    Counted in Django's cache, as the questionnaire links' rate limits are (see README)."""

    def get_users(self, email):
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        if not cache.add(f"password-reset:{digest}", 1, timeout=int(RESEND_INTERVAL.total_seconds())):
            return iter(())
        return super().get_users(email)


# Invitations -------------------------------------------------------------------------------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ProgrammeInvitationForm(InvitationForm):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=None,
        required=False,
        empty_label=_("Every region"),
        help_text=_("Bound to a region, the colleague runs that region's calls only."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def __init__(self, *args, scope, **kwargs):
        from tremplin.geo.models import Region

        super().__init__(*args, **kwargs)
        regions = Region.objects.all()
        if not scope.programme_all_regions:
            regions = regions.filter(pk__in=scope.programme_region_ids)
            self.fields["region"].required = True
            self.fields["region"].empty_label = None
        self.fields["region"].queryset = regions


class CommitteeInvitationForm(InvitationForm):
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("e.g. Région Normandie, ADEME, DREAL"),
    )


class TerritoryInvitationForm(InvitationForm):
    function = forms.ChoiceField(label=_("Function"), choices=TerritoryFunction.choices)
    access = forms.ChoiceField(
        label=_("Access"),
        choices=MemberAccess.choices,
        initial=MemberAccess.EDIT,
        widget=forms.RadioSelect,
        help_text=_("A read-only member sees the workspace but changes nothing in it."),
    )


class AccessForm(forms.Form):
    access = forms.ChoiceField(label=_("Access"), choices=MemberAccess.choices)
