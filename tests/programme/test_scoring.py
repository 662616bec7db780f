"""Committee scores and the weighted ranking, checked against hand-computed values."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.audit.models import AuditEntry
from tremplin.programme.exceptions import InvalidTransition, NotAllowed, ProgrammeError
from tremplin.programme.models import Score
from tremplin.programme.services.scoring import ScoreInput, rank_applications, record_scores

pytestmark = pytest.mark.django_db

CAEN = "200065597"
COTENTIN = "200067205"
DIEPPE = "247600786"


def score(application, member, motivation, potential, comment=""):
    motivation_criterion, potential_criterion = application.call.criteria.order_by("position")
    record_scores(
        application,
        {motivation_criterion: ScoreInput(motivation, comment), potential_criterion: ScoreInput(potential)},
        by=member,
    )


@pytest.fixture
def committee():
    """A call with 2 places, criteria motivation and potential weighted 0.5 and 0.5, scored 0 to 5 by
    three members, and four eligible applications submitted a day apart (X first)."""
    call = factories.call(places=2)
    members = [
        factories.seated_committee_member(call, organisation=org) for org in ("Région", "ADEME", "DREAL")
    ]
    base = call.deadline - dt.timedelta(days=10)
    apps = {
        name: factories.submitted_application(call, siren, submitted_at=base + dt.timedelta(days=i))
        for i, (name, siren) in enumerate([("X", CAUX_SEINE), ("Y", LE_HAVRE), ("Z", CAEN), ("W", COTENTIN)])
    }
    return call, members, apps


def test_the_weighted_ranking_matches_the_hand_computation(committee):
    call, (a, b, c), apps = committee
    #                 member A   member B   member C      mean motivation  mean potential  weighted
    for member, x, y, z, w in [
        (a, (4, 5), (5, 5), (2, 3), (4, 4)),
        (b, (5, 4), (5, 5), (3, 3), (4, 4)),
        (c, (3, 3), (5, 2), (4, 3), (4, 4)),
    ]:
        score(apps["X"], member, *x)  # X: (4+5+3)/3 = 4, (5+4+3)/3 = 4 → 0.5×4 + 0.5×4 = 4
        score(apps["Y"], member, *y)  # Y: (5+5+5)/3 = 5, (5+5+2)/3 = 4 → 0.5×5 + 0.5×4 = 4.5
        score(apps["Z"], member, *z)  # Z: (2+3+4)/3 = 3, (3+3+3)/3 = 3 → 0.5×3 + 0.5×3 = 3
        score(apps["W"], member, *w)  # W: 4, 4 → 4, tied with X
    # The tie X/W goes to the higher synergy-potential figure: W has one, X has none.
    apps["W"].potential_score = 12.5
    apps["W"].save()
    ranking = rank_applications(call)
    assert [item.application.epci.siren for item in ranking] == [LE_HAVRE, COTENTIN, CAUX_SEINE, CAEN]
    assert [item.weighted_score for item in ranking] == [Fraction(9, 2), 4, 4, 3]
    assert [item.rank for item in ranking] == [1, 2, 3, 4]
    y = ranking[0]
    assert [result.mean for result in y.criteria] == [5, 4]
    assert y.is_complete and y.score_count == 6


def test_ties_with_equal_potential_go_to_the_earlier_submission(committee):
    call, (a, _b, _c), apps = committee
    for application in apps.values():
        score(application, a, 3, 3)  # every one: 0.5×3 + 0.5×3 = 3
    ranking = rank_applications(call)
    # No potential figure anywhere (no establishment recorded): submission order X, Y, Z, W.
    assert [item.application.epci.siren for item in ranking] == [CAUX_SEINE, LE_HAVRE, CAEN, COTENTIN]


def test_the_weights_decide_the_order():
    call = factories.call()
    member = factories.seated_committee_member(call)
    p = factories.submitted_application(call, CAUX_SEINE)
    q = factories.submitted_application(call, LE_HAVRE)
    score(p, member, 5, 1)
    score(q, member, 2, 5)
    # 0.5/0.5: P = 2.5 + 0.5 = 3.0, Q = 1.0 + 2.5 = 3.5 → Q first
    assert [item.application for item in rank_applications(call)] == [q, p]
    motivation, potential = call.criteria.order_by("position")
    motivation.weight, potential.weight = Decimal("0.80"), Decimal("0.20")
    motivation.save()
    potential.save()
    # 0.8/0.2: P = 4.0 + 0.2 = 4.2, Q = 1.6 + 1.0 = 2.6 → P first
    ranking = rank_applications(call)
    assert [item.application for item in ranking] == [p, q]
    assert [item.weighted_score for item in ranking] == [Fraction(21, 5), Fraction(13, 5)]


def test_an_unscored_criterion_counts_zero_and_is_flagged(committee):
    call, (a, _b, _c), apps = committee
    motivation, _potential = call.criteria.order_by("position")
    record_scores(apps["X"], {motivation: ScoreInput(4)}, by=a)
    item = next(i for i in rank_applications(call) if i.application == apps["X"])
    assert item.weighted_score == 2  # 0.5 × 4 + 0.5 × 0
    assert not item.is_complete


def test_ineligible_applications_are_neither_scored_nor_ranked(committee):
    call, (a, _b, _c), _apps = committee
    ineligible = factories.submitted_application(call, DIEPPE, plpdma_status="none")
    with pytest.raises(InvalidTransition):
        score(ineligible, a, 5, 5)
    assert ineligible not in [item.application for item in rank_applications(call)]


def test_only_members_seated_on_the_call_score(committee):
    _call, _members, apps = committee
    other_call_member = factories.seated_committee_member(factories.call())
    team = factories.programme_team_member()
    for person in (other_call_member, team, apps["X"].applicant):
        with pytest.raises(NotAllowed):
            score(apps["X"], person, 3, 3)


def test_a_score_beyond_the_scale_is_refused(committee):
    _call, (a, _b, _c), apps = committee
    with pytest.raises(ProgrammeError):
        score(apps["X"], a, 6, 3)
    assert not Score.objects.exists()


def test_every_score_change_is_audited_with_who_what_and_when(committee):
    _call, (a, _b, _c), apps = committee
    score(apps["X"], a, 3, 4, comment="Motivation réelle")
    score(apps["X"], a, 3, 4, comment="Motivation réelle")  # unchanged: nothing new in the journal
    score(apps["X"], a, 5, 4, comment="Après audition")
    entries = AuditEntry.objects.about(apps["X"]).filter(action="score.changed").order_by("id")
    assert [(e.actor, e.data["criterion"]) for e in entries] == [
        (a, "motivation"),
        (a, "potentiel"),
        (a, "motivation"),
    ]
    last = entries.last()
    assert last.data["before"] == {"value": 3, "comment": "Motivation réelle"}
    assert last.data["after"] == {"value": 5, "comment": "Après audition"}
    assert last.at is not None and last.call == apps["X"].call
