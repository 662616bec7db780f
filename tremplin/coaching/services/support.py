"""Individual support: the days of the call's edition template per territory (two in the 2019 call), the
first at the consultancy's premises."""

from django.db import transaction

from tremplin.coaching.models import SupportDay
from tremplin.coaching.services.audit import changed_fields, log_coaching
from tremplin.coaching.services.roles import require_team_or_programme
from tremplin.submissions.services import submit_once

ON_SITE_PLACE = "Locaux du bureau d'études animateur"
ON_SITE_TOPICS = "Finalisation de la stratégie EIT\nValidation de l'organisation interne, gouvernance"


@transaction.atomic
def plan_support_days(participation) -> list[SupportDay]:
    """The call's support days (``Call.support_days``, from its edition template; two in the 2019
    call), not yet dated: the first at the consultancy's premises, the others remote. Idempotent: a
    participation that has its days gets none added."""
    days = list(SupportDay.objects.filter(participation=participation))
    count = participation.call.support_days
    if not days and count:
        days = [
            SupportDay.objects.create(
                participation=participation, on_site=True, place=ON_SITE_PLACE, topics=ON_SITE_TOPICS
            )
        ]
        days += [
            SupportDay.objects.create(participation=participation, on_site=False) for _ in range(count - 1)
        ]
        log_coaching(None, "support_days.planned", participation, participation=participation, days=count)
    return days


DAY_FIELDS = ("date", "on_site", "place", "topics", "notes")


@transaction.atomic
def save_support_day(day: SupportDay, *, by, submission_key: str | None = None) -> SupportDay:
    """The territory team or the programme team (the consultancy) logs a support day; a new day from a
    form is recorded once however often the form is posted (``submission_key``)."""
    require_team_or_programme(by, day.participation)
    day.full_clean()
    if day.pk is None:

        def create():
            day.save()
            log_coaching(
                by,
                "support_day.added",
                day,
                participation=day.participation,
                date=day.date.isoformat() if day.date else None,
                on_site=day.on_site,
            )
            return day

        return submit_once(submission_key, by=by, create=create)
    before = SupportDay.objects.select_for_update().get(pk=day.pk)
    day.save()
    changes = changed_fields(before, day, ("date", "on_site", "place"))
    edited = [name for name in ("topics", "notes") if getattr(before, name) != getattr(day, name)]
    if changes or edited:
        log_coaching(
            by, "support_day.updated", day, participation=day.participation, changes=changes, edited=edited
        )
    return day


@transaction.atomic
def remove_support_day(day: SupportDay, *, by) -> None:
    require_team_or_programme(by, day.participation)
    log_coaching(
        by,
        "support_day.removed",
        day,
        participation=day.participation,
        date=day.date.isoformat() if day.date else None,
    )
    day.delete()
