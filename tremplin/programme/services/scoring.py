"""Committee scores and the weighted ranking.

Weighted score of an application = Σ over the call's criteria of weight × (mean of the members' scores
on that criterion). A criterion nobody has scored yet counts 0, and the ranking says the scoring is
incomplete. Exact fractions are used throughout, so equal scores are really equal.

Tie-break (documented on the ranking page), in this order: the higher weighted score; then the higher
synergy-potential figure computed by the engine (an application without a figure comes after those
with one); then the earlier submission; then the smaller application number.
"""

from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tremplin.audit.log import log_action
from tremplin.programme.exceptions import InvalidTransition, ProgrammeError
from tremplin.programme.models import Application, ApplicationStatus, Call, Criterion, Score
from tremplin.programme.services.permissions import require_seat

TIE_BREAK = (
    gettext_lazy("weighted score (higher first)"),
    gettext_lazy("synergy-potential figure computed by the engine (higher first; none last)"),
    gettext_lazy("submission date and time (earlier first)"),
    gettext_lazy("application number (smaller first)"),
)


@dataclass(frozen=True)
class ScoreInput:
    value: int
    comment: str = ""


@transaction.atomic
def record_scores(application: Application, scores: dict[Criterion, ScoreInput], *, by, now=None) -> int:
    """A committee member scores an eligible application on the call's criteria; returns the number of
    scores created or changed, each of which is audited with its old and new value."""
    call = application.call
    require_seat(by, call)
    if application.status != ApplicationStatus.ELIGIBLE or call.is_decided:
        raise InvalidTransition(_("Only eligible applications awaiting the selection can be scored."))
    now = now or timezone.now()
    changes = 0
    for criterion, given in scores.items():
        if criterion.call_id != call.pk:
            raise ProgrammeError(_("This criterion belongs to another call."))
        if not 0 <= given.value <= criterion.max_score:
            raise ProgrammeError(
                _("A score on “%(criterion)s” lies between 0 and %(max)s.")
                % {"criterion": criterion.label, "max": criterion.max_score}
            )
        comment = (given.comment or "").strip()
        score = Score.objects.filter(application=application, criterion=criterion, member=by).first()
        if score is not None and score.value == given.value and score.comment == comment:
            continue
        before = None if score is None else {"value": score.value, "comment": score.comment}
        if score is None:
            score = Score(application=application, criterion=criterion, member=by)
        score.value, score.comment, score.updated_at = given.value, comment, now
        score.save()
        log_action(
            by,
            "score.changed",
            application,
            call=call,
            at=now,
            criterion=criterion.code,
            before=before,
            after={"value": given.value, "comment": comment},
        )
        changes += 1
    return changes


@dataclass
class CriterionResult:
    criterion: Criterion
    scores: list[int]

    @property
    def mean(self) -> Fraction | None:
        return Fraction(sum(self.scores), len(self.scores)) if self.scores else None

    @property
    def weighted(self) -> Fraction:
        return Fraction(self.criterion.weight) * (self.mean or 0)


@dataclass
class RankedApplication:
    application: Application
    criteria: list[CriterionResult]
    rank: int = 0

    @property
    def weighted_score(self) -> Fraction:
        return sum((result.weighted for result in self.criteria), Fraction(0))

    @property
    def is_complete(self) -> bool:
        return all(result.scores for result in self.criteria)

    @property
    def score_count(self) -> int:
        return sum(len(result.scores) for result in self.criteria)

    def sort_key(self):
        app = self.application
        potential = app.potential_score
        return (
            -self.weighted_score,
            potential is None,
            -(potential or 0),
            app.submitted_at,
            app.pk,
        )


def rank_applications(call: Call) -> list[RankedApplication]:
    """The call's eligible applications in ranking order (rank 1 first), with per-criterion means."""
    criteria = list(call.criteria.order_by("position", "pk"))
    applications = list(Application.objects.for_call(call).eligible().select_related("epci", "applicant"))
    values: dict[tuple[int, int], list[int]] = {}
    for application_id, criterion_id, value in Score.objects.filter(application__in=applications).values_list(
        "application_id", "criterion_id", "value"
    ):
        values.setdefault((application_id, criterion_id), []).append(value)
    ranked = [
        RankedApplication(
            application,
            [
                CriterionResult(criterion, values.get((application.pk, criterion.pk), []))
                for criterion in criteria
            ],
        )
        for application in applications
    ]
    ranked.sort(key=RankedApplication.sort_key)
    for position, item in enumerate(ranked, start=1):
        item.rank = position
    return ranked
