"""The establishments list: search, filters, sort and pagination, with hand-counted results."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE, LE_HAVRE
from tremplin.establishments.models import Engagement
from tremplin.geo.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


@pytest.fixture
def officer(caux):
    return factories.territory_officer(caux)


@pytest.fixture
def sites(caux):
    """Six establishments chosen so that each filter keeps a different, countable subset."""
    bolbec, lillebonne = Commune.objects.get(insee_code="76114"), Commune.objects.get(insee_code="76384")
    make = factories.establishment
    return {
        "papeterie": make(
            caux,
            name="Papeterie",
            naf_code="17.12Z",
            headcount_band="22",
            commune=bolbec,
            engagement=Engagement.ENGAGED,
        ),
        "laiterie": make(
            caux,
            name="Laiterie",
            naf_code="10.51A",
            headcount_band="12",
            commune=lillebonne,
            engagement=Engagement.MET,
        ),
        "boulangerie": make(caux, name="Boulangerie", naf_code="10.71C", headcount_band="02", commune=bolbec),
        "garage": make(
            caux,
            name="Garage",
            naf_code="45.20A",
            headcount_band="NN",
            commune=lillebonne,
            engagement=Engagement.CONTACTED,
        ),
        "raffinerie": make(
            caux, name="Raffinerie", naf_code="19.20Z", headcount_band="41", commune=lillebonne
        ),
        "transports": make(
            caux,
            name="Transports",
            naf_code="49.41A",
            headcount_band="11",
            commune=bolbec,
            engagement=Engagement.MET,
        ),
    }


def _names(client, territory, **params):
    response = client.get(reverse("establishment_list", kwargs={"territory_pk": territory.pk}), params)
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'<a href="/etablissements/\d+/">([^<]+)</a>', html), html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Boulangerie", "Garage", "Laiterie", "Papeterie", "Raffinerie", "Transports"]),
        ({"section": "C"}, ["Boulangerie", "Laiterie", "Papeterie", "Raffinerie"]),  # manufacturing
        ({"division": "10"}, ["Boulangerie", "Laiterie"]),  # food
        ({"size": "small"}, ["Laiterie", "Transports"]),  # 10 to 49: bands 11 and 12
        ({"size": "medium"}, ["Papeterie"]),  # band 22
        ({"size": "large"}, ["Raffinerie"]),  # band 41
        ({"size": "none"}, ["Garage"]),
        ({"commune": "76114"}, ["Boulangerie", "Papeterie", "Transports"]),
        ({"engagement": "engaged"}, ["Papeterie"]),
        ({"engagement": "met_or_engaged"}, ["Laiterie", "Papeterie", "Transports"]),
        ({"engagement": "not_engaged"}, ["Boulangerie", "Garage", "Laiterie", "Raffinerie", "Transports"]),
        ({"section": "C", "commune": "76384"}, ["Laiterie", "Raffinerie"]),
        ({"q": "lait"}, ["Laiterie"]),
        ({"sort": "-name"}, ["Transports", "Raffinerie", "Papeterie", "Laiterie", "Garage", "Boulangerie"]),
        ({"sort": "naf"}, ["Laiterie", "Boulangerie", "Papeterie", "Raffinerie", "Garage", "Transports"]),
    ],
)
def test_filters_keep_the_hand_counted_establishments(client, caux, officer, sites, params, expected):
    client.force_login(officer)
    names, html = _names(client, caux, **params)
    assert names == expected
    assert f'data-count="{len(expected)}"' in html


def test_search_by_the_beginning_of_a_siret_ignores_spaces(client, caux, officer, sites):
    client.force_login(officer)
    siret = sites["garage"].siret
    names, _html = _names(client, caux, q=f"{siret[:3]} {siret[3:9]}")
    assert "Garage" in names


def test_the_list_pages_by_fifty_and_keeps_the_filters_in_page_links(client, caux, officer):
    for index in range(55):
        factories.establishment(caux, name=f"Site {index:02d}", naf_code="10.71C")
    client.force_login(officer)
    names, html = _names(client, caux, section="C")
    assert len(names) == 50
    assert re.search(r'href="\?[^"]*section=C[^"]*&amp;page=2" rel="next"', html)
    names, _html = _names(client, caux, section="C", page=2)
    assert names == ["Site 50", "Site 51", "Site 52", "Site 53", "Site 54"]


def test_demonstration_establishments_carry_the_badge(client, caux, officer):
    factories.establishment(caux, name="Laiterie démo", is_demo=True)
    client.force_login(officer)
    _, html = _names(client, caux)
    assert "Données de démonstration" in html


def test_the_team_sees_add_and_import_buttons_a_company_contact_does_not(client, caux, officer, sites):
    client.force_login(officer)
    html = client.get(reverse("establishment_list", kwargs={"territory_pk": caux.pk})).content.decode()
    assert reverse("establishment_import", kwargs={"territory_pk": caux.pk}) in html
    client.force_login(factories.company_contact(sites["garage"]))
    names, html = _names(client, caux)
    assert names == ["Garage"]
    assert reverse("establishment_import", kwargs={"territory_pk": caux.pk}) not in html


def test_the_programme_team_is_refused_the_list(client, caux, sites):
    client.force_login(factories.programme_team_member())
    assert client.get(reverse("establishment_list", kwargs={"territory_pk": caux.pk})).status_code == 403


def test_another_territorys_establishments_never_appear(client, caux, officer, sites):
    factories.establishment(factories.territory(LE_HAVRE), name="Docks")
    client.force_login(officer)
    names, _html = _names(client, caux)
    assert "Docks" not in names
