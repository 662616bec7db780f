"""``/detection``: runs of a territory (start, status, list, fail, restart), their leads, accepting and
dismissing a lead; every endpoint tried by every persona. Runs are carried out at once in tests (the
immediate task backend of tests/conftest.py), as in the interface's tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.api.conftest import ApiClient
from tests.api.synergy_world import (
    TEAM_READ,
    TEAM_WRITE,
    TERRITORY_READ,
    TERRITORY_WRITE,
    check_personas,
    systematic_run,
)
from tremplin.audit.models import AuditEntry
from tremplin.synergies.models import DetectionRun, Dismissal, Lead, StatusChange, Synergy

pytestmark = pytest.mark.django_db

HUGE_IDS = (10**30, 2**63, 2**63 - 1, 2**31)


def _owner(world, lang=None):
    return ApiClient(world.tokens["owner"], lang=lang)


def _only_lead(run) -> Lead:
    (lead,) = run.leads.all()
    return lead


# --- Starting a run ------------------------------------------------------------------------------------


def test_starting_a_run_is_for_the_team_with_edit_access(api_world):
    caux = api_world.objects["caux"]
    answers = check_personas(
        api_world,
        {**TERRITORY_WRITE, "owner": 201},
        lambda client: client.post("/detection/runs", {"territory": caux.pk, "mode": "systematic"}),
    )
    body = answers["owner"].json()
    run = DetectionRun.objects.get()  # nobody else started one
    assert body["id"] == run.pk
    assert (body["territory"], body["mode"], body["objective"]) == (caux.pk, "systematic", "gain")
    # Carried out at once in tests: declared flows only, the brewery and the farm, one lead.
    assert (body["status"], body["progress"], body["percent"], body["lost"]) == ("done", 1.0, 100, False)
    assert (body["establishment_count"], body["flow_count"], body["lead_count"]) == (2, 2, 1)
    assert body["pending_lead_count"] == 1
    assert body["created_by"] == "Owner Caux"
    assert body["failure"] == "" and body["error"] == ""
    # The headline figures of the optimal allocation: the one lead loses money at the default prices
    # (−2 195 €/year, see the leads' test), so the allocation that maximises the gain keeps none.
    assert (body["plan"]["objective"], body["plan"]["status"]) == ("gain", "optimal")
    assert (body["plan"]["allocations"], body["plan"]["by_basis"]) == (0, {})
    assert body["plan"]["gain_eur_per_year"] == 0.0
    (entry,) = AuditEntry.objects.filter(action="synergy.detection.started")
    assert entry.actor == api_world.people["owner"]
    assert entry.data["mode"] == "systematic"
    # The colleague's refusal is the domain's own sentence, in the request's language.
    colleague = ApiClient(api_world.tokens["colleague"], lang="en")
    refused = colleague.post("/detection/runs", {"territory": caux.pk, "mode": "systematic"}).json()
    assert refused["message"] == "Only the territory team can do this."


@pytest.mark.parametrize("mode", ["deductive", "systematic", "both"])
def test_every_mode_of_the_interface_can_be_started(api_world, mode):
    caux = api_world.objects["caux"]
    response = _owner(api_world).post(
        "/detection/runs", {"territory": caux.pk, "mode": mode, "objective": "co2"}
    )
    assert response.status_code == 201
    run = DetectionRun.objects.get(pk=response.json()["id"])
    assert (run.mode, run.objective, run.status) == (mode, "co2", "done")
    # Every mode finds the brewery's spent grain for the farm.
    assert run.leads.filter(resource="bio_spent_grain").exists()


def test_a_second_run_is_refused_while_one_is_in_progress(api_world):
    caux = api_world.objects["caux"]
    DetectionRun.objects.create(
        territory=caux,
        mode="deductive",
        status="running",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    for lang, message in (
        ("fr", "Une détection est déjà en cours sur ce territoire."),
        ("en", "A detection is already running on this territory."),
    ):
        response = _owner(api_world, lang).post("/detection/runs", {"territory": caux.pk, "mode": "both"})
        assert response.status_code == 409
        assert response.json()["code"] == "detection_running"
        assert response.json()["message"] == message
    assert DetectionRun.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "systematic"}, "body.territory"),
        ({"territory": 1}, "body.mode"),
        ({"territory": 1, "mode": "fast"}, "body.mode"),
        ({"territory": 1, "mode": "both", "objective": "speed"}, "body.objective"),
        ({"territory": 10**30, "mode": "both"}, "body.territory"),
        ({"territory": "caux", "mode": "both"}, "body.territory"),
        ({"territory": 0, "mode": "both"}, "body.territory"),
    ],
)
def test_a_run_that_cannot_be_read_is_a_422_naming_the_field(api_world, body, field):
    response = _owner(api_world).post("/detection/runs", body)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not DetectionRun.objects.exists()


def test_a_body_that_is_not_an_object_is_a_422_on_the_body(api_world):
    for body in ([1, 2], "both", 3):
        response = _owner(api_world).post("/detection/runs", body)
        assert response.status_code == 422, body
        assert response.json()["field"].startswith("body"), body


def test_a_run_on_an_unknown_or_other_territory_is_a_404(api_world):
    for territory in (api_world.objects["havre"].pk, 987654, 2**63 - 1):
        response = _owner(api_world).post("/detection/runs", {"territory": territory, "mode": "both"})
        assert response.status_code == 404, territory
    assert not DetectionRun.objects.exists()


# --- Runs: list and status -----------------------------------------------------------------------------


def test_the_runs_of_a_territory(api_world):
    caux, havre = api_world.objects["caux"], api_world.objects["havre"]
    first = systematic_run(api_world)
    second = systematic_run(api_world)
    from tremplin.synergies.detection import start_detection

    start_detection(havre, mode="systematic", by=api_world.people["outsider"])
    answers = check_personas(
        api_world, TERRITORY_READ, lambda client: client.get("/detection/runs", territory=caux.pk)
    )
    body = answers["owner"].json()
    assert body["count"] == 2  # Le Havre's run is not Caux-Seine's
    assert [r["id"] for r in body["results"]] == [second.pk, first.pk]  # newest first
    # The second run found the same lead again (the first's is still waiting for review).
    assert [r["pending_lead_count"] for r in body["results"]] == [1, 1]
    assert answers["colleague"].json() == body
    owner = _owner(api_world)
    assert [
        r["id"]
        for r in owner.get("/detection/runs", territory=caux.pk, ordering="created_at").json()["results"]
    ] == [
        first.pk,
        second.pk,
    ]
    assert owner.get("/detection/runs", territory=caux.pk, status="failed").json()["count"] == 0
    assert (
        owner.get("/detection/runs", territory=caux.pk, limit=1, offset=1).json()["results"][0]["id"]
        == first.pk
    )
    bad = owner.get("/detection/runs", territory=caux.pk, ordering="speed")
    assert (bad.status_code, bad.json()["field"]) == (422, "query.ordering")
    assert (
        owner.get("/detection/runs", territory=caux.pk, status="finished").json()["field"] == "query.status"
    )
    assert owner.get("/detection/runs", territory=havre.pk).status_code == 404
    assert owner.get("/detection/runs").json()["field"] == "query.territory"
    for huge in HUGE_IDS:
        assert owner.get("/detection/runs", territory=huge).status_code in (404, 422)


def test_a_run_s_status(api_world):
    run = systematic_run(api_world)
    answers = check_personas(api_world, TEAM_READ, lambda client: client.get(f"/detection/runs/{run.pk}"))
    body = answers["owner"].json()
    assert body["status"] == "done"
    assert body["status_label"] == "Terminée"
    assert body["lead_count"] == 1 and body["pending_lead_count"] == 1
    assert body["finished_at"] is not None and body["duration_s"] >= 0
    english = _owner(api_world, "en").get(f"/detection/runs/{run.pk}").json()
    assert (english["status_label"], english["mode_label"]) == ("Done", "Systematic (declared flows only)")
    owner = _owner(api_world)
    for huge in HUGE_IDS:
        assert owner.get(f"/detection/runs/{huge}").status_code == 404
    assert owner.get("/detection/runs/abc").status_code == 404


def test_a_lost_run_says_so_and_the_team_marks_it_failed_then_runs_it_again(api_world, settings):
    caux = api_world.objects["caux"]
    long_ago = timezone.now() - dt.timedelta(seconds=settings.DETECTION_HEARTBEAT_TIMEOUT_S * 3)
    lost = DetectionRun.objects.create(
        territory=caux,
        mode="systematic",
        status="running",
        started_at=long_ago,
        heartbeat_at=long_ago,
        progress=0.4,
    )
    status = _owner(api_world, "en").get(f"/detection/runs/{lost.pk}").json()
    assert (status["status"], status["lost"], status["percent"]) == ("running", True, 40)
    assert status["status_label"] == "No news from the worker"
    answers = check_personas(
        api_world, TEAM_WRITE, lambda client: client.post(f"/detection/runs/{lost.pk}/fail")
    )
    assert (answers["owner"].json()["status"], answers["owner"].json()["failure"]) == ("failed", "lost")
    answers = check_personas(
        api_world,
        {**TEAM_WRITE, "owner": 201},
        lambda client: client.post(f"/detection/runs/{lost.pk}/restart"),
    )
    again = answers["owner"].json()
    assert (again["status"], again["retry_of"], again["lead_count"]) == ("done", lost.pk, 1)
    assert _owner(api_world).get(f"/detection/runs/{lost.pk}").json()["retried_by"] == again["id"]
    # A run that is over cannot be failed, a run that did not fail cannot be run again.
    refused = _owner(api_world, "en").post(f"/detection/runs/{again['id']}/fail")
    assert (refused.status_code, refused.json()["message"]) == (409, "This run is already over.")
    refused = _owner(api_world, "en").post(f"/detection/runs/{again['id']}/restart")
    assert (refused.status_code, refused.json()["message"]) == (409, "Only a failed run can be run again.")


def test_a_run_that_still_gives_news_is_not_failed(api_world):
    running = DetectionRun.objects.create(
        territory=api_world.objects["caux"],
        mode="systematic",
        status="running",
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    response = _owner(api_world).post(f"/detection/runs/{running.pk}/fail")
    assert (response.status_code, response.json()["code"]) == (409, "run_not_lost")
    running.refresh_from_db()
    assert running.status == "running"


# --- Leads ---------------------------------------------------------------------------------------------


def test_the_leads_of_a_run_with_their_figures_basis_and_explanation(api_world):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    run = systematic_run(api_world)
    lead = _only_lead(run)
    answers = check_personas(
        api_world, TEAM_READ, lambda client: client.get(f"/detection/runs/{run.pk}/leads")
    )
    body = answers["owner"].json()
    assert (body["count"], body["limit"], body["offset"]) == (1, 50, 0)
    (out,) = body["results"]
    assert (out["id"], out["run"], out["rank"], out["status"]) == (lead.pk, run.pk, 1, "pending")
    assert (out["kind"], out["resource"], out["basis"]) == ("substitution", "bio_spent_grain", "declared")
    assert out["basis_text"] == "d'après les flux déclarés"
    # The brewery supplies, the farm receives; names shown to the team.
    assert [(p["establishment"], p["name"], p["role"]) for p in out["participants"]] == [
        (brewery.pk, "Brasserie des Falaises", "source"),
        (farm.pk, "Ferme laitière du Plateau", "target"),
    ]
    # Computed by hand from the declared flows and the factors the lead states:
    # 200 t exchanged (the farm needs 200 t of the brewery's 300 t, 1 t for 1 t), 5 km apart due north,
    # by road 5 × 1.3 = 6.5 km.
    factors = out["factors"]
    assert (factors["quantite_gisement"], factors["quantite_besoin"], factors["ratio"]) == (300.0, 200.0, 1.0)
    assert out["quantity"] == pytest.approx(200.0) and out["unit"] == "t"
    assert out["great_circle_km"] == pytest.approx(5.0, abs=0.01)
    assert out["distance_km"] == pytest.approx(6.5, abs=0.01)
    assert out["distance_method"] == "great_circle_x_detour"
    assert out["distance_text"] == "distance à vol d'oiseau × facteur de détour"
    assert out["tonnes_diverted_per_year"] == pytest.approx(200.0)
    assert out["in_plan"] is False  # it loses money (below), the optimal allocation leaves it out
    # CO2e: 200 t × 150 kg/t of disposal avoided, minus 200 t × 6.5 km × 0.11 kg/t.km of transport.
    assert factors["facteur_elimination_kgco2e_par_unite"] == 150.0
    assert factors["transport_kgco2e_par_t_km"] == 0.11
    assert out["co2_avoided_t_per_year"] == pytest.approx(30.0 - 200 * 6.5 * 0.11 / 1000, abs=0.01)
    assert out["co2_breakdown_t"]["elimination_evitee"] == pytest.approx(30.0)
    # €: treatment avoided 200 × (−5 €) = −1 000 €; transport 200 × (6.5 km × 0.15 + 5) = 1 195 €.
    assert (factors["cout_traitement_eur_par_unite"], factors["transport_eur_par_t_km"]) == (-5.0, 0.15)
    assert factors["manutention_eur_par_t"] == 5.0
    assert out["gain_eur_per_year"] == pytest.approx(-1000 - 200 * (6.5 * 0.15 + 5), abs=1.0)
    # The gain is shared evenly, and each share says what it is made of.
    shares = [p["gain_eur_per_year"] for p in out["participants"]]
    assert shares == pytest.approx([out["gain_eur_per_year"] / 2] * 2)
    assert {i["label"] for i in out["participants"][1]["gain_items"]} >= {"Transport", "Prix de cession payé"}
    # Explanation, assumptions, regulatory points (with their text), sources.
    assert "Drêches" in out["explanation"] and "Brasserie des Falaises" in out["explanation"]
    assert any("facteur de détour" in a for a in out["assumptions"])
    flags = {f["code"]: f["text"] for f in out["regulatory_flags"]}
    assert flags["statut_dechet"].startswith("Statut de déchet")
    assert out["receiver_authorisation"]["state"] == "to_check"
    assert out["waste_codes"] == ["02 07 04"]
    assert any(r["publisher"] == "ADEME" for r in out["references"])
    assert len(out["sources"]) == len(out["references"])
    assert answers["colleague"].json() == body


def test_the_leads_filters_and_ordering(api_world):
    brewery = api_world.objects["brewery"]
    run = systematic_run(api_world)
    owner = _owner(api_world)
    path = f"/detection/runs/{run.pk}/leads"

    def count(**query):
        response = owner.get(path, **query)
        assert response.status_code == 200, (query, response.content)
        return response.json()["count"]

    assert count(status="pending") == 1 and count(status="accepted") == 0
    assert count(resource="bio_spent_grain") == 1 and count(resource="min_slag") == 0
    assert count(basis="declared") == 1 and count(basis="estimated") == 0
    assert count(establishment="falaises") == 1 and count(establishment="Scierie") == 0
    assert count(establishment=brewery.siret[:9]) == 1
    assert count(commune=brewery.commune.insee_code) == 1 and count(commune="99999") == 0
    assert count(ordering="-gain_eur_per_year") == 1
    for query, field in (
        ({"establishment": "Falaises\x00"}, "query.establishment"),
        ({"establishment": "x" * 201}, "query.establishment"),
        ({"basis": "guessed"}, "query.basis"),
        ({"ordering": "name"}, "query.ordering"),
        ({"limit": 0}, "query.limit"),
    ):
        response = owner.get(path, **query)
        assert (response.status_code, response.json()["field"]) == (422, field), query
    assert owner.get(path, establishment="a\x00", lang="en").json()["message"] == (
        "This text holds a control character (such as NUL)."
    )
    for huge in HUGE_IDS:
        assert owner.get(f"/detection/runs/{huge}/leads").status_code == 404


def test_one_lead(api_world):
    lead = _only_lead(systematic_run(api_world))
    answers = check_personas(api_world, TEAM_READ, lambda client: client.get(f"/detection/leads/{lead.pk}"))
    assert answers["owner"].json()["resource_label"] == lead.resource_label
    for huge in HUGE_IDS:
        assert _owner(api_world).get(f"/detection/leads/{huge}").status_code == 404


def test_accepting_a_lead_makes_a_detected_synergy(api_world):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    lead = _only_lead(systematic_run(api_world))
    answers = check_personas(
        api_world,
        {**TEAM_WRITE, "owner": 201},
        lambda client: client.post(f"/detection/leads/{lead.pk}/accept"),
    )
    body = answers["owner"].json()
    synergy = Synergy.objects.get()  # only the owner's call made one
    assert body["synergy"] == synergy.pk
    assert (body["lead"]["status"], body["lead"]["synergy"]) == ("accepted", synergy.pk)
    assert (synergy.status, synergy.basis, synergy.resource) == ("detected", "declared", "bio_spent_grain")
    assert synergy.quantity == pytest.approx(200.0)
    assert synergy.gain_eur_per_year == pytest.approx(lead.gain_eur_per_year)
    assert sorted((p.establishment_id, p.role, p.consent) for p in synergy.participants.all()) == sorted(
        [(brewery.pk, "source", "pending"), (farm.pk, "target", "pending")]
    )
    (change,) = StatusChange.objects.filter(synergy=synergy)
    assert (change.from_status, change.to_status, change.by) == ("", "detected", api_world.people["owner"])
    (entry,) = AuditEntry.objects.filter(action="synergy.created")
    assert (entry.actor, entry.data["lead"]) == (api_world.people["owner"], lead.pk)
    again = _owner(api_world, "en").post(f"/detection/leads/{lead.pk}/accept")
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    assert again.json()["message"] == "This lead was already reviewed."
    assert Synergy.objects.count() == 1
    for huge in HUGE_IDS:
        assert _owner(api_world).post(f"/detection/leads/{huge}/accept").status_code == 404


def test_dismissing_a_lead_with_a_reason_leaves_it_out_of_later_runs(api_world):
    run = systematic_run(api_world)
    lead = _only_lead(run)
    owner = _owner(api_world)
    for body, field in (
        ({"reason": "trop\x00loin"}, "body.reason"),
        ({"reason": "x" * 501}, "body.reason"),
        ({"reason": 12}, "body.reason"),
    ):
        response = owner.post(f"/detection/leads/{lead.pk}/dismiss", body)
        assert (response.status_code, response.json()["field"]) == (422, field), body
    answers = check_personas(
        api_world,
        TEAM_WRITE,
        lambda client: client.post(f"/detection/leads/{lead.pk}/dismiss", {"reason": " Trop loin "}),
    )
    assert answers["owner"].json()["status"] == "dismissed"
    dismissal = Dismissal.objects.get()
    assert (dismissal.reason, dismissal.by) == ("Trop loin", api_world.people["owner"])
    (entry,) = AuditEntry.objects.filter(action="synergy.lead.dismissed")
    assert (entry.actor, entry.data["reason"]) == (api_world.people["owner"], "Trop loin")
    again = owner.post(f"/detection/leads/{lead.pk}/dismiss", {})
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")
    later = systematic_run(api_world)
    assert (later.lead_count, later.skipped_dismissed) == (0, 1)


def test_dismissing_several_leads_needs_a_reason_and_leads_of_the_run(api_world):
    run = systematic_run(api_world)
    lead = _only_lead(run)
    owner = _owner(api_world)
    path = f"/detection/runs/{run.pk}/leads/dismiss"
    for body, field in (
        ({"leads": [lead.pk]}, "body.reason"),
        ({"leads": [lead.pk], "reason": ""}, "body.reason"),
        ({"leads": [lead.pk], "reason": "   "}, "body.reason"),
        ({"leads": [], "reason": "Hors sujet"}, "body.leads"),
        ({"leads": ["a"], "reason": "Hors sujet"}, "body.leads.0"),
    ):
        response = owner.post(path, body)
        assert (response.status_code, response.json()["field"]) == (422, field), body
    for ids in ([lead.pk, 10**30], [lead.pk + 1000], [-1]):
        response = owner.post(path, {"leads": ids, "reason": "Hors sujet"})
        assert (response.status_code, response.json()["code"]) == (409, "refused"), ids
    assert not Dismissal.objects.exists()
    answers = check_personas(
        api_world, TEAM_WRITE, lambda client: client.post(path, {"leads": [lead.pk], "reason": "Hors sujet"})
    )
    assert answers["owner"].json() == {"dismissed": 1}
    lead.refresh_from_db()
    assert lead.status == "dismissed"
    assert Dismissal.objects.get().reason == "Hors sujet"


def test_the_openapi_description_lists_the_detection_endpoints():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/detection/runs"]) == {"get", "post"}
    for path in (
        "/api/v1/detection/runs/{run_id}",
        "/api/v1/detection/runs/{run_id}/leads",
        "/api/v1/detection/leads/{lead_id}",
    ):
        assert "get" in paths[path]
    for path in (
        "/api/v1/detection/runs/{run_id}/fail",
        "/api/v1/detection/runs/{run_id}/restart",
        "/api/v1/detection/runs/{run_id}/leads/dismiss",
        "/api/v1/detection/leads/{lead_id}/accept",
        "/api/v1/detection/leads/{lead_id}/dismiss",
    ):
        assert "post" in paths[path]
