"""The leads of a run, filtered by establishment, resource, commune and basis (GET), and dismissed several at
a time with one reason (audited; later runs leave them out)."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.audit.models import AuditEntry
from tremplin.synergies.detection import start_detection
from tremplin.synergies.exceptions import SynergyError, TeamOnly
from tremplin.synergies.leads import LeadFilters, dismiss_leads, filter_leads
from tremplin.synergies.models import Dismissal, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def world(caux, officer):
    """A brewery and a farm in the first commune (their spent grain declared), a sawmill and a panel maker
    in the second; a run in "both" mode."""
    brewery, farm = factories.brewery_and_farm(caux, distance_km=5.0)
    factories.flow(brewery, resource="bio_spent_grain", quantity=400, unit="t")
    factories.flow(farm, direction="in", resource="bio_animal_feed", quantity=50, unit="t")
    second = caux.epci.communes.order_by("insee_code")[1]
    sawmill, panels = (
        factories.establishment(
            caux,
            name=name,
            naf_code=naf,
            headcount_band=band,
            commune=second,
            latitude=second.centroid_lat + offset,
            longitude=second.centroid_lon,
        )
        for name, naf, band, offset in (
            ("Scierie du Pays de Caux", "16.10A", "12", 0),
            ("Panneaux de Normandie", "16.21Z", "21", 0.01),
        )
    )
    run = start_detection(caux, mode="both", by=officer)
    run.refresh_from_db()
    return {
        "run": run,
        "brewery": brewery,
        "farm": farm,
        "sawmill": sawmill,
        "panels": panels,
        "second": second,
    }


def _ids(leads):
    return {lead.pk for lead in leads}


def _expected(run, keep):
    """The leads of the run that ``keep`` accepts, read from the engine's data kept on each lead."""
    return {lead.pk for lead in run.leads.all() if keep(lead)}


def test_every_lead_knows_its_participants_as_rows(world):
    for lead in world["run"].leads.all():
        assert sorted(lead.establishments.values_list("pk", flat=True)) == sorted(set(lead.establishment_ids))


def test_leads_are_filtered_by_establishment_name_or_siret(world):
    run, sawmill = world["run"], world["sawmill"]
    expected = _expected(run, lambda lead: sawmill.pk in lead.establishment_ids)
    assert expected and expected != _ids(run.leads.all())
    assert _ids(filter_leads(run.leads.all(), LeadFilters(establishment="scierie"))) == expected
    assert _ids(filter_leads(run.leads.all(), LeadFilters(establishment=sawmill.siret[:9]))) == expected


def test_leads_are_filtered_by_resource_commune_and_basis(world):
    run, second = world["run"], world["second"]
    in_second = {world["sawmill"].pk, world["panels"].pk}
    by_commune = _expected(run, lambda lead: in_second & set(lead.establishment_ids))
    assert (
        by_commune
        and _ids(filter_leads(run.leads.all(), LeadFilters(commune=second.insee_code))) == by_commune
    )
    grain = _expected(run, lambda lead: lead.resource == "bio_spent_grain")
    assert len(grain) == 1
    assert _ids(filter_leads(run.leads.all(), LeadFilters(resource="bio_spent_grain"))) == grain
    declared = _expected(run, lambda lead: lead.confidence == "declared")
    assert declared == grain  # the declared spent grain only; the rest is estimated
    assert _ids(filter_leads(run.leads.all(), LeadFilters(basis="declared"))) == declared
    both = filter_leads(run.leads.all(), LeadFilters(basis="estimated", commune=second.insee_code))
    assert _ids(both) == by_commune - declared


def test_the_run_page_filters_with_its_query_string(client, officer, world):
    run = world["run"]
    client.force_login(officer)
    url = reverse("detection_run", kwargs={"pk": run.pk})
    page = client.get(url, {"establishment": "Scierie", "basis": "estimated"}).content.decode()
    shown = {int(pk) for pk in re.findall(r'name="leads" value="(\d+)"', page)}
    expected = _expected(run, lambda lead: world["sawmill"].pk in lead.establishment_ids)
    assert shown == expected
    for label in ("Établissement (nom ou SIRET)", "Ressource", "Commune", "Base des quantités"):
        assert f">{label}</label>" in page, label
    assert 'value="Scierie"' in page
    assert f'<option value="{world["second"].insee_code}"' in page
    assert '<option value="estimated" selected>' in page


