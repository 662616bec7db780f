"""``/synergies``: the pipeline of a territory through the API, with the interface's rules (consent before
going past "under study", a reason to abandon, history), what a company contact sees (its opportunities,
counterparts anonymous until everyone consented) and answers; every endpoint tried by every persona."""

from __future__ import annotations

import pytest

from tests.api.conftest import ApiClient
from tests.api.synergy_world import TEAM_READ, TEAM_WRITE, TERRITORY_READ, check_personas, systematic_run
from tremplin.audit.models import AuditEntry
from tremplin.synergies.detection import accept_lead
from tremplin.synergies.models import StatusChange, Synergy, SynergyParticipant

pytestmark = pytest.mark.django_db

HUGE_IDS = (10**30, 2**63, 2**63 - 1, 2**31)
#: The team's page of a synergy: its territory team reads it; the brewery's contact takes part in it and
#: gets a 403 (its view is its opportunities); anybody else a 404.
DETAIL_READ = {**TEAM_READ, "contact": 403}
DETAIL_WRITE = {**TEAM_WRITE, "contact": 403}
#: A company contact's opportunities: only a company contact has some.
OPPORTUNITIES = dict.fromkeys(TEAM_READ, 403) | {"contact": 200, "anonymous": 401}


@pytest.fixture
def synergy(api_world) -> Synergy:
    """The brewery's spent grain for the farm, accepted from a run on the declared flows: "detected"."""
    run = systematic_run(api_world)
    return accept_lead(run.leads.get(), by=api_world.people["owner"])


def _owner(world, lang=None):
    return ApiClient(world.tokens["owner"], lang=lang)


def _move(world, synergy, name, lang=None, **body):
    return _owner(world, lang).post(f"/synergies/{synergy.pk}/transitions", {"name": name, **body})


def _participant(synergy, establishment) -> SynergyParticipant:
    return synergy.participants.get(establishment=establishment)


def _consent(world, persona, participant, accepted=True):
    client = ApiClient(world.tokens[persona])
    return client.post(f"/synergies/participants/{participant.pk}/consent", {"accepted": accepted})


# --- List ----------------------------------------------------------------------------------------------


def test_the_synergies_of_a_territory(api_world, synergy):
    from tests import factories

    caux, havre = api_world.objects["caux"], api_world.objects["havre"]
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    other = factories.synergy(
        caux, status="qualified", resource="min_slag", resource_label="Laitier", gain_eur_per_year=900
    )
    factories.synergy(havre, status="qualified")  # Le Havre's: never listed for Caux-Seine
    answers = check_personas(
        api_world, TERRITORY_READ, lambda client: client.get("/synergies", territory=caux.pk)
    )
    body = answers["owner"].json()
    # Default ordering: the largest estimated gain first (900 € before −2 195 €).
    assert body["count"] == 2
    assert [s["id"] for s in body["results"]] == [other.pk, synergy.pk]
    out = body["results"][1]
    assert (out["status"], out["status_label"], out["kind"], out["basis"]) == (
        "detected",
        "Détectée",
        "substitution",
        "declared",
    )
    assert (out["resource"], out["quantity"], out["unit"]) == ("bio_spent_grain", 200.0, "t")
    assert [(p["establishment"], p["role"], p["consent"]) for p in out["participants"]] == [
        (brewery.pk, "source", "pending"),
        (farm.pk, "target", "pending"),
    ]
    assert answers["colleague"].json() == body
    owner = _owner(api_world)

    def ids(**query):
        response = owner.get("/synergies", territory=caux.pk, **query)
        assert response.status_code == 200, (query, response.content)
        return [s["id"] for s in response.json()["results"]]

    assert ids(status="qualified") == [other.pk] and ids(status="monitored") == []
    assert ids(kind="substitution") == [other.pk, synergy.pk] and ids(kind="mutualisation") == []
    assert ids(resource="bio_spent_grain") == [synergy.pk]
    assert ids(resource="laitier") == [other.pk]  # part of the label, any case
    assert ids(participant=brewery.pk) == [synergy.pk]
    assert ids(participant=987654) == []
    assert ids(ordering="gain_eur_per_year") == [synergy.pk, other.pk]
    assert ids(ordering="resource_label") == [synergy.pk, other.pk]  # Drêches… before Laitier
    assert ids(limit=1, offset=1) == [synergy.pk]
    for query, field in (
        ({"status": "dreaming"}, "query.status"),
        ({"kind": "barter"}, "query.kind"),
        ({"resource": "dr\x00"}, "query.resource"),
        ({"resource": "x" * 201}, "query.resource"),
        ({"participant": 10**30}, "query.participant"),
        ({"ordering": "-secret"}, "query.ordering"),
        ({"territory": "caux"}, "query.territory"),
    ):
        response = owner.get("/synergies", **{"territory": caux.pk, **query})
        assert (response.status_code, response.json()["field"]) == (422, field), query
    assert owner.get("/synergies", territory=havre.pk).status_code == 404
    assert owner.get("/synergies", territory=2**63 - 1).status_code == 404


