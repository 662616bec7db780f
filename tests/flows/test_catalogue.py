"""Search-as-you-type in the resource catalogue."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.flows.catalogue import fold, search_resources


def codes(query):
    return [entry.code for entry in search_resources(query)]


def test_the_search_ignores_accents_and_case():
    assert fold("Drêches") == "dreches"
    assert codes("DRECHE")[0] == "bio_spent_grain"
    assert codes("drêche")[0] == "bio_spent_grain"


def test_every_word_must_match_code_label_family_or_waste_code():
    assert codes("vapeur")[0] == "steam"  # then the pressure levels and condensate
    assert {"steam_hp", "steam_mp", "steam_lp"} <= set(codes("vapeur"))
    assert codes("bois palettes") == ["wood_pallets"]
    assert "bio_spent_grain" in codes("02 07 04")
    assert codes("huile usag")[0] == "oil_mineral_used"
    assert {"oil_cooking_used", "oil_machining"} <= set(codes("huile usag"))
    assert codes("   ") == []


def test_labels_starting_with_the_query_come_first():
    assert codes("chaleur")[:3] == ["heat_low", "heat_medium", "heat_high"]


@pytest.mark.django_db
def test_the_htmx_endpoint_returns_results_with_their_family(client):
    client.force_login(factories.territory_officer(factories.territory(CAUX_SEINE)))
    response = client.get(reverse("resource_search"), {"q": "palette"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-resource-code="wood_pallets"' in html
    assert "Palettes bois réutilisables" in html and "Bois · t" in html
    assert "<html" not in html


@pytest.mark.django_db
def test_the_search_needs_a_signed_in_user(client):
    assert client.get(reverse("resource_search"), {"q": "bois"}).status_code == 302
