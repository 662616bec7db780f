"""The objective synergy-potential figure: computed by the engine over the territory's establishments,
stored with its date and method; plainly absent when no establishment is recorded."""

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin import engine
from tremplin.engine.headcount import headcount_band
from tremplin.programme.exceptions import NotAllowed
from tremplin.programme.services.potential import refresh_potential

pytestmark = pytest.mark.django_db


def test_submission_computes_the_figure_over_the_territorys_establishments():
    caux = factories.territory(CAUX_SEINE)
    brewery = factories.establishment(caux, naf_code="11.05Z", headcount_band="12", is_demo=True)
    farm = factories.establishment(caux, naf_code="01.41Z", headcount_band="01")
    application = factories.submitted_application(factories.call(), CAUX_SEINE)
    # Independently: the engine on the same two establishments.
    expected = engine.synergy_potential(
        [
            engine.Establishment(
                str(e.pk),
                e.name,
                e.naf_code,
                e.latitude,
                e.longitude,
                headcount_band(e.headcount_band).representative,
            )
            for e in (brewery, farm)
        ]
    )
    assert application.potential_score == expected.score
    assert application.potential_establishments == 2
    assert application.potential_computed_at is not None
    assert application.potential_figures["method"] == "engine.synergy_potential, deductive"
    assert application.potential_figures["demo"] == 1
    assert application.potential_figures["substitution_leads"] == expected.substitution_leads


def test_without_establishments_there_is_no_figure_rather_than_a_zero():
    application = factories.submitted_application(factories.call(), LE_HAVRE)
    assert application.potential_score is None
    assert application.potential_establishments == 0
    assert application.potential_computed_at is not None


def test_the_programme_team_recomputes_on_demand_and_nobody_else():
    application = factories.submitted_application(factories.call(), CAUX_SEINE)
    assert application.potential_score is None
    factories.establishment(factories.territory(CAUX_SEINE), naf_code="11.05Z", headcount_band="12")
    with pytest.raises(NotAllowed):
        refresh_potential(application, by=factories.seated_committee_member(application.call))
    refresh_potential(application, by=factories.programme_team_member())
    application.refresh_from_db()
    assert application.potential_establishments == 1
