import json

import pytest
from django.db.models import Sum
from django.urls import reverse

from tests import factories
from tests.conftest import CAUX_SEINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def caux():
    return factories.territory(CAUX_SEINE)


def test_the_territory_page_shows_its_key_facts(client, caux):
    factories.establishment(caux, naf_code="10.71C")
    factories.establishment(caux, naf_code="10.51C")
    factories.establishment(caux, naf_code="49.41A")
    client.force_login(factories.territory_officer(caux))
    html = client.get(reverse("territory_detail", kwargs={"pk": caux.pk})).content.decode()

    population = caux.epci.communes.aggregate(total=Sum("population"))["total"]
    # French digit grouping: a non-breaking space between thousands.
    assert f'<span data-fact="population">{population:,}</span>'.replace(",", "\u202f") in html
    assert '<span data-fact="communes">50</span>' in html
    assert '<span data-fact="establishments">3</span>' in html
    # Two establishments in manufacturing (section C), one in transport (section H).
    assert '<tr data-section="C">' in html and "Industrie manufacturière" in html
    section_c = html.split('<tr data-section="C">')[1].split("</tr>")[0]
    assert '<td class="text-end">2</td>' in section_c
    section_h = html.split('<tr data-section="H">')[1].split("</tr>")[0]
    assert '<td class="text-end">1</td>' in section_h
    assert "INVALID_TEMPLATE_VARIABLE" not in html


def test_the_map_layer_holds_the_perimeter_and_every_commune(client, caux):
    client.force_login(factories.territory_officer(caux))
    response = client.get(reverse("territory_map", kwargs={"pk": caux.pk}))
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    layers = [feature["properties"]["layer"] for feature in data["features"]]
    assert layers.count("perimeter") == 1
    assert layers.count("commune") == 50
    codes = {f["properties"]["insee_code"] for f in data["features"] if f["properties"]["layer"] == "commune"}
    assert "76476" in codes  # Port-Jérôme-sur-Seine


def test_demonstration_establishments_are_labelled(client, caux):
    factories.establishment(caux, is_demo=True, name="Fonderie fictive")
    officer = factories.territory_officer(caux)
    client.force_login(officer)
    territory_html = client.get(reverse("territory_detail", kwargs={"pk": caux.pk})).content.decode()
    assert "Données de démonstration" in territory_html
    list_html = client.get(reverse("establishment_list", kwargs={"territory_pk": caux.pk})).content.decode()
    assert "Fonderie fictive" in list_html and "Données de démonstration" in list_html


def test_the_programme_team_sees_aggregates_but_no_establishment_link(client, caux):
    factories.establishment(caux, name="Secret industriel")
    client.force_login(factories.programme_team_member())
    html = client.get(reverse("territory_detail", kwargs={"pk": caux.pk})).content.decode()
    assert '<span data-fact="establishments">1</span>' in html
    assert "Secret industriel" not in html
    assert reverse("establishment_list", kwargs={"territory_pk": caux.pk}) not in html


def test_the_establishment_list_searches_by_name_and_siret(client, caux):
    kept = factories.establishment(caux, name="Laiterie du Pays de Caux")
    factories.establishment(caux, name="Garage Martin")
    client.force_login(factories.territory_officer(caux))
    url = reverse("establishment_list", kwargs={"territory_pk": caux.pk})
    html = client.get(url, {"q": "laiterie"}).content.decode()
    assert "Laiterie du Pays de Caux" in html and "Garage Martin" not in html
    html = client.get(url, {"q": kept.siret[:9]}).content.decode()
    assert "Laiterie du Pays de Caux" in html and "Garage Martin" not in html
