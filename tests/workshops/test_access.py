"""Access to workshops: the territory team sees everything of its workshops; another territory's team,
the programme team and the committee get 404, a company contact of the territory 403; a participant
reaches only its own declarations, by its cookie; a closed workshop's link is refused."""

import pytest
from django.urls import reverse

from tests import factories
from tremplin.workshops import services
from tremplin.workshops.models import Declaration, Match, Participant, Workshop, WorkshopCompany

pytestmark = pytest.mark.django_db

TEAM_URLS = {
    "workshop_detail": {},
    "workshop_screen": {},
    "workshop_screen_live": {},
    "workshop_match_action": {"match_pk": "match"},
    "workshop_company_check": {"company_pk": "company"},
    "workshop_close": {},
    "workshop_convert": {},
    "workshop_attendance": {},
    "workshop_summary_pdf": {},
}
PARTICIPANT_URLS = ("workshop_join", "workshop_me", "workshop_declare", "workshop_withdraw")
ACCESS_CHECKED_URLS = {*TEAM_URLS, "workshop_list", *PARTICIPANT_URLS}
ACCESS_CHECKED_MODELS = {Workshop, WorkshopCompany, Participant, Declaration, Match}


@pytest.fixture
def world(workshop, sites, caux, havre, officer):
    brewery, farm = sites
    a = services.join_workshop(workshop, establishment=brewery)
    b = services.join_workshop(workshop, establishment=farm)
    services.declare(a, kind="have", resource="bio_spent_grain", quantity=200, unit="t")
    services.declare(b, kind="want", resource="bio_animal_feed", quantity=100, unit="t", comment="Secret")
    return {
        "workshop": workshop,
        "a": a,
        "b": b,
        "match": Match.objects.get(workshop=workshop),
        "company": a.company,
        "havre_officer": factories.territory_officer(havre),
        "contact": factories.company_contact(brewery),
        "committee": factories.committee_member(),
        "programme": factories.programme_team_member(),
        "officer": officer,
    }


def _url(name, world):
    kwargs = {"pk": world["workshop"].pk}
    for key, obj in TEAM_URLS[name].items():
        kwargs[key] = world[obj].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(TEAM_URLS))
@pytest.mark.parametrize(
    ("persona", "status"), [("havre_officer", 404), ("contact", 403), ("committee", 404), ("programme", 404)]
)
def test_outsiders_are_refused_every_team_url(client, world, name, persona, status):
    client.force_login(world[persona])
    url = _url(name, world)
    assert client.get(url).status_code in (status, 405)
    assert client.post(
        url, {"action": "pin", "establishment": world["a"].company.establishment_id}
    ).status_code in (status, 405)
    world["match"].refresh_from_db()
    assert world["match"].state == "proposed"
    world["workshop"].refresh_from_db()
    assert world["workshop"].is_open


@pytest.mark.parametrize("name", sorted(TEAM_URLS))
def test_the_team_reaches_every_url(client, world, name):
    client.force_login(world["officer"])
    response = client.get(_url(name, world))
    assert response.status_code in (200, 405)


def test_the_workshop_list_is_the_teams(client, world, caux):
    url = reverse("workshop_list", kwargs={"territory_pk": caux.pk})
    client.force_login(world["havre_officer"])
    assert client.get(url).status_code == 404
    client.force_login(world["contact"])
    assert client.get(url).status_code == 403
    client.force_login(world["officer"])
    assert world["workshop"].theme in client.get(url).content.decode()


def test_scoped_querysets_give_the_team_only(world):
    for model, obj in [
        (Workshop, world["workshop"]),
        (WorkshopCompany, world["company"]),
        (Participant, world["a"]),
        (Declaration, world["a"].declarations.get()),
        (Match, world["match"]),
    ]:
        assert model.objects.visible_to(world["officer"]).filter(pk=obj.pk).exists()
        for persona in ("havre_officer", "contact", "committee", "programme"):
            assert not model.objects.visible_to(world[persona]).filter(pk=obj.pk).exists(), (model, persona)


def _join(client, workshop, **data):
    return client.post(reverse("workshop_join", kwargs={"token": workshop.token}), data)


def test_a_participant_sees_only_its_own_declarations(client, world):
    workshop = world["workshop"]
    response = _join(client, workshop, company="new", new_company="Menuiserie Durand")
    assert response.status_code == 302
    client.post(
        reverse("workshop_declare", kwargs={"token": workshop.token}),
        {
            "kind": "have",
            "resource": "wood_pallets",
            "quantity": "12",
            "unit": "t",
            "confidentiality": "summary",
        },
    )
    page = client.get(reverse("workshop_me", kwargs={"token": workshop.token})).content.decode()
    assert "Menuiserie Durand" in page and "Palettes bois réutilisables" in page
    assert "Drêches" not in page and "Secret" not in page
    # Another participant's declaration cannot be withdrawn by this browser.
    other = world["b"].declarations.get()
    url = reverse("workshop_withdraw", kwargs={"token": workshop.token, "declaration_pk": other.pk})
    assert client.post(url).status_code == 404
    assert Declaration.objects.filter(pk=other.pk).exists()


def test_a_forged_cookie_is_no_participant(client, world):
    workshop = world["workshop"]
    client.cookies[f"tremplin_ws{workshop.pk}"] = str(world["a"].pk)
    response = client.get(reverse("workshop_me", kwargs={"token": workshop.token}))
    assert response.status_code == 302 and response["Location"].endswith(f"/a/{workshop.token}/")


def test_an_unknown_token_is_a_404_and_a_closed_workshops_link_is_refused(client, world):
    workshop = world["workshop"]
    assert client.get(reverse("workshop_join", kwargs={"token": "x" * 22})).status_code == 404
    _join(client, workshop, company="new", new_company="Menuiserie Durand")
    services.close_workshop(workshop, by=world["officer"])
    fresh = client.__class__()
    assert fresh.get(reverse("workshop_join", kwargs={"token": workshop.token})).status_code == 410
    assert _join(fresh, workshop, company="new", new_company="Retard").status_code == 410
    declare = reverse("workshop_declare", kwargs={"token": workshop.token})
    assert client.post(declare, {"kind": "have", "resource": "wood_pallets"}).status_code == 410
    assert not Participant.objects.filter(company__typed_name="Retard").exists()
    # Its own page stays readable by the participant who joined.
    assert client.get(reverse("workshop_me", kwargs={"token": workshop.token})).status_code == 200


def test_a_read_only_member_reads_the_screen_but_changes_nothing(client, world, caux):
    """An elected official with read access follows the workshop but neither creates, closes, converts
    nor pins (the operations refuse, whatever the page shows)."""
    import datetime as dt

    from tremplin.accounts.scoping import forget_scope

    reader = factories.territory_elected_official(caux, email="elue@caux.example")
    reader.memberships.update(access="read")
    forget_scope(reader)
    client.force_login(reader)
    assert client.get(_url("workshop_screen", world)).status_code == 200
    with pytest.raises(services.TeamOnly):
        services.create_workshop(caux, by=reader, theme="Chaleur", date=dt.date(2027, 3, 1), place="CCI")
    with pytest.raises(services.TeamOnly):
        services.close_workshop(world["workshop"], by=reader)
    world["workshop"].refresh_from_db()
    assert world["workshop"].status == "open" and Workshop.objects.count() == 1
