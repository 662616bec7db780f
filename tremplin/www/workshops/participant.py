"""A participant's browser, bound to its participant by a signed cookie (no account, no session).

The cookie holds the participant's id, signed with the secret key and a salt naming the workshop, and is
sent only under the workshop's own link (``path``): another workshop, or a forged or copied value, reads
as no participant.
"""

from django.conf import settings
from django.core import signing

from tremplin.workshops.models import Participant

MAX_AGE_S = 7 * 24 * 3600


def cookie_name(workshop) -> str:
    return f"tremplin_ws{workshop.pk}"


def _salt(workshop) -> str:
    return f"tremplin.workshops.participant.{workshop.pk}"


def bind(response, workshop, participant, path: str) -> None:
    response.set_signed_cookie(
        cookie_name(workshop),
        str(participant.pk),
        salt=_salt(workshop),
        max_age=MAX_AGE_S,
        path=path,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def participant_of(request, workshop) -> Participant | None:
    try:
        value = request.get_signed_cookie(cookie_name(workshop), salt=_salt(workshop), max_age=MAX_AGE_S)
    except (KeyError, signing.BadSignature):
        return None
    try:
        return Participant.objects.select_related("company__establishment", "workshop__territory").get(
            pk=int(value), workshop=workshop
        )
    except (Participant.DoesNotExist, ValueError):
        return None
