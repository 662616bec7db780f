"""Eligibility of an application, computed from the call's rules, with its reasons.

The 2019 call admits "établissements publics de coopération intercommunale à fiscalité propre" that
have an ecological-transition strategy and a PLPDMA adopted or being drawn up, and excludes the
territories that benefited from PNSI. Each rule can be turned off per call.

The programme team may override the verdict, always with a written justification.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tremplin.audit.log import log_action
from tremplin.programme.exceptions import InvalidTransition, JustificationRequired
from tremplin.programme.models import Application, ApplicationStatus, PlpdmaStatus
from tremplin.programme.services.permissions import require_programme_team

NOT_FISCALITE_PROPRE = "not_fiscalite_propre"
NO_STRATEGY = "no_strategy"
NO_PLPDMA = "no_plpdma"
PNSI_BENEFICIARY = "pnsi_beneficiary"


def failure_message(code: str) -> str:
    """The reason, in the active language, why a rule is not met."""
    messages = {
        NOT_FISCALITE_PROPRE: _(
            "The applicant is not an EPCI à fiscalité propre (CC, CA, CU or métropole); "
            "a syndicate is not eligible."
        ),
        NO_STRATEGY: _("No ecological-transition strategy is declared."),
        NO_PLPDMA: _("The PLPDMA (waste prevention programme) is neither adopted nor being drawn up."),
        PNSI_BENEFICIARY: _("The territory benefited from the PNSI programme, which the call excludes."),
    }
    return messages.get(code, code)


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    message: str


@dataclass(frozen=True)
class Eligibility:
    """``reasons``: why the application is ineligible (the rules not met), or, when it is eligible, the
    conditions it meets. ``checks`` holds every rule the call applies, met or not."""

    eligible: bool
    reasons: list[str]
    checks: list[Check] = field(default_factory=list)

    @property
    def failures(self) -> list[str]:
        return [check.code for check in self.checks if not check.passed]


def assess_eligibility(application: Application) -> Eligibility:
    """Apply the call's eligibility rules to the fiche de candidature (no database write)."""
    call = application.call
    epci = application.epci
    checks = []
    if call.require_fiscalite_propre:
        passed = epci is not None and epci.is_fiscalite_propre
        message = (
            _("EPCI à fiscalité propre (%(kind)s).") % {"kind": epci.get_kind_display()}
            if passed
            else failure_message(NOT_FISCALITE_PROPRE)
        )
        checks.append(Check(NOT_FISCALITE_PROPRE, passed, message))
    if call.require_transition_strategy:
        passed = application.has_transition_strategy
        message = (
            _("Ecological-transition strategy: %(strategy)s.") % {"strategy": application.strategy_label}
            if passed
            else failure_message(NO_STRATEGY)
        )
        checks.append(Check(NO_STRATEGY, passed, message))
    if call.require_plpdma:
        passed = application.plpdma_status in {PlpdmaStatus.ADOPTED, PlpdmaStatus.IN_PROGRESS}
        message = (
            _("PLPDMA: %(status)s.") % {"status": application.get_plpdma_status_display().lower()}
            if passed
            else failure_message(NO_PLPDMA)
        )
        checks.append(Check(NO_PLPDMA, passed, message))
    if call.exclude_pnsi:
        passed = application.pnsi_participation is False
        message = _("Never a PNSI beneficiary.") if passed else failure_message(PNSI_BENEFICIARY)
        checks.append(Check(PNSI_BENEFICIARY, passed, message))
    eligible = all(check.passed for check in checks)
    reasons = [check.message for check in checks if check.passed == eligible]
    return Eligibility(eligible=eligible, reasons=reasons, checks=checks)


def record_eligibility(application: Application, *, by=None, now=None) -> Eligibility:
    """Transition submitted → eligible | ineligible, from the computed assessment."""
    if application.status != ApplicationStatus.SUBMITTED:
        raise InvalidTransition()
    now = now or timezone.now()
    result = assess_eligibility(application)
    application.eligible = result.eligible
    application.eligibility_failures = result.failures
    application.eligibility_assessed_at = now
    application.status = ApplicationStatus.ELIGIBLE if result.eligible else ApplicationStatus.INELIGIBLE
    application.save(
        update_fields=["eligible", "eligibility_failures", "eligibility_assessed_at", "status", "updated_at"]
    )
    log_action(
        by,
        "application.eligibility.assessed",
        application,
        call=application.call,
        at=now,
        eligible=result.eligible,
        failures=result.failures,
    )
    return result


@transaction.atomic
def override_eligibility(application: Application, *, eligible: bool, justification: str, by, now=None):
    """The programme team reverses (or confirms) the computed verdict, with a written justification."""
    require_programme_team(by, application.call)
    if application.status not in {ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE}:
        raise InvalidTransition()
    justification = (justification or "").strip()
    if not justification:
        raise JustificationRequired()
    now = now or timezone.now()
    before = application.eligible
    application.eligible = eligible
    application.status = ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE
    application.eligibility_overridden = True
    application.override_justification = justification
    application.overridden_by = by
    application.overridden_at = now
    application.save()
    log_action(
        by,
        "application.eligibility.overridden",
        application,
        call=application.call,
        at=now,
        before=before,
        after=eligible,
        justification=justification,
    )
    return application
