"""Synergy records stay with their territory team; a participant's contact sees its own opportunities,
the counterparts anonymised until everyone consented; the programme team sees indicators only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.synergies.detection import start_detection
from tremplin.synergies.models import (
    DetectionRun,
    Dismissal,
    Lead,
    Measurement,
    StatusChange,
    Synergy,
    SynergyAction,
    SynergyParticipant,
)

pytestmark = pytest.mark.django_db

ACCESS_CHECKED_MODELS = {
    DetectionRun,
    Lead,
    Dismissal,
    Synergy,
    SynergyParticipant,
    StatusChange,
    SynergyAction,
    Measurement,
}


@pytest.fixture
def world():
    caux, havre = factories.territory(CAUX_SEINE), factories.territory(LE_HAVRE)
    brewery, farm = factories.brewery_and_farm(caux)
    bystander = factories.establishment(caux, name="Voisin sans synergie")
    officer = factories.territory_officer(caux)
    run = start_detection(caux, mode="deductive", by=officer)
    lead = run.leads.first()
    # Under study: nobody has answered yet, so each contact sees the other anonymised.
    synergy = factories.synergy(
        caux, status="under_study", participants=(brewery, farm), resource_label="Drêches"
    )
    action = synergy.actions.create(title="Visite", owner_name="Chargée EIT")
    measurement = factories.measurement(synergy, year=2025, tonnes_diverted=10)
    Dismissal.objects.create(territory=caux, signature="x", by=officer)
    lost_run = DetectionRun.objects.create(territory=caux, mode="deductive", created_by=officer)
    long_ago = timezone.now() - timedelta(days=1)
    DetectionRun.objects.filter(pk=lost_run.pk).update(
        status="running", created_at=long_ago, heartbeat_at=long_ago
    )
    return {
        "lost_run": lost_run,
        "caux": caux,
        "havre": havre,
        "brewery": brewery,
        "farm": farm,
        "officer": officer,
        "run": run,
        "lead": lead,
        "synergy": synergy,
        "action": action,
        "measurement": measurement,
        "participant": synergy.participants.get(establishment=brewery),
        "havre_officer": factories.territory_officer(havre),
        "programme": factories.programme_team_member(),
        "committee": factories.committee_member(),
        "brewery_contact": factories.company_contact(brewery),
        "farm_contact": factories.company_contact(farm),
        "bystander_contact": factories.company_contact(bystander),
    }


# url name → (kwarg, fixture key of the object it designates, method)
URLS = {
    "detection_home": ("territory_pk", "caux", "get"),
    "detection_why_not": ("territory_pk", "caux", "get"),
    "detection_run": ("pk", "run", "get"),
    "detection_run_progress": ("pk", "run", "get"),
    "detection_run_fail": ("pk", "lost_run", "post"),
    "detection_run_restart": ("pk", "lost_run", "post"),
    "leads_dismiss": ("pk", "run", "post"),
    "lead_accept": ("pk", "lead", "post"),
    "lead_dismiss": ("pk", "lead", "post"),
    "synergy_board": ("territory_pk", "caux", "get"),
    "synergy_table": ("territory_pk", "caux", "get"),
    "synergy_detail": ("pk", "synergy", "get"),
    "synergy_transition": ("pk", "synergy", "post"),
    "synergy_action_add": ("pk", "synergy", "post"),
    "synergy_action_done": ("pk", "action", "post"),
    "synergy_measurement": ("pk", "synergy", "post"),
    "participant_consent": ("pk", "participant", "post"),
    "territory_indicators": ("territory_pk", "caux", "get"),
}
ACCESS_CHECKED_URLS = set(URLS)

_POST_DATA = {
    "transition": "monitor",
    "title": "Piratage",
    "year": 2024,
    "tonnes_diverted": 999,
    "co2_avoided_t": 0,
    "eur_saved": 0,
    "eur_earned": 0,
    "jobs": 0,
    "answer": "accept",
    "done": "1",
    "reason": "Piratage",
    "scope": "filtered",
}


def _snapshot(world):
    synergy = Synergy.objects.get(pk=world["synergy"].pk)
    return (
        synergy.status,
        synergy.history.count(),
        synergy.actions.count(),
        synergy.measurements.count(),
        SynergyAction.objects.get(pk=world["action"].pk).done,
        SynergyParticipant.objects.get(pk=world["participant"].pk).consent,
        Lead.objects.get(pk=world["lead"].pk).status,
        Synergy.objects.count(),
        sorted(Lead.objects.values_list("status", flat=True)),
        DetectionRun.objects.get(pk=world["lost_run"].pk).status,
        DetectionRun.objects.count(),
        Dismissal.objects.count(),
    )


@pytest.mark.parametrize("person", ["havre_officer", "programme", "committee", "bystander_contact"])
@pytest.mark.parametrize("url_name", sorted(URLS))
def test_outsiders_are_refused_and_change_nothing(client, world, person, url_name):
    kwarg, key, method = URLS[url_name]
    if url_name == "territory_indicators" and person == "programme":
        return  # the programme team follows every territory's indicators (aggregates)
    url = reverse(url_name, kwargs={kwarg: world[key].pk})
    before = _snapshot(world)
    client.force_login(world[person])
    data = {**_POST_DATA, "leads": [world["lead"].pk]}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code in (403, 404), (person, url_name, response.status_code)
    assert _snapshot(world) == before


@pytest.mark.parametrize("url_name", sorted(n for n, (_k, _o, m) in URLS.items() if m == "get"))
def test_the_territory_team_reaches_every_page(client, world, url_name):
    kwarg, key, _method = URLS[url_name]
    client.force_login(world["officer"])
    assert client.get(reverse(url_name, kwargs={kwarg: world[key].pk})).status_code == 200


def test_another_territorys_officer_sees_no_synergy_record(world):
    for model in ACCESS_CHECKED_MODELS:
        assert not model.objects.visible_to(world["havre_officer"]).exists(), model.__name__


def test_the_programme_team_sees_no_synergy_record_but_the_indicators(client, world):
    for model in ACCESS_CHECKED_MODELS:
        assert not model.objects.visible_to(world["programme"]).exists(), model.__name__
    client.force_login(world["programme"])
    url = reverse("territory_indicators", kwargs={"territory_pk": world["caux"].pk})
    page = client.get(url).content.decode()
    assert "Brasserie des Falaises" not in page
    assert client.get(reverse("programme_indicators")).status_code == 200


def test_only_the_programme_team_opens_the_programme_indicators(client, world):
    for person in ("officer", "committee", "brewery_contact"):
        client.force_login(world[person])
        assert client.get(reverse("programme_indicators")).status_code == 403


def test_a_participants_contact_sees_the_synergy_but_not_who_the_counterpart_is(client, world):
    contact = world["brewery_contact"]
    assert list(Synergy.objects.visible_to(contact)) == [world["synergy"]]
    assert set(SynergyParticipant.objects.visible_to(contact)) == {world["participant"]}
    assert not StatusChange.objects.visible_to(contact).exists()
    client.force_login(contact)
    page = client.get(reverse("contact_opportunities")).content.decode()
    assert "Drêches" in page
    assert "Ferme laitière du Plateau" not in page
    assert "Établissement anonyme" in page
    # Its synergy page sends it to its own (anonymised) view.
    detail = client.get(reverse("synergy_detail", kwargs={"pk": world["synergy"].pk}))
    assert detail.status_code == 302
    assert detail.url == reverse("contact_opportunities")


def test_the_counterparts_are_named_once_both_accepted(client, world):
    for key in ("brewery_contact", "farm_contact"):
        client.force_login(world[key])
        establishment = world[key.replace("_contact", "")]
        participant = world["synergy"].participants.get(establishment=establishment)
        response = client.post(
            reverse("participant_consent", kwargs={"pk": participant.pk}), {"answer": "accept"}
        )
        assert response.status_code == 302
    client.force_login(world["brewery_contact"])
    page = client.get(reverse("contact_opportunities")).content.decode()
    assert "Ferme laitière du Plateau" in page


def test_a_contact_cannot_answer_for_the_other_participant(client, world):
    other = world["synergy"].participants.get(establishment=world["farm"])
    client.force_login(world["brewery_contact"])
    response = client.post(reverse("participant_consent", kwargs={"pk": other.pk}), {"answer": "accept"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.consent == "pending"


def test_a_non_participant_contact_has_no_opportunity(client, world):
    client.force_login(world["bystander_contact"])
    page = client.get(reverse("contact_opportunities")).content.decode()
    assert "Drêches" not in page


def test_only_company_contacts_have_an_opportunities_page(client, world):
    client.force_login(world["officer"])
    assert client.get(reverse("contact_opportunities")).status_code == 403