# --- Detail --------------------------------------------------------------------------------------------


def test_a_synergy_s_page_participants_figures_calculation_moves_and_history(api_world, synergy):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    answers = check_personas(api_world, DETAIL_READ, lambda client: client.get(f"/synergies/{synergy.pk}"))
    body = answers["owner"].json()
    assert body["id"] == synergy.pk and body["status"] == "detected"
    assert body["introductions_agreed"] is False
    assert [
        (p["name"], p["role_label"], p["consent"], p["consent_label"]) for p in body["participants_detail"]
    ] == [
        ("Brasserie des Falaises", "Fournisseur", "pending", "Pas encore de réponse"),
        ("Ferme laitière du Plateau", "Receveur", "pending", "Pas encore de réponse"),
    ]
    assert [p["establishment"] for p in body["participants_detail"]] == [brewery.pk, farm.pk]
    # Each participant's share, with what it is made of: half of the lead's −2 195 €/year.
    shares = [p["estimated_gain_eur_per_year"] for p in body["participants_detail"]]
    assert shares == pytest.approx([synergy.gain_eur_per_year / 2] * 2)
    assert sum(i["eur"] for i in body["participants_detail"][0]["gain_items"]) == pytest.approx(shares[0])
    # Estimated figures with their basis: declared flows, 200 t; the supplier is paid nothing positive
    # for its spent grain, so the whole gain is a saving.
    estimated = body["estimated"]
    assert (estimated["basis"], estimated["basis_label"]) == ("declared", "Déclaré")
    assert (estimated["quantity"], estimated["unit"], estimated["tonnes_diverted_per_year"]) == (
        200.0,
        "t",
        200.0,
    )
    assert estimated["revenue_eur_per_year"] == 0.0
    assert estimated["eur_saved_per_year"] == pytest.approx(estimated["gain_eur_per_year"])
    assert estimated["gain_eur_per_year"] == pytest.approx(-1000 - 200 * (6.5 * 0.15 + 5), abs=1.0)
    assert estimated["distance_km"] == pytest.approx(6.5, abs=0.01)
    assert estimated["jobs"] is None
    assert estimated["source_run"] == synergy.source_run_id
    assert estimated["source"].startswith("Estimé : calculé par le moteur de détection (détection du ")
    assert body["measurements"] == [] and body["measurement_refusal"]
    calculation = body["calculation"]
    assert "Drêches" in calculation["explanation"]
    assert {f["code"] for f in calculation["regulatory_flags"]} >= {"statut_dechet"}
    assert calculation["factors"]["quantite_besoin"] == 200.0
    assert calculation["receiver_authorisation"]["state"] == "to_check"
    # From "detected": qualify, pause or abandon, each available now.
    assert [(t["name"], t["target"], t["available"], t["reason_required"]) for t in body["transitions"]] == [
        ("qualify", "qualified", True, False),
        ("pause", "paused", True, False),
        ("abandon", "abandoned", True, True),
    ]
    assert [(c["from_status"], c["to_status"], c["by"]) for c in body["status_changes"]] == [
        ("", "detected", "Owner Caux")
    ]
    assert [(h["kind"], h["text"], h["by"]) for h in body["history"]] == [
        ("status", "Entrée dans le pipeline, au statut « Détectée ».", "Owner Caux")
    ]
    assert body["actions"] == []
    assert answers["colleague"].json() == body
    # The brewery's contact is told where its view is.
    assert "opportunités" in answers["contact"].json()["message"]
    for huge in HUGE_IDS:
        assert _owner(api_world).get(f"/synergies/{huge}").status_code == 404


