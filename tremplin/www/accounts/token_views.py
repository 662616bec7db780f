"""A person's API tokens: make one (shown once, in that response only), list them, revoke one.

Only the person's own tokens are reached: another person's token id is a 404, as an unknown one is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tremplin.api.models import ApiToken
from tremplin.api.tokens import create_token, revoke_token
from tremplin.submissions.services import AlreadySubmitted
from tremplin.www.accounts.token_forms import ApiTokenForm


def _own_token_or_404(request, pk) -> ApiToken:
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    return token


def _page(request, form, *, created=None, raw="", status=200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "created": created, "raw": raw},
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The list and the creation form. The new token is in the answer to the POST only: it is never
    stored in clear, nor carried by a redirect or a message."""
    if request.method == "GET":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = create_token(
                request.user,
                by=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
                submission_key=form.submission_key,
            )
        except AlreadySubmitted as error:
            messages.error(request, error.message)
            return redirect("api_tokens")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                field = {"expires_at": "lifetime"}.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not raw:  # the same form, posted again: its token was shown to the first post only
                messages.info(
                    request,
                    _(
                        "This form had already been sent: the token “%(name)s” was created once, and shown "
                        "then only. If it was not copied, revoke it and create another."
                    )
                    % {"name": token.name},
                )
                return redirect("api_tokens")
            return _page(request, ApiTokenForm(), created=token, raw=raw)
    return _page(request, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request, pk):
    """GET asks for confirmation; POST revokes (at once: the next call with the token is refused)."""
    token = _own_token_or_404(request, pk)
    if request.method == "GET":
        return render(request, "accounts/api_token_revoke.html", {"token": token})
    if token.revoked_at is not None:
        messages.info(request, _("This token was already revoked."))
        return redirect("api_tokens")
    try:
        revoke_token(token, by=request.user)
    except PermissionDenied:  # not reached: the token is the user's own
        raise Http404 from None
    messages.success(
        request, _("The token “%(name)s” is revoked: programs using it are refused.") % {"name": token.name}
    )
    return redirect("api_tokens")
