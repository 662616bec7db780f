"""Indicators of a territory and the programme roll-up: who reads them, the figures with their basis and
source, and the statistical secrecy seen from outside the territory."""

import pytest

from tests import factories
from tests.api.places import statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def operational(api_world):
    """One operational synergy of Caux-Seine between the brewery and the farm (two companies), its
    estimates and one measured year."""
    synergy = factories.operational_synergy(
        api_world.objects["caux"],
        participants=(api_world.objects["brewery"], api_world.objects["farm"]),
        tonnes_diverted_per_year=100.0,
        co2_avoided_t_per_year=20.0,
        gain_eur_per_year=5000.0,
        revenue_eur_per_year=1000.0,
        jobs=0.5,
    )
    factories.measurement(
        synergy,
        by=api_world.people["owner"],
        tonnes_diverted=80.0,
        co2_avoided_t=15.0,
        eur_saved=3000.0,
        eur_earned=900.0,
        jobs=0.0,
    )
    return synergy


def _figure(body, key):
    return next(f for f in body["figures"] if f["key"] == key)


def test_territory_indicators_status_for_each_persona(api_world, as_persona):
    caux = api_world.objects["caux"].pk
    assert statuses(as_persona, "get", f"/territories/{caux}/indicators") == {
        "owner": 200,
        "colleague": 200,
        "programme": 200,  # figures of too few companies withheld
        "contact": 403,
        "outsider": 404,
        "committee": 404,
        "nobody": 404,
        "anonymous": 401,
    }


def test_programme_roll_up_status_for_each_persona(api_world, as_persona):
    assert statuses(as_persona, "get", "/indicators/programme") == {
        "owner": 403,
        "colleague": 403,
        "outsider": 403,
        "contact": 403,
        "programme": 200,
        "committee": 403,
        "nobody": 403,
        "anonymous": 401,
    }


def test_the_team_reads_its_figures_with_their_basis_and_source(api_world, as_persona, operational):
    caux = api_world.objects["caux"]
    body = as_persona("colleague").get(f"/territories/{caux.pk}/indicators").json()
    assert body["territory"] == {"id": caux.pk, "siren": "200010700", "name": caux.name}
    assert body["withheld"] is False
    assert body["mobilisation"] | {"source": ""} == {
        "establishments": 2,
        "met": 0,
        "engaged": 0,
        "source": "",
    }
    # The brewery's spent grain (out) and the farm's (in), both declared.
    assert body["flows"]["declared"] == 2 and body["flows"]["workshop"] == 0
    pipeline = body["pipeline"]
    assert (pipeline["synergies"], pipeline["operational"], pipeline["conversion_rate"]) == (1, 1, 1.0)
    assert pipeline["by_status"]["operational"] == 1 and pipeline["by_kind"]["substitution"] == 1
    tonnes = _figure(body, "tonnes_diverted_per_year")
    assert tonnes["family"] == "environment"
    assert tonnes["potential_estimated"]["value"] == 100.0
    assert tonnes["operational_estimated"]["value"] == 100.0
    assert tonnes["operational_measured"] == {
        "value": 80.0,
        "secret": False,
        "companies": 2,
        "basis": "measured",
        "source": "mesuré, saisi par Owner Caux",
    }
    assert tonnes["potential_estimated"]["basis"] == "estimated"
    assert "base de connaissances" in tonnes["potential_estimated"]["source"]
    assert tonnes["measured_synergies"] == 1
    # Saved = gain − revenue from by-products; earned = the revenue.
    assert _figure(body, "eur_saved_per_year")["operational_estimated"]["value"] == 4000.0
    assert _figure(body, "eur_earned_per_year")["operational_measured"]["value"] == 900.0
    assert _figure(body, "jobs_fte")["potential_estimated"]["value"] == 0.5
    assert [f["key"] for f in body["figures"]] == [
        "tonnes_diverted_per_year",
        "co2_avoided_t_per_year",
        "eur_saved_per_year",
        "eur_earned_per_year",
        "jobs_fte",
    ]