def test_the_moves_from_a_synergy_s_status(api_world, synergy):
    answers = check_personas(
        api_world, DETAIL_READ, lambda client: client.get(f"/synergies/{synergy.pk}/transitions")
    )
    assert [t["name"] for t in answers["owner"].json()] == ["qualify", "pause", "abandon"]
    english = _owner(api_world, "en").get(f"/synergies/{synergy.pk}/transitions").json()
    assert [t["label"] for t in english] == ["Qualify", "Pause", "Abandon"]
    for huge in HUGE_IDS:
        assert _owner(api_world).get(f"/synergies/{huge}/transitions").status_code == 404


# --- Moves ---------------------------------------------------------------------------------------------


def test_moving_a_synergy_is_for_the_team_with_edit_access(api_world, synergy):
    answers = check_personas(
        api_world,
        DETAIL_WRITE,
        lambda client: client.post(
            f"/synergies/{synergy.pk}/transitions", {"name": "qualify", "note": "Vu au salon"}
        ),
    )
    assert answers["owner"].json()["status"] == "qualified"
    synergy.refresh_from_db()
    assert synergy.status == "qualified"
    (entry,) = AuditEntry.objects.filter(action="synergy.status.changed")  # only the owner's move
    assert (entry.actor, entry.data["transition"], entry.data["note"]) == (
        api_world.people["owner"],
        "qualify",
        "Vu au salon",
    )
    colleague = ApiClient(api_world.tokens["colleague"], lang="en")
    refused = colleague.post(f"/synergies/{synergy.pk}/transitions", {"name": "study"}).json()
    assert refused["message"] == "Only the territory team moves a synergy in the pipeline."
    for huge in HUGE_IDS:
        assert _move(api_world, type("S", (), {"pk": huge}), "qualify").status_code == 404


