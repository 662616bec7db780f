"""A read-only member of a territory's team (often its elected official) reads the workspace and
changes nothing in it: every write operation of territory-owned data refuses them, the pages show
them no edit button, and an editor of the same team still does all of it."""

import io

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.accounts.models import MemberAccess, Membership, Role, TerritoryFunction
from tremplin.accounts.scoping import scope_for
from tremplin.establishments.models import Establishment
from tremplin.flows.models import Flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux, email="officer@caux.example")


@pytest.fixture
def reader(caux):
    person = factories.user(email="elu@caux.example")
    Membership.objects.create(
        user=person,
        role=Role.TERRITORY_TEAM,
        territory=caux,
        function=TerritoryFunction.ELECTED_OFFICIAL,
        access=MemberAccess.READ,
    )
    return person


@pytest.fixture
def site(caux):
    return factories.establishment(caux, name="Papeterie de Caux")


def test_the_scope_reads_but_does_not_edit(caux, reader, officer):
    assert caux.pk in scope_for(reader).team_territory_ids
    assert caux.pk not in scope_for(reader).editor_territory_ids
    assert caux.pk in scope_for(officer).editor_territory_ids


def test_a_read_only_member_still_reads_the_territorys_data(caux, reader, site):
    assert list(Establishment.objects.visible_to(reader)) == [site]


def test_a_read_only_member_cannot_declare_a_flow(reader, officer, site):
    from tremplin.flows.services import FlowError, declare_flow

    values = {"direction": "out", "resource": "bio_spent_grain", "quantity": 10, "unit": "t"}
    with pytest.raises(FlowError):
        declare_flow(site, by=reader, **values)
    assert not Flow.objects.exists()
    declare_flow(site, by=officer, **values)
    assert Flow.objects.count() == 1


def test_a_read_only_member_cannot_create_or_edit_an_establishment(caux, reader, site):
    from tremplin.establishments.services import (
        EstablishmentError,
        create_establishment,
        update_establishment,
    )

    with pytest.raises(EstablishmentError):
        create_establishment(caux, by=reader, siret=factories.siret(), name="Nouvelle", naf_code="10.71C")
    with pytest.raises(EstablishmentError):
        update_establishment(site, by=reader, name="Renommée")
    site.refresh_from_db()
    assert site.name == "Papeterie de Caux"


def test_a_read_only_member_cannot_move_a_synergy(caux, reader, officer):
    from tremplin.synergies.exceptions import TeamOnly
    from tremplin.synergies.workflow import qualify

    synergy = factories.synergy(caux)
    with pytest.raises(TeamOnly):
        qualify(synergy, by=reader)
    synergy.refresh_from_db()
    assert synergy.status == "detected"
    qualify(synergy, by=officer)
    synergy.refresh_from_db()
    assert synergy.status == "qualified"


def test_a_read_only_member_cannot_start_a_detection(caux, reader):
    from tremplin.synergies.detection import start_detection
    from tremplin.synergies.exceptions import TeamOnly
    from tremplin.synergies.models import DetectionRun

    with pytest.raises(TeamOnly):
        start_detection(caux, mode="deductive", by=reader)
    assert not DetectionRun.objects.exists()


def test_a_read_only_member_cannot_import_establishments(caux, reader):
    from tremplin.imports.services import ImportNotAllowed, import_establishments

    with pytest.raises(ImportNotAllowed):
        import_establishments(
            caux, io.BytesIO(b"siret;nom\n"), kind="spreadsheet", by=reader, filename="x.csv"
        )


def test_a_read_only_member_cannot_import_registers_or_heat_networks(caux, reader):
    import datetime as dt

    from tremplin.heatnetworks.services import HeatNetworkImportError, import_heat_networks
    from tremplin.installations.services import IcpeNotAllowed, import_icpe
    from tremplin.registers.services import prepare_irep_import

    with pytest.raises(HeatNetworkImportError):
        import_heat_networks(caux, b"{}", by=reader, filename="fcu.geojson")
    with pytest.raises(IcpeNotAllowed):
        import_icpe(caux, b"", by=reader, filename="icpe.csv", file_date=dt.date(2026, 1, 1))
    with pytest.raises(Exception, match="équipe"):
        prepare_irep_import(caux, io.BytesIO(b""), by=reader, filename="irep.zip")


def test_a_read_only_member_cannot_freeze_a_report(caux, reader):
    from tremplin.reports.models import ReportSnapshot
    from tremplin.reports.snapshots import ReportError, freeze_report

    with pytest.raises(ReportError):
        freeze_report(caux, kind="rso_1", by=reader)
    assert not ReportSnapshot.objects.exists()


def test_a_read_only_member_cannot_edit_a_deliverable(caux, reader, officer):
    from tremplin.coaching.models import Deliverable, DeliverableKind, SwotItem
    from tremplin.coaching.services import deliverables as services
    from tremplin.coaching.services.errors import NotAllowed

    participation = factories.coaching_participation(factories.coaching_call(), caux)
    services.ensure_deliverables(participation)
    w1 = Deliverable.objects.get(participation=participation, kind=DeliverableKind.W1_DIAGNOSIS)
    with pytest.raises(NotAllowed):
        services.add_item(w1, SwotItem(category="strength", text="Port"), by=reader)
    assert services.available_transitions(w1, reader) == []
    services.add_item(w1, SwotItem(category="strength", text="Port"), by=officer)
    assert SwotItem.objects.count() == 1


def test_a_read_only_member_cannot_invite_a_company_contact(reader, site):
    from tremplin.questionnaire.services import QuestionnaireNotAllowed, invite_contact

    with pytest.raises(QuestionnaireNotAllowed):
        invite_contact(site, email="contact@papeterie.example", by=reader, link_for=lambda token: token)


def test_a_read_only_member_sees_pages_without_edit_buttons(client, caux, reader, officer, site):
    pages = [
        reverse("establishment_list", kwargs={"territory_pk": caux.pk}),
        reverse("establishment_detail", kwargs={"pk": site.pk}),
    ]
    edit_links = [
        reverse("establishment_create", kwargs={"territory_pk": caux.pk}),
        reverse("establishment_import", kwargs={"territory_pk": caux.pk}),
        reverse("establishment_edit", kwargs={"pk": site.pk}),
        reverse("flow_create", kwargs={"establishment_pk": site.pk}),
    ]
    client.force_login(reader)
    shown = "".join(client.get(url).content.decode() for url in pages)
    assert "Papeterie de Caux" in shown
    for link in edit_links:
        assert f'href="{link}' not in shown, link
    client.force_login(officer)
    shown = "".join(client.get(url).content.decode() for url in pages)
    for link in edit_links:
        assert f'href="{link}' in shown, link
