"""The pages of a workshop: preparing it, the QR code, the live fragment's version check, searching."""

import pytest
from django.urls import reverse

from tremplin.workshops import services
from tremplin.workshops.models import Match, Workshop
from tremplin.workshops.search import search

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("palettes", "wood_pallets"),
        ("chaleur", "wh_hot_water"),
        ("cartons", "paper_cardboard"),
        ("boues", "sludge_agrifood"),
        ("Ferrailles", "metal_ferrous"),
        ("huile de friture", "oil_cooking_used"),
    ],
)
def test_everyday_words_find_the_right_resource_first(word, expected):
    assert search(word)[0].code == expected


def test_boues_finds_sludges_of_several_origins():
    codes = {r.code for r in search("boues")}
    assert {"sludge_agrifood", "sludge_wwtp", "sludge_paper"} <= codes


def test_the_team_creates_a_workshop_and_its_page_shows_link_and_qr(client, caux, officer, sites):
    client.force_login(officer)
    response = client.post(
        reverse("workshop_list", kwargs={"territory_pk": caux.pk}),
        {"theme": "Bois et palettes", "date": "2026-04-02", "place": "CCI", "expected": [sites[0].pk]},
    )
    workshop = Workshop.objects.get(theme="Bois et palettes")
    assert response.status_code == 302
    assert list(workshop.expected.all()) == [sites[0]]
    assert len(workshop.token) >= 22
    page = client.get(reverse("workshop_detail", kwargs={"pk": workshop.pk})).content.decode()
    assert f"/a/{workshop.token}/" in page
    assert "<svg" in page and "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_the_live_fragment_answers_204_while_nothing_changed(
    client, workshop, officer, sites, django_assert_max_num_queries
):
    client.force_login(officer)
    url = reverse("workshop_screen_live", kwargs={"pk": workshop.pk})
    first = client.get(url)
    assert first.status_code == 200
    workshop.refresh_from_db()
    # What every signed-in request costs (session, user, memberships, language…) and one for the version.
    with django_assert_max_num_queries(7):
        assert client.get(url, {"v": workshop.version}).status_code == 204
    brewery, farm = sites
    a = services.join_workshop(workshop, establishment=brewery)
    b = services.join_workshop(workshop, establishment=farm)
    services.declare(a, kind="have", resource="bio_spent_grain", quantity=200, unit="t")
    services.declare(b, kind="want", resource="bio_animal_feed", quantity=100, unit="t")
    response = client.get(url, {"v": workshop.version})
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "Drêches de brasserie" in body
        and "Brasserie des Falaises" in body
        and "Ferme laitière du Plateau" in body
    )
    assert 'hx-trigger="every 2s"' in body


def test_pinning_from_the_screen(client, workshop, officer, sites):
    brewery, farm = sites
    a = services.join_workshop(workshop, establishment=brewery)
    b = services.join_workshop(workshop, establishment=farm)
    services.declare(a, kind="have", resource="bio_spent_grain", quantity=200, unit="t")
    services.declare(b, kind="want", resource="bio_animal_feed", quantity=100, unit="t")
    match = Match.objects.get(workshop=workshop)
    client.force_login(officer)
    url = reverse("workshop_match_action", kwargs={"pk": workshop.pk, "match_pk": match.pk})
    assert client.post(url, {"action": "pin"}).status_code == 302
    client.post(url, {"action": "note", "note": "Appeler la ferme lundi"})
    match.refresh_from_db()
    assert match.state == "pinned" and match.note == "Appeler la ferme lundi"


def test_the_join_page_searches_the_territorys_companies(client, workshop, sites, havre):
    from tests import factories

    factories.establishment(havre, name="Brasserie du Havre")
    page = client.get(
        reverse("workshop_join", kwargs={"token": workshop.token}), {"q": "brasserie"}
    ).content.decode()
    assert "Brasserie des Falaises" in page and "Brasserie du Havre" not in page
    # A NUL or another control character in the search (PostgreSQL refuses a NUL in a query) is a space.
    response = client.get(
        reverse("workshop_join", kwargs={"token": workshop.token}), {"q": "bras\x00serie\x07"}
    )
    assert response.status_code == 200


def test_the_declare_page_lists_resources_without_javascript(client, workshop):
    client.post(
        reverse("workshop_join", kwargs={"token": workshop.token}), {"company": "new", "new_company": "X"}
    )
    page = client.get(
        reverse("workshop_declare", kwargs={"token": workshop.token}), {"q": "palettes", "kind": "have"}
    )
    assert 'value="wood_pallets"' in page.content.decode()
    assert len(page.content) < 20_000


def test_a_date_is_required(client, caux, officer):
    client.force_login(officer)
    client.post(reverse("workshop_list", kwargs={"territory_pk": caux.pk}), {"theme": "x", "place": "y"})
    assert not Workshop.objects.exists()
