"""Individual support: two days per territory, one at the consultancy's premises (the call)."""

from django.db import transaction

from tremplin.coaching.models import SupportDay
from tremplin.coaching.services.roles import require_team_or_programme

PLANNED_DAYS = 2
ON_SITE_PLACE = "Locaux du bureau d'études animateur"
ON_SITE_TOPICS = "Finalisation de la stratégie EIT\nValidation de l'organisation interne, gouvernance"


@transaction.atomic
def plan_support_days(participation) -> list[SupportDay]:
    """The call's two support days, not yet dated; idempotent (never adds beyond two)."""
    days = list(SupportDay.objects.filter(participation=participation))
    if not days:
        days = [
            SupportDay.objects.create(
                participation=participation, on_site=True, place=ON_SITE_PLACE, topics=ON_SITE_TOPICS
            ),
            SupportDay.objects.create(participation=participation, on_site=False),
        ]
    return days


@transaction.atomic
def save_support_day(day: SupportDay, *, by) -> SupportDay:
    """The territory team or the programme team (the consultancy) logs a support day."""
    require_team_or_programme(by, day.participation)
    day.full_clean()
    day.save()
    return day


@transaction.atomic
def remove_support_day(day: SupportDay, *, by) -> None:
    require_team_or_programme(by, day.participation)
    day.delete()