def test_labels_follow_the_request_language(api_world, as_persona, operational):
    caux = api_world.objects["caux"].pk
    english = as_persona("owner", lang="en").get(f"/territories/{caux}/indicators").json()
    assert _figure(english, "co2_avoided_t_per_year")["label"] == "CO2e avoided"
    assert _figure(english, "co2_avoided_t_per_year")["unit"] == "t CO2e/year"
    french = as_persona("owner", lang="fr").get(f"/territories/{caux}/indicators").json()
    assert _figure(french, "co2_avoided_t_per_year")["label"] != "CO2e avoided"


def test_the_programme_team_does_not_see_a_figure_of_two_companies(api_world, as_persona, operational):
    caux = api_world.objects["caux"].pk
    body = as_persona("programme").get(f"/territories/{caux}/indicators").json()
    assert body["withheld"] is True and body["minimum_companies"] == 3
    tonnes = _figure(body, "tonnes_diverted_per_year")
    for variant in ("potential_estimated", "operational_estimated", "operational_measured"):
        assert tonnes[variant]["value"] is None, variant
        assert tonnes[variant]["secret"] is True, variant
    # Counts say how many, not how much: not withheld.
    assert body["pipeline"]["synergies"] == 1 and body["mobilisation"]["establishments"] == 2


def test_the_programme_roll_up_sums_the_territories(api_world, as_persona, operational, settings):
    settings.AGGREGATE_MIN_COMPANIES = 2
    caux, havre = api_world.objects["caux"], api_world.objects["havre"]
    body = as_persona("programme").get("/indicators/programme").json()
    assert body["edition"] is None and body["minimum_companies"] == 2
    assert sorted(t["territory"]["id"] for t in body["territories"]) == sorted([caux.pk, havre.pk])
    totals = body["totals"]
    assert totals["mobilisation"]["establishments"] == 4
    assert totals["flows"]["declared"] == 3
    assert totals["pipeline"]["synergies"] == 1 and totals["pipeline"]["conversion_rate"] == 1.0
    tonnes = _figure(totals, "tonnes_diverted_per_year")
    assert (
        tonnes["operational_estimated"]["value"] == 100.0 and tonnes["operational_measured"]["value"] == 80.0
    )
    row = next(t for t in body["territories"] if t["territory"]["id"] == caux.pk)
    assert _figure(row, "co2_avoided_t_per_year")["operational_estimated"]["value"] == 20.0


def test_a_programme_total_of_too_few_companies_is_withheld(api_world, as_persona, operational):
    totals = as_persona("programme").get("/indicators/programme").json()["totals"]
    tonnes = _figure(totals, "tonnes_diverted_per_year")
    assert tonnes["potential_estimated"] == {
        "value": None,
        "secret": True,
        "companies": 2,
        "basis": "estimated",
        "source": tonnes["potential_estimated"]["source"],
    }


def test_the_roll_up_of_one_edition(api_world, as_persona):
    call = factories.coaching_call()
    factories.coaching_participation(call, api_world.objects["caux"])
    client = as_persona("programme")
    body = client.get("/indicators/programme", edition=call.pk).json()
    assert body["edition"] == {"id": call.pk, "title": "Tremplin EIT Normandie 2019"}
    assert [t["territory"]["id"] for t in body["territories"]] == [api_world.objects["caux"].pk]
    assert body["totals"]["mobilisation"]["establishments"] == 2
    for value in (call.pk + 1000, 2**63, 10**30):
        assert client.get("/indicators/programme", edition=value).status_code == 404
    assert client.get("/indicators/programme", edition="first").json()["field"] == "query.edition"
    other = factories.coaching_call(title="Tremplin EIT Normandie 2021")
    assert client.get("/indicators/programme", edition=other.pk).json()["totals"] is None
