"""Declaring, changing and deleting flows: stored figures and the audit log."""

from decimal import Decimal

import pytest

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.flows.models import Flow
from tremplin.flows.services import FlowError, declare_flow, delete_flow, update_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return factories.establishment(factories.territory(CAUX_SEINE), name="Garage du Port", naf_code="45.20A")


def test_a_declared_flow_stores_what_was_typed_and_the_yearly_quantity(site):
    contact = factories.company_contact(site)
    flow = declare_flow(
        site,
        by=contact,
        direction="out",
        resource="oil_mineral_used",
        quantity="2",
        unit="m3",
        frequency="week",
    )
    flow.refresh_from_db()
    assert (flow.quantity, flow.unit, flow.frequency) == (Decimal("2"), "m3", "week")
    assert flow.quantity_per_year == pytest.approx(93.6)  # 2 m³ x 0.9 t/m³ x 52
    assert flow.basis == "declared" and flow.confidential is True
    assert flow.declared_by == contact


def test_creating_a_flow_is_audited_with_its_state(site):
    contact = factories.company_contact(site)
    flow = factories.flow(site, by=contact, resource="wood_pallets", quantity=3, unit="t")
    entry = AuditEntry.objects.about(flow).get()
    assert (entry.action, entry.actor, entry.territory) == ("flow.created", contact, site.territory)
    assert entry.data["before"] is None
    assert entry.data["after"]["resource"] == "wood_pallets"
    assert entry.data["after"]["quantity"] == "3"
    assert entry.data["establishment_id"] == site.pk


def test_changing_a_flow_keeps_the_state_before_and_after(site):
    officer = factories.territory_officer(site.territory)
    flow = factories.flow(site, resource="wood_clean", quantity=12, unit="t")
    update_flow(flow, by=officer, quantity=Decimal("1500"), unit="kg", frequency="month")
    entry = AuditEntry.objects.about(flow).filter(action="flow.updated").get()
    assert entry.actor == officer
    assert (entry.data["before"]["quantity"], entry.data["before"]["unit"]) == ("12", "t")
    assert (entry.data["after"]["quantity"], entry.data["after"]["unit"]) == ("1500", "kg")
    # 1 500 kg = 1.5 t a month, x 12 = 18 t a year
    assert entry.data["after"]["quantity_per_year"] == pytest.approx(18.0)
    flow.refresh_from_db()
    assert flow.quantity_per_year == pytest.approx(18.0)


def test_a_change_that_changes_nothing_writes_nothing(site):
    flow = factories.flow(site)
    update_flow(flow, by=None, quantity=Decimal("12"), unit="t")
    assert not AuditEntry.objects.about(flow).filter(action="flow.updated").exists()


def test_deleting_a_flow_is_audited_with_its_last_state(site):
    officer = factories.territory_officer(site.territory)
    flow = factories.flow(site, resource="metal_ferrous", quantity=4, unit="t")
    flow_pk = flow.pk
    delete_flow(flow, by=officer)
    assert not Flow.objects.filter(pk=flow_pk).exists()
    entry = AuditEntry.objects.get(action="flow.deleted", target_id=str(flow_pk))
    assert entry.data["before"]["resource"] == "metal_ferrous"
    assert entry.data["after"] is None


def test_an_incompatible_unit_is_refused_and_nothing_is_written(site):
    with pytest.raises(FlowError) as error:
        declare_flow(site, by=None, direction="out", resource="steam", quantity=1200, unit="m3")
    assert error.value.field == "unit"
    assert not Flow.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="flow.").exists()


def test_an_estimated_flow_is_never_stored(site):
    with pytest.raises(FlowError):
        declare_flow(
            site, by=None, direction="out", resource="wood_clean", quantity=1, unit="t", basis="estimated"
        )
    assert not Flow.objects.exists()


def test_a_refused_change_leaves_the_flow_as_it_was(site):
    flow = factories.flow(site, resource="steam", quantity=10, unit="MWh")
    with pytest.raises(FlowError):
        update_flow(flow, by=None, unit="m3")
    flow.refresh_from_db()
    assert flow.unit == "MWh"
    assert not AuditEntry.objects.filter(action="flow.updated").exists()
