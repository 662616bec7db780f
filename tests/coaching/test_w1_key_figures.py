"""W1 starts from the territory's own data: key figures with their basis, and SWOT items pulled from its
detection leads and known flows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tremplin.coaching.models import DeliverableKind, SwotItem
from tremplin.coaching.services import deliverables as services
from tremplin.coaching.services.errors import NotAllowed
from tremplin.coaching.services.keyfigures import key_figures
from tremplin.flows.totals import known_outputs_tonnes
from tremplin.indicators.compute import territory_indicators
from tremplin.synergies.models import DetectionRun, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def fabric(caux, caux_officer):
    """Three companies: wood offcuts 12 t + 18 t a year declared (two of them), spent grain 40 t stated
    in a workshop (the third), and a need of 5 t of wood (not a gisement); two synergies, one lead."""
    sawmill = factories.establishment(caux, name="Scierie du Val")
    joinery = factories.establishment(caux, name="Menuiserie Lecoq")
    brewery = factories.establishment(caux, name="Brasserie de Caux", naf_code="11.05Z")
    factories.flow(sawmill, quantity=12)
    factories.flow(joinery, quantity=18)
    factories.flow(brewery, resource="bio_spent_grain", quantity=40, basis="workshop")
    factories.flow(joinery, direction="in", quantity=5)
    factories.synergy(caux, status="qualified")
    factories.synergy(caux)
    run = DetectionRun.objects.create(territory=caux, mode="deductive", created_by=caux_officer)
    DetectionRun.objects.filter(pk=run.pk).update(status="done", finished_at=timezone.now())
    lead = Lead.objects.create(
        run=run,
        territory=caux,
        rank=1,
        signature="bio_spent_grain:1:2",
        kind="substitution",
        resource="bio_spent_grain",
        resource_label="Drêches de brasserie",
        gain_eur_per_year=2400.0,
        tonnes_diverted_per_year=40.0,
        confidence="high",
    )
    return {"sawmill": sawmill, "brewery": brewery, "lead": lead}


def test_the_key_figures_by_hand_with_their_basis(caux, fabric):
    figures = key_figures(caux, for_team=True)
    # 3 establishments here + the 4 of the two synergies the factory creates.
    assert figures.figure("establishments").value == 7
    assert figures.figure("flows_declared").value == 3 and figures.figure("flows_declared").basis == "déclaré"
    assert figures.figure("flows_workshop").value == 1 and figures.figure("flows_workshop").basis == "atelier"
    # Known gisements: 12 + 18 + 40 = 70 t/year (the 5 t need is not one).
    assert figures.figure("known_gisements").value == 70.0
    assert figures.figure("leads_pending").value == 1 and figures.figure("leads_pending").basis == "estimé"
    assert figures.figure("synergies").value == 2
    by_status = {status: count for status, _label, count in figures.synergies_by_status}
    assert by_status["qualified"] == 1 and by_status["detected"] == 1 and by_status["operational"] == 0
    families = {family.family: family for family in figures.families}
    assert families["bois"].flows == 3 and families["bois"].outputs_tonnes == 30.0
    assert families["bois"].by_basis == {"déclaré": 3}
    assert families["biodechets"].flows == 1 and families["biodechets"].outputs_tonnes == 40.0
    assert families["biodechets"].by_basis == {"atelier": 1}


def test_the_key_figures_are_those_of_the_indicators_and_the_flow_totals(caux, fabric):
    figures = key_figures(caux, for_team=True)
    indicators = territory_indicators(caux)
    assert figures.figure("flows_estimated").value == indicators["flows"]["estimated"]
    assert figures.figure("leads_pending").value == indicators["pipeline"]["leads_pending"]
    assert figures.figure("known_gisements").value == known_outputs_tonnes(caux)
    assert sum(f.outputs_tonnes for f in figures.families) == known_outputs_tonnes(caux)


def test_outside_the_territory_the_tonnes_of_too_few_companies_are_withheld(caux, fabric):
    figures = key_figures(caux, for_team=False)
    families = {family.family: family for family in figures.families}
    # One company behind the spent grain, two behind the wood: fewer than three each.
    assert families["biodechets"].secret and families["biodechets"].outputs_tonnes is None
    assert families["bois"].secret and families["bois"].flows == 3
    # Three companies stand behind the total, and the withheld families' companies together are three
    # too: the total gives no single family away, it is shown.
    assert figures.figure("known_gisements").value == 70.0


def test_the_w1_page_shows_the_key_figures_with_their_basis(client, caux_participation, fabric, caux_officer):
    client.force_login(caux_officer)
    response = client.get(
        reverse(
            "coaching_deliverable",
            kwargs={"participation_pk": caux_participation.pk, "kind": DeliverableKind.W1_DIAGNOSIS},
        )
    )
    html = response.content.decode()
    assert 'data-key-figure="known_gisements"' in html and 'data-family="bois"' in html
    assert "Pistes de détection à examiner" in html and "Drêches de brasserie" in html
    assert 'data-synergy-status="qualified"' in html


def test_the_team_pulls_a_lead_and_a_flow_into_the_swot(caux_participation, fabric, caux_officer):
    w1 = {d.kind: d for d in services.ensure_deliverables(caux_participation)}[DeliverableKind.W1_DIAGNOSIS]
    from_lead = services.pull_into_swot(w1, category="opportunity", lead=fabric["lead"], by=caux_officer)
    flow = fabric["brewery"].flows.get()
    from_flow = services.pull_into_swot(w1, category="strength", flow=flow, by=caux_officer)
    assert from_lead.lead == fabric["lead"] and from_lead.category == "opportunity"
    assert (
        "Drêches de brasserie" in from_lead.text
        and "40 t/an" in from_lead.text
        and "2\u202f400 €/an" in from_lead.text
    )
    assert "(estimé à la détection)" in from_lead.text
    assert from_flow.flow == flow and "atelier" in from_flow.text and "40" in from_flow.text
    # The companies are not named: the programme team reads the diagnosis.
    assert "Brasserie de Caux" not in from_flow.text + from_lead.text
    w1.refresh_from_db()
    assert w1.status == "in_progress"


def test_a_lead_of_another_territory_is_refused(caux_participation, havre, caux_officer, fabric):
    w1 = {d.kind: d for d in services.ensure_deliverables(caux_participation)}[DeliverableKind.W1_DIAGNOSIS]
    other = factories.flow(factories.establishment(havre), quantity=3)
    with pytest.raises(NotAllowed):
        services.pull_into_swot(w1, category="strength", flow=other, by=caux_officer)
    assert not SwotItem.objects.exists()


def test_pulling_through_the_page(client, caux_participation, fabric, caux_officer):
    w1 = {d.kind: d for d in services.ensure_deliverables(caux_participation)}[DeliverableKind.W1_DIAGNOSIS]
    client.force_login(caux_officer)
    response = client.post(
        reverse("coaching_swot_pull", kwargs={"pk": w1.pk}),
        {"lead": fabric["lead"].pk, "category": "opportunity"},
    )
    assert response.status_code == 302
    item = SwotItem.objects.get()
    assert item.lead_id == fabric["lead"].pk
    page = client.get(response.url).content.decode()
    assert "d'après une piste de détection" in page or "d&#x27;après une piste de détection" in page
