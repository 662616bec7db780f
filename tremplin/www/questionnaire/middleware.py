"""Expiry of a questionnaire invitation ends the access it granted, at the contact's next request.

The membership an invitation granted is held only until the link expires. Nobody acts at that moment,
so the first request the contact makes afterwards ends it (``end_expired_grants``, the same operation
``tremplin end-expired-invitations`` runs for everybody from cron): like an expired session, the
change is caused by time, not by the page asked for. The request then goes on as what the person still
is: signed out when company contacts were their only roles.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tremplin.accounts.scoping import forget_scope, scope_for
from tremplin.questionnaire.services import end_expired_grants, has_expired_grant


class ExpiredInvitationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and scope_for(user).contact_establishment_ids
            and has_expired_grant(user)
        ):
            version = user.session_version
            end_expired_grants(user=user)
            forget_scope(user)
            user.refresh_from_db(fields=["session_version"])
            if user.session_version != version:
                logout(request)
                messages.info(
                    request,
                    _(
                        "Your questionnaire link has expired. Open it again from your e-mail to ask "
                        "for a new one."
                    ),
                )
                return redirect(request.get_full_path())
        return self.get_response(request)