def test_the_whole_pipeline_with_consent_history_and_audit(api_world, synergy):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    owner, contact = api_world.people["owner"], api_world.people["contact"]
    assert _move(api_world, synergy, "qualify").json()["status"] == "qualified"
    assert _move(api_world, synergy, "study").json()["status"] == "under_study"
    # Nobody answered yet: nothing goes past "under study", in the domain's words and the request's language.
    for lang, message in (
        (
            "fr",
            "Tous les participants doivent d'abord accepter d'être mis en relation (pas encore de réponse : "
            "Brasserie des Falaises, Ferme laitière du Plateau).",
        ),
        (
            "en",
            "Every participant must first accept to be introduced (not answered yet: Brasserie des Falaises, "
            "Ferme laitière du Plateau).",
        ),
    ):
        refused = _move(api_world, synergy, "implement", lang)
        assert (refused.status_code, refused.json()["code"]) == (409, "transition_blocked")
        assert refused.json()["message"] == message
    options = {t["name"]: t for t in _owner(api_world).get(f"/synergies/{synergy.pk}/transitions").json()}
    assert options["implement"]["available"] is False
    assert "Brasserie des Falaises" in options["implement"]["blocked_by"]
    # The brewery's contact answers for its establishment; the team records the farm's answer.
    assert _consent(api_world, "contact", _participant(synergy, brewery)).status_code == 200
    answer = _consent(api_world, "owner", _participant(synergy, farm)).json()
    assert (answer["consent"], answer["introductions_agreed"]) == ("accepted", True)
    for name, status in (
        ("implement", "being_implemented"),
        ("make_operational", "operational"),
        ("monitor", "monitored"),
    ):
        response = _move(api_world, synergy, name, note=f"étape {name}")
        assert (response.status_code, response.json()["status"]) == (200, status), response.content
    body = response.json()
    expected = [
        ("", "detected"),
        ("detected", "qualified"),
        ("qualified", "under_study"),
        ("under_study", "being_implemented"),
        ("being_implemented", "operational"),
        ("operational", "monitored"),
    ]
    assert [(c["from_status"], c["to_status"]) for c in body["status_changes"]] == expected
    assert (
        list(StatusChange.objects.filter(synergy=synergy).values_list("from_status", "to_status")) == expected
    )
    assert body["status_changes"][-1]["note"] == "étape monitor"
    moves = AuditEntry.objects.filter(action="synergy.status.changed").order_by("pk")
    assert [e.data["transition"] for e in moves] == [
        "qualify",
        "study",
        "implement",
        "make_operational",
        "monitor",
    ]
    assert {e.actor for e in moves} == {owner}
    consents = AuditEntry.objects.filter(action="synergy.consent.recorded").order_by("pk")
    assert [(e.actor, e.data["on_behalf"]) for e in consents] == [(contact, False), (owner, True)]
    # The history tells it all, oldest first: 6 status changes and 2 answers, the contact's marked as its own.
    kinds = [(h["kind"], h["by_contact"]) for h in body["history"]]
    assert kinds.count(("status", False)) == 6
    assert sorted(k for k in kinds if k[0] == "consent") == [("consent", False), ("consent", True)]
    assert body["history"][1]["text"] == "Statut passé de « Détectée » à « Qualifiée »."
    assert body["introductions_agreed"] is True
    # Operational once: measured figures may now be entered.
    assert body["measurement_refusal"] == ""


def test_going_operational_is_refused_when_a_participant_withdrew(api_world, synergy):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    for name in ("qualify", "study"):
        _move(api_world, synergy, name)
    _consent(api_world, "contact", _participant(synergy, brewery))
    _consent(api_world, "owner", _participant(synergy, farm))
    assert _move(api_world, synergy, "implement").json()["status"] == "being_implemented"
    assert (
        _consent(api_world, "contact", _participant(synergy, brewery), accepted=False).json()["consent"]
        == "declined"
    )
    for lang, message in (
        (
            "fr",
            "Tous les participants doivent d'abord accepter d'être mis en relation "
            "(refus : Brasserie des Falaises).",
        ),
        ("en", "Every participant must first accept to be introduced (declined: Brasserie des Falaises)."),
    ):
        refused = _move(api_world, synergy, "make_operational", lang)
        assert (refused.status_code, refused.json()["code"], refused.json()["message"]) == (
            409,
            "transition_blocked",
            message,
        )
    synergy.refresh_from_db()
    assert synergy.status == "being_implemented"


def test_abandoning_needs_a_reason(api_world, synergy):
    for lang, message in (
        ("fr", "Choisissez le motif d'abandon de la synergie."),
        ("en", "Choose why the synergy is abandoned."),
    ):
        refused = _move(api_world, synergy, "abandon", lang, note="Plus de nouvelles")
        assert refused.status_code == 422
        assert (refused.json()["code"], refused.json()["field"], refused.json()["message"]) == (
            "reason_required",
            "body.reason",
            message,
        )
    wrong = _move(api_world, synergy, "abandon", reason="boredom")
    assert (wrong.status_code, wrong.json()["field"]) == (422, "body.reason")
    assert not AuditEntry.objects.filter(action="synergy.status.changed").exists()
    done = _move(api_world, synergy, "abandon", reason="economic", note="Transport trop cher").json()
    assert (done["status"], done["abandon_reason"], done["abandon_reason_label"], done["abandon_note"]) == (
        "abandoned",
        "economic",
        "Économique",
        "Transport trop cher",
    )
    last = done["status_changes"][-1]
    assert (last["from_status"], last["to_status"], last["reason"], last["reason_label"]) == (
        "detected",
        "abandoned",
        "economic",
        "Économique",
    )
    assert done["history"][-1]["details"] == ["Motif : Économique", "Transport trop cher"]
    assert done["transitions"] == []
    # Nothing to answer any more on an abandoned synergy.
    refused = _consent(api_world, "contact", _participant(synergy, api_world.objects["brewery"]))
    assert (refused.status_code, refused.json()["code"]) == (409, "refused")


