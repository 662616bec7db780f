"""The reference edition (Normandy 2019) loads as demonstration data, idempotently."""

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests import factories
from tremplin.accounts.models import Membership, Role
from tremplin.audit.models import AuditEntry
from tremplin.programme.models import Application, Call, Score
from tremplin.programme.services.reference import seed_reference_call
from tremplin.programme.services.scoring import rank_applications

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_the_2019_call_has_the_reference_deadline_places_criteria_and_committee():
    demo_member = factories.user(email="comite@demo.tremplin.localhost")
    Membership.objects.create(user=demo_member, role=Role.COMMITTEE_MEMBER, organisation="DREAL Normandie")
    report = seed_reference_call()
    call = report.call
    assert call.deadline == dt.datetime(2019, 3, 11, 23, 59, 59, tzinfo=PARIS)
    assert call.opens_at == dt.datetime(2019, 1, 15, tzinfo=PARIS)
    assert "hypothèse" in call.description
    assert call.places == 8 and call.is_demo
    assert [(c.code, c.weight) for c in call.criteria.all()] == [
        ("motivation", Decimal("0.50")),
        ("potentiel", Decimal("0.50")),
    ]
    assert all(
        [
            call.require_fiscalite_propre,
            call.require_transition_strategy,
            call.require_plpdma,
            call.exclude_pnsi,
        ]
    )
    organisations = sorted(seat.organisation for seat in call.committee_seats.all())
    assert organisations == [
        "ADEME Normandie",
        "DIRECCTE Normandie (DREETS depuis 2021)",
        "DREAL Normandie",
        "Région Normandie",
    ]
    assert call.committee_seats.filter(member=demo_member).exists()


def test_the_demonstration_applications_are_labelled_assessed_and_partly_scored():
    call = seed_reference_call().call
    applications = Application.objects.filter(call=call)
    assert applications.count() == 12
    assert all(a.is_demo and a.submitted_at <= call.deadline for a in applications)
    assert applications.filter(eligible=True).count() == 10
    assert sorted(applications.filter(eligible=False).values_list("eligibility_failures", flat=True)) == [
        ["no_plpdma"],
        ["pnsi_beneficiary"],
    ]
    ranking = rank_applications(call)
    assert len(ranking) == 10
    # Caux Seine Agglo: motivation (5+4+5)/3, potential (5+5+4)/3 → 0.5×14/3 + 0.5×14/3 = 14/3
    assert ranking[0].application.epci.siren == "200010700"
    assert ranking[0].weighted_score * 3 == 14


def test_seeding_twice_changes_nothing():
    seed_reference_call()
    counts = (
        Call.objects.count(),
        Application.objects.count(),
        Score.objects.count(),
        AuditEntry.objects.count(),
    )
    output = io.StringIO()
    call_command("seed_programme", stdout=output)
    assert "Déjà présent" in output.getvalue()
    assert (
        Call.objects.count(),
        Application.objects.count(),
        Score.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
