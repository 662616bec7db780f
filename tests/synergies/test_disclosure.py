"""Before both sides agree, a counterpart is described by an activity level and a distance band that
several establishments of the territory share: a unique activity must not name the company."""

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE
from tremplin.synergies.disclosure import anonymised_description, contact_opportunities

pytestmark = pytest.mark.django_db

KM = 1 / 111.2  # degrees of latitude per km


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def _place(caux, name, naf_code, km_north):
    """An establishment ``km_north`` km due north of the territory's first commune centroid."""
    commune = caux.epci.communes.order_by("insee_code").first()
    return factories.establishment(
        caux,
        name=name,
        naf_code=naf_code,
        latitude=commune.centroid_lat + km_north * KM,
        longitude=commune.centroid_lon,
    )


@pytest.fixture
def farm(caux):
    return _place(caux, "Ferme laitière du Plateau", "01.41Z", 0)


@pytest.fixture
def brewery(caux):
    """The only brewery of the territory, 6 km from the farm."""
    return _place(caux, "Brasserie des Falaises", "11.05Z", 6)


def _points(caux):
    return list(caux.establishments.values_list("pk", "naf_code", "latitude", "longitude"))


def test_a_brewery_unique_in_its_group_is_described_by_its_group_and_a_wider_band(caux, farm, brewery):
    _place(caux, "Eaux de source", "11.07A", 3)  # beverages too, 3 km away
    _place(caux, "Distillerie", "11.01Z", -8)  # beverages too, 8 km the other way
    _place(caux, "Boulangerie", "10.71C", 7)
    description = anonymised_description(farm, brewery, _points(caux), k=3)
    # Beer (class and subclass): 1 establishment. Beverages (group 11.0) between 5 and 10 km: the brewery
    # and the distillery, 2. Beverages less than 10 km away: 3, the first description 3 share.
    assert (description.activity_code, description.band, description.shared_by) == ("11.0", (0, 10), 3)
    assert description.activity == "Fabrication de boissons (groupe NAF 11.0)"
    assert description.distance == "à moins de 10 km"


def test_a_brewery_alone_in_its_division_is_described_by_its_section(caux, farm, brewery):
    _place(caux, "Boulangerie du Port", "10.71C", 6.5)
    _place(caux, "Boulangerie du Bourg", "10.71C", 7)
    _place(caux, "Négoce agricole", "46.21Z", 6.2)
    description = anonymised_description(farm, brewery, _points(caux), k=3)
    # Manufacturing (section C) between 5 and 10 km: the brewery and the two bakeries.
    assert (description.activity, description.distance, description.shared_by) == (
        "Industrie manufacturière (section NAF C)",
        "entre 5 et 10 km",
        3,
    )


def test_an_activity_that_several_share_is_shown_exactly(caux, farm, brewery):
    _place(caux, "Brasserie artisanale", "11.05Z", 5.5)
    _place(caux, "Microbrasserie", "11.05Z", 9)
    description = anonymised_description(farm, brewery, _points(caux), k=3)
    assert (description.activity, description.distance) == ("Fabrication de bière", "entre 5 et 10 km")


def test_the_number_of_establishments_is_a_setting(caux, farm, brewery, settings):
    _place(caux, "Eaux de source", "11.07A", 3)
    _place(caux, "Distillerie", "11.01Z", -8)
    settings.SYNERGY_ANONYMITY_MIN_ESTABLISHMENTS = 2
    description = anonymised_description(farm, brewery, _points(caux))
    assert (description.activity_code, description.distance) == ("11.0", "entre 5 et 10 km")


def test_in_a_tiny_territory_nothing_is_said_but_that_it_is_an_establishment(caux, farm, brewery):
    description = anonymised_description(farm, brewery, _points(caux), k=3)
    assert (description.activity, description.distance) == ("activité non précisée", "distance non précisée")


def test_the_contact_sees_the_coarse_description_until_both_accepted(client, caux, farm, brewery):
    _place(caux, "Eaux de source", "11.07A", 3)
    _place(caux, "Distillerie", "11.01Z", -8)
    synergy = factories.synergy(
        caux, status="qualified", participants=(brewery, farm), distance_km=7.8, resource_label="Drêches"
    )
    farm_contact = factories.company_contact(farm)
    client.force_login(farm_contact)
    page = client.get(reverse("contact_opportunities")).content.decode()
    assert "Drêches" in page
    for revealing in ("Brasserie des Falaises", "Fabrication de bière", "7,8"):
        assert revealing not in page, revealing
    assert "Fabrication de boissons (groupe NAF 11.0), à moins de 10 km" in page

    for establishment in (brewery, farm):
        participant = synergy.participants.get(establishment=establishment)
        client.force_login(
            factories.company_contact(establishment) if establishment == brewery else farm_contact
        )
        client.post(reverse("participant_consent", kwargs={"pk": participant.pk}), {"answer": "accept"})
    client.force_login(farm_contact)
    page = client.get(reverse("contact_opportunities")).content.decode()
    assert "Brasserie des Falaises" in page
    assert "Fabrication de bière" in page
    assert "7,8 km" in page


def test_one_anonymous_counterpart_per_participant_of_a_mutualisation(caux, farm, brewery):
    bakery = _place(caux, "Boulangerie", "10.71C", 2)
    synergy = factories.synergy(caux, kind="mutualisation", participants=(farm, brewery, bakery))
    contact = factories.company_contact(farm)
    (opportunity,) = contact_opportunities(contact, {farm.pk})
    assert opportunity.synergy == synergy
    assert [c.label for c in opportunity.counterparts] == ["Établissement anonyme"] * 2
    assert not any(c.disclosed for c in opportunity.counterparts)