def test_pausing_and_resuming_where_it_stood(api_world, synergy):
    _move(api_world, synergy, "qualify")
    assert _move(api_world, synergy, "pause", note="Attente du budget").json()["status"] == "paused"
    options = _owner(api_world).get(f"/synergies/{synergy.pk}/transitions").json()
    assert [(t["name"], t["target"]) for t in options] == [("resume", "qualified"), ("abandon", "abandoned")]
    assert _move(api_world, synergy, "resume").json()["status"] == "qualified"


def test_a_move_that_does_not_exist_or_cannot_be_read(api_world, synergy):
    refused = _move(api_world, synergy, "monitor", "en")
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        409,
        "transition_not_allowed",
        "body.name",
    )
    assert refused.json()["message"] == "This move is not allowed from the synergy's current status."
    assert _move(api_world, synergy, "monitor", "fr").json()["message"] == (
        "Ce changement n'est pas permis depuis le statut actuel de la synergie."
    )
    for body, field in (
        ({"name": "fly"}, "body.name"),
        ({}, "body.name"),
        ({"name": "qualify", "note": "a\x00b"}, "body.note"),
        ({"name": "qualify", "note": "x" * 2001}, "body.note"),
        ({"name": "qualify", "reason": 3}, "body.reason"),
    ):
        response = _owner(api_world).post(f"/synergies/{synergy.pk}/transitions", body)
        assert (response.status_code, response.json()["field"]) == (422, field), body
    synergy.refresh_from_db()
    assert synergy.status == "detected"
    assert StatusChange.objects.filter(synergy=synergy).count() == 1


# --- Consent and the contact's view ----------------------------------------------------------------------


def test_recording_consent_the_contact_for_its_own_establishment_the_team_on_its_behalf(api_world, synergy):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    own = _participant(synergy, brewery)
    answers = check_personas(
        api_world,
        {**TEAM_WRITE, "contact": 200},
        lambda client: client.post(f"/synergies/participants/{own.pk}/consent", {"accepted": True}),
    )
    assert answers["contact"].json() == {
        "participant": own.pk,
        "synergy": synergy.pk,
        "establishment": brewery.pk,
        "consent": "accepted",
        "consent_label": "Accepté",
        "consent_at": answers["contact"].json()["consent_at"],
        "introductions_agreed": False,
    }
    entries = AuditEntry.objects.filter(action="synergy.consent.recorded").order_by("pk")
    assert [(e.actor, e.data["on_behalf"]) for e in entries] == [
        (api_world.people["contact"], False),
        (api_world.people["owner"], True),
    ]
    # The farm's participation is not the brewery contact's: it does not exist for it.
    farm_participant = _participant(synergy, farm)
    assert _consent(api_world, "contact", farm_participant).status_code == 404
    farm_participant.refresh_from_db()
    assert farm_participant.consent == "pending"
    colleague = ApiClient(api_world.tokens["colleague"], lang="en")
    refused = colleague.post(f"/synergies/participants/{own.pk}/consent", {"accepted": False}).json()
    assert refused["message"] == "Only the establishment's contact or the territory team can answer."
    for body in ({}, {"accepted": "maybe"}, {"accepted": None}):
        response = _owner(api_world).post(f"/synergies/participants/{own.pk}/consent", body)
        assert (response.status_code, response.json()["field"]) == (422, "body.accepted"), body
    for huge in HUGE_IDS:
        assert (
            _owner(api_world).post(f"/synergies/participants/{huge}/consent", {"accepted": True}).status_code
            == 404
        )