def test_several_leads_are_dismissed_with_one_reason_and_stay_out_of_later_runs(caux, officer, world):
    run = world["run"]
    chosen = list(run.leads.order_by("rank")[:2])
    assert dismiss_leads(run, [lead.pk for lead in chosen], by=officer, reason="Déjà en place") == 2
    assert set(run.leads.filter(status="dismissed").values_list("pk", flat=True)) == _ids(chosen)
    assert set(Dismissal.objects.values_list("signature", "reason")) == {
        (lead.signature, "Déjà en place") for lead in chosen
    }
    entry = AuditEntry.objects.get(action="synergy.leads.dismissed")
    assert (entry.actor, entry.territory, entry.data["count"], entry.data["reason"]) == (
        officer,
        caux,
        2,
        "Déjà en place",
    )
    assert sorted(entry.data["leads"]) == sorted(_ids(chosen))
    later = start_detection(caux, mode="both", by=officer)
    later.refresh_from_db()
    assert later.skipped_dismissed == 2
    assert not later.leads.filter(signature__in=[lead.signature for lead in chosen]).exists()


def test_a_bulk_dismissal_is_all_or_nothing(caux, officer, world):
    run = world["run"]
    first, second = run.leads.order_by("rank")[:2]
    other_run = start_detection(caux, mode="deductive", by=officer)
    foreign = other_run.leads.exclude(signature__in=[first.signature, second.signature]).first()
    with pytest.raises(SynergyError):
        dismiss_leads(run, [first.pk, foreign.pk], by=officer, reason="Erreur")
    dismiss_leads(run, [second.pk], by=officer, reason="Déjà en place")
    with pytest.raises(SynergyError):  # already dismissed
        dismiss_leads(run, [first.pk, second.pk], by=officer, reason="Encore")
    assert Dismissal.objects.count() == 1
    assert Lead.objects.get(pk=first.pk).status == "pending"


def test_a_bulk_dismissal_needs_a_reason_a_selection_and_the_team(caux, officer, world):
    run = world["run"]
    lead = run.leads.first()
    with pytest.raises(SynergyError, match="pourquoi"):
        dismiss_leads(run, [lead.pk], by=officer, reason="  ")
    with pytest.raises(SynergyError, match="au moins une piste"):
        dismiss_leads(run, [], by=officer, reason="Hors sujet")
    with pytest.raises(TeamOnly):
        dismiss_leads(run, [lead.pk], by=factories.company_contact(world["brewery"]), reason="Hors sujet")
    assert not Dismissal.objects.exists()


def test_the_page_dismisses_the_ticked_leads(client, officer, world):
    run = world["run"]
    chosen = list(run.leads.order_by("rank")[:3])
    client.force_login(officer)
    response = client.post(
        reverse("leads_dismiss", kwargs={"pk": run.pk}),
        {"leads": [lead.pk for lead in chosen], "scope": "selected", "reason": "Pas pertinent"},
        follow=True,
    )
    assert "3 pistes écartées" in response.content.decode()
    assert set(run.leads.filter(status="dismissed").values_list("pk", flat=True)) == _ids(chosen)


def test_the_page_dismisses_every_lead_its_filters_show(client, officer, world):
    run = world["run"]
    client.force_login(officer)
    expected = _expected(run, lambda lead: world["sawmill"].pk in lead.establishment_ids)
    client.post(
        reverse("leads_dismiss", kwargs={"pk": run.pk}),
        {"scope": "filtered", "reason": "Scierie fermée", "establishment": "Scierie", "pistes": "pending"},
    )
    assert set(run.leads.filter(status="dismissed").values_list("pk", flat=True)) == expected
    assert run.leads.filter(status="pending").count() == run.leads.count() - len(expected)


def test_unreadable_filters_dismiss_nothing(client, officer, world):
    run = world["run"]
    client.force_login(officer)
    client.post(
        reverse("leads_dismiss", kwargs={"pk": run.pk}),
        {"scope": "filtered", "reason": "Tout", "resource": "does_not_exist"},
    )
    assert not run.leads.filter(status="dismissed").exists()
