"""What a territory's coaching needs from the day it is selected: its deliverables (to do) and its two
support days (not yet dated). Created by the operation that selects it, so that no page has to create
them when it is first shown (GET never writes)."""

from django.db import transaction

from tremplin.coaching.services.deliverables import ensure_deliverables
from tremplin.coaching.services.support import plan_support_days

__all__ = ["open_coaching"]


@transaction.atomic
def open_coaching(participation) -> None:
    """For a participation just created (both steps are idempotent, but support days removed later must
    stay removed: call it once, when the territory joins the call)."""
    ensure_deliverables(participation)
    plan_support_days(participation)
