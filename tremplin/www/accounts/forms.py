import hashlib

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

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