def test_a_contact_s_opportunities_counterparts_anonymous_until_everyone_consented(api_world, synergy):
    brewery, farm = api_world.objects["brewery"], api_world.objects["farm"]
    answers = check_personas(
        api_world, OPPORTUNITIES, lambda client: client.get("/synergies/opportunities"), last="contact"
    )
    body = answers["contact"].json()
    assert body["count"] == 1
    (item,) = body["results"]
    own = _participant(synergy, brewery)
    assert (item["synergy"], item["participant"], item["establishment"], item["role"]) == (
        synergy.pk,
        own.pk,
        brewery.pk,
        "source",
    )
    assert (item["status"], item["consent"], item["disclosed"], item["distance_km"]) == (
        "detected",
        "pending",
        False,
        None,
    )
    assert item["estimated_gain_eur_per_year"] == pytest.approx(synergy.gain_eur_per_year / 2)
    # Caux-Seine has no other establishment than the two participants: no activity level nor distance band
    # is shared by three establishments, so both are withheld.
    assert item["counterparts"] == [
        {
            "label": "Établissement anonyme",
            "activity": "activité non précisée",
            "role": "Receveur",
            "disclosed": False,
            "distance": "distance non précisée",
        }
    ]
    assert "Ferme" not in str(body)
    _consent(api_world, "contact", own)
    assert (
        ApiClient(api_world.tokens["contact"])
        .get("/synergies/opportunities")
        .json()["results"][0]["disclosed"]
        is False
    )
    _consent(api_world, "owner", _participant(synergy, farm))
    (item,) = ApiClient(api_world.tokens["contact"]).get("/synergies/opportunities").json()["results"]
    assert (item["disclosed"], item["consent"]) == (True, "accepted")
    assert item["distance_km"] == pytest.approx(6.5, abs=0.01)
    assert [(c["label"], c["disclosed"]) for c in item["counterparts"]] == [
        ("Ferme laitière du Plateau", True)
    ]
    assert farm.naf_label and item["counterparts"][0]["activity"] == farm.naf_label
    # An abandoned synergy is no opportunity any more.
    _move(api_world, synergy, "abandon", reason="technical")
    assert ApiClient(api_world.tokens["contact"]).get("/synergies/opportunities").json()["count"] == 0
    bad = ApiClient(api_world.tokens["contact"]).get("/synergies/opportunities", limit=201)
    assert (bad.status_code, bad.json()["field"]) == (422, "query.limit")


def test_an_unknown_address_is_a_json_404_even_for_a_post_without_csrf_token(api_world):
    from django.test import Client

    for path in ("/api/v1/synergies/abc/transitions", "/api/v1/synergies/participants/-1/consent"):
        response = Client(enforce_csrf_checks=True).post(path, "{}", content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path


def test_the_orderings_are_listed_in_the_openapi_description():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    (ordering,) = [p for p in paths["/api/v1/synergies"]["get"]["parameters"] if p["name"] == "ordering"]
    choices = ordering["schema"]["anyOf"][0]["enum"]
    assert {"gain_eur_per_year", "-gain_eur_per_year", "status", "-status"} <= set(choices)
    assert len(choices) == 14


def test_the_openapi_description_lists_the_synergy_endpoints():
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "get" in paths["/api/v1/synergies"]
    assert "get" in paths["/api/v1/synergies/opportunities"]
    assert "get" in paths["/api/v1/synergies/{synergy_id}"]
    assert set(paths["/api/v1/synergies/{synergy_id}/transitions"]) == {"get", "post"}
    assert "post" in paths["/api/v1/synergies/participants/{participant_id}/consent"]
