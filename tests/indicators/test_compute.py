"""Indicators equal sums computed by hand from the synergies and measurements created here."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin import engine
from tremplin.cli import main
from tremplin.establishments.models import Establishment
from tremplin.indicators.compute import programme_indicators, territory_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def pipeline(caux):
    """Four synergies with round figures, and two measured years."""
    officer = factories.territory_officer(caux, first_name="Alice", last_name="Martin")
    a = factories.synergy(
        caux,
        status="operational",
        gain_eur_per_year=10_000,
        revenue_eur_per_year=4_000,
        tonnes_diverted_per_year=100,
        co2_avoided_t_per_year=20,
        jobs=1.0,
    )
    b = factories.synergy(
        caux,
        status="monitored",
        kind="mutualisation",
        gain_eur_per_year=6_000,
        revenue_eur_per_year=0,
        tonnes_diverted_per_year=0,
        co2_avoided_t_per_year=5,
    )
    factories.synergy(
        caux,
        status="under_study",
        gain_eur_per_year=30_000,
        revenue_eur_per_year=10_000,
        tonnes_diverted_per_year=300,
        co2_avoided_t_per_year=50,
        jobs=2.0,
    )
    factories.synergy(
        caux,
        status="abandoned",
        abandon_reason="economic",
        gain_eur_per_year=99_000,
        tonnes_diverted_per_year=999,
        co2_avoided_t_per_year=999,
    )
    factories.measurement(a, year=2024, by=officer, tonnes_diverted=50, eur_saved=1_000, eur_earned=1_000)
    factories.measurement(
        a,
        year=2025,
        by=officer,
        tonnes_diverted=80,
        co2_avoided_t=15,
        eur_saved=5_000,
        eur_earned=3_500,
        jobs=0.5,
    )
    return {"a": a, "b": b, "officer": officer}


def test_pipeline_counts_and_conversion_rate(caux, pipeline):
    p = territory_indicators(caux)["pipeline"]
    assert p["synergies"] == 4
    assert p["by_status"]["operational"] == 1
    assert p["by_status"]["monitored"] == 1
    assert p["by_status"]["under_study"] == 1
    assert p["by_status"]["abandoned"] == 1
    assert p["by_kind"] == {"substitution": 3, "mutualisation": 1}
    assert p["operational"] == 2
    assert p["conversion_rate"] == 0.5  # (1 operational + 1 monitored) / 4 accepted


def test_potential_and_operational_figures_are_sums_of_the_estimates(caux, pipeline):
    i = territory_indicators(caux)
    tonnes = i["environment"]["tonnes_diverted_per_year"]
    assert tonnes["potential_estimated"] == 100 + 0 + 300  # the abandoned 999 t left out
    assert tonnes["operational_estimated"] == 100 + 0
    co2 = i["environment"]["co2_avoided_t_per_year"]
    assert co2["potential_estimated"] == 20 + 5 + 50
    assert co2["operational_estimated"] == 20 + 5
    saved = i["economy"]["eur_saved_per_year"]  # gain − by-product revenue
    assert saved["potential_estimated"] == (10_000 - 4_000) + (6_000 - 0) + (30_000 - 10_000)
    assert saved["operational_estimated"] == (10_000 - 4_000) + 6_000
    earned = i["economy"]["eur_earned_per_year"]
    assert earned["potential_estimated"] == 4_000 + 0 + 10_000
    assert earned["operational_estimated"] == 4_000
    jobs = i["social"]["jobs_fte"]
    assert jobs["potential_estimated"] == 1.0 + 2.0
    assert jobs["operational_estimated"] == 1.0


def test_measured_figures_take_the_latest_year_and_stay_apart_from_estimates(caux, pipeline):
    i = territory_indicators(caux)
    assert i["environment"]["tonnes_diverted_per_year"]["operational_measured"] == 80  # 2025, not 50 + 80
    assert i["environment"]["co2_avoided_t_per_year"]["operational_measured"] == 15
    assert i["economy"]["eur_saved_per_year"]["operational_measured"] == 5_000
    assert i["economy"]["eur_earned_per_year"]["operational_measured"] == 3_500
    assert i["social"]["jobs_fte"]["operational_measured"] == 0.5
    assert i["environment"]["tonnes_diverted_per_year"]["measured_synergies"] == 1
    assert i["sources"]["measured"] == "mesuré, saisi par Alice Martin"
    assert i["sources"]["estimated"].startswith("estimé à la détection")


def test_indicators_at_a_past_date_read_the_history(caux, pipeline):
    before = timezone.now() - timedelta(days=1)
    i = territory_indicators(caux, at=before)
    assert i["pipeline"]["synergies"] == 0
    assert i["environment"]["tonnes_diverted_per_year"]["potential_estimated"] == 0


def test_mobilisation_and_flows(caux):
    brewery, farm = factories.brewery_and_farm(caux)
    Establishment.objects.filter(pk=brewery.pk).update(engagement="engaged")
    Establishment.objects.filter(pk=farm.pk).update(engagement="met")
    factories.establishment(caux, engagement="contacted")
    factories.flow(brewery, resource="bio_spent_grain", quantity=400, unit="t")
    factories.flow(farm, direction="in", resource="bio_animal_feed", quantity=50, unit="t", basis="workshop")
    i = territory_indicators(caux)
    assert i["mobilisation"] == {"establishments": 3, "met": 2, "engaged": 1}
    assert i["flows"]["declared"] == 1
    assert i["flows"]["workshop"] == 1
    # Estimated: every flow of the three sector profiles, less the two that are known.
    from tremplin import engine
    from tremplin.flows.engine_inputs import engine_inputs

    establishments, _ = engine_inputs(caux, include_declared=False)
    profile_flows = engine.estimate_flows(establishments)
    known = {(str(brewery.pk), "out", "bio_spent_grain"), (str(farm.pk), "in", "bio_animal_feed")}
    assert known <= {(f.company_id, f.direction, f.resource) for f in profile_flows}
    assert i["flows"]["estimated"] == len(profile_flows) - 2


def test_the_programme_roll_up_sums_the_territories(caux, pipeline):
    havre = factories.territory(LE_HAVRE)
    factories.synergy(havre, status="operational", gain_eur_per_year=1_000, tonnes_diverted_per_year=7)
    rollup = programme_indicators([caux, havre])
    totals = rollup["totals"]
    assert totals["pipeline"]["synergies"] == 4 + 1
    assert totals["pipeline"]["operational"] == 2 + 1
    assert totals["pipeline"]["conversion_rate"] == 0.6  # 3 / 5
    assert totals["environment"]["tonnes_diverted_per_year"]["operational_estimated"] == 100 + 7
    assert {t["siren"] for t in rollup["territories"]} == {CAUX_SEINE, LE_HAVRE}


def test_the_command_line_prints_the_same_figures_as_the_page(client, caux, pipeline, capsys):
    assert main(["indicators", "--territory", CAUX_SEINE, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(territory_indicators(caux)))
    client.force_login(pipeline["officer"])
    response = client.get(reverse("territory_indicators", kwargs={"territory_pk": caux.pk}))
    page = response.content.decode()
    assert response.context["indicators"] == territory_indicators(caux)
    assert f'data-indicator="synergies">{printed["pipeline"]["synergies"]}<' in page
    assert '<td class="text-end" data-value="operational_estimated">100</td>' in page
    assert "50 %" in page


def test_the_command_refuses_an_unknown_territory(capsys):
    assert main(["indicators", "--territory", "999999999"]) != 0
    assert "999999999" in capsys.readouterr().err


def test_the_command_prints_text_without_json(caux, pipeline, capsys):
    assert main(["indicators", "--territory", CAUX_SEINE]) == 0
    out = capsys.readouterr().out
    assert "taux de conversion : 50.0 %" in out


def test_estimated_flows_count_what_the_engine_estimates_less_what_companies_declared():
    caux = factories.territory(CAUX_SEINE)
    sawmills = [factories.establishment(caux, naf_code="16.10A", headcount_band="11") for _ in range(2)]
    dairy = factories.establishment(caux, naf_code="10.51C", headcount_band="21")
    # Independent count: the engine's estimate for each establishment one by one.
    per_establishment = {
        site.pk: {
            (flow.direction, flow.resource)
            for flow in engine.estimate_flows(
                [
                    engine.Establishment(
                        str(site.pk), site.name, site.naf_code, 0, 0, site.representative_headcount
                    )
                ]
            )
        }
        for site in [*sawmills, dairy]
    }
    replaced = next(iter(sorted(per_establishment[sawmills[0].pk])))
    factories.flow(
        sawmills[0], direction=replaced[0], resource=replaced[1], quantity=5, unit=_default_unit(replaced[1])
    )

    flows = territory_indicators(caux)["flows"]

    assert flows["declared"] == 1
    assert flows["estimated"] == sum(len(keys) for keys in per_establishment.values()) - 1


def _default_unit(resource: str) -> str:
    return engine.default_knowledge_base().resources[resource].unit


def test_potential_never_counts_one_gisement_twice():
    """The brewery's 600 t of grain are offered to two farms (500 t and 400 t): the pipeline's potential
    counts 600 t, as the optimal allocation shares them (500 t to the better lead, 100 t to the other)."""
    caux = factories.territory(CAUX_SEINE)
    brewery, farm = factories.brewery_and_farm(caux)
    other = factories.establishment(caux, name="Autre ferme", naf_code="01.41Z")
    factors = {"ratio": 1.0, "quantite_gisement": 600.0, "quantite_besoin": 500.0}
    factories.synergy(
        caux,
        participants=(brewery, farm),
        quantity=500.0,
        gain_eur_per_year=5000.0,
        tonnes_diverted_per_year=500.0,
        input_resource="bio_animal_feed",
        breakdown={"factors": factors},
    )
    factories.synergy(
        caux,
        participants=(brewery, other),
        quantity=400.0,
        gain_eur_per_year=2000.0,
        tonnes_diverted_per_year=400.0,
        input_resource="bio_animal_feed",
        breakdown={"factors": {**factors, "quantite_besoin": 400.0}},
    )
    tonnes = territory_indicators(caux)["environment"]["tonnes_diverted_per_year"]["potential_estimated"]
    assert tonnes == pytest.approx(500.0 + 400.0 * 100 / 400)  # 600 t, not 900 t
