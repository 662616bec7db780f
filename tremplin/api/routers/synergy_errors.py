"""The refusals of the synergy domain (``tremplin.synergies.exceptions``) as API errors.

The message is the domain's own, translated in the request's language (the interface shows the same
sentence); the code is stable:

* 403 ``forbidden``: the caller may see the object but not do this (``TeamOnly``, ``NotAParticipant``);
* 409 ``detection_running``: a detection is already running on the territory;
* 409 ``already_decided``: the lead was already accepted or dismissed (or its synergy is in the pipeline);
* 409 ``transition_not_allowed``: no such move from the synergy's status;
* 409 ``transition_blocked``: the move exists but a condition is missing (the participants' consent);
* 409 ``run_not_lost``: the run still gives news;
* 409 ``refused``: any other refusal of the operation (its message says why);
* 422 ``reason_required`` (field ``body.reason``): abandoning needs a coded reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tremplin.api.errors import ApiError
from tremplin.synergies.exceptions import (
    DetectionAlreadyRunning,
    LeadAlreadyDecided,
    NotAParticipant,
    ReasonRequired,
    RunNotLost,
    SynergyError,
    TeamOnly,
    TransitionBlocked,
    TransitionNotAllowed,
)


def api_error(error: SynergyError) -> ApiError:
    """The API error for a refusal of the domain."""
    if isinstance(error, (TeamOnly, NotAParticipant)):
        return ApiError(str(error), code="forbidden", status=403)
    if isinstance(error, ReasonRequired):
        return ApiError(str(error), code="reason_required", status=422, field="body.reason")
    if isinstance(error, TransitionNotAllowed):
        # The exception's own text is for logs; the interface's sentence is for people.
        return ApiError(
            _("This move is not allowed from the synergy's current status."),
            code="transition_not_allowed",
            status=409,
            field="body.name",
        )
    codes = (
        (DetectionAlreadyRunning, "detection_running"),
        (LeadAlreadyDecided, "already_decided"),
        (TransitionBlocked, "transition_blocked"),
        (RunNotLost, "run_not_lost"),
    )
    code = next((code for kind, code in codes if isinstance(error, kind)), "refused")
    return ApiError(str(error), code=code, status=409)
